// What a single message transform and a predicate are, and the $Key/$Value side a field transform
// works on (Kafka's Transformation and Predicate interfaces, for schemaless records).

import type { ConfigKey, ConfigValue } from "../config.js";
import type { ConnectRecord, Data } from "../record.js";

export interface Transformation {
  /** The changed record, or null to drop it. */
  apply(record: ConnectRecord): ConnectRecord | null;
}

export interface Predicate {
  test(record: ConnectRecord): boolean;
}

export type Side = "key" | "value";

export interface TransformPlugin {
  /** Kafka's class name, e.g. org.apache.kafka.connect.transforms.InsertField$Value. */
  class: string;
  config: readonly ConfigKey[];
  create(values: Record<string, ConfigValue>): Transformation;
}

export interface PredicatePlugin {
  class: string;
  config: readonly ConfigKey[];
  create(values: Record<string, ConfigValue>): Predicate;
}

export const operating = (r: ConnectRecord, side: Side): Data => (side === "key" ? r.key : r.value);

export function withOperating(r: ConnectRecord, side: Side, data: Data): ConnectRecord {
  return side === "key" ? { ...r, key: data } : { ...r, value: data };
}

export const TRANSFORMS_PACKAGE = "org.apache.kafka.connect.transforms";
