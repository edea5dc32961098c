// The pieces a topology is made of, as data: source, processor and sink nodes, state stores,
// internal topics. The DSL writes them; the runtime and the test driver instantiate them.

import type { InternalProcessor } from "../processors/api.js";
import type { Headers } from "../records.js";
import type { Serde } from "../serdes.js";
import type { StoreType } from "../state/stores.js";

/** A topic as the topology names it: an external topic, or an internal one named after the application. */
export interface TopicRef {
  name: string;
  /** Internal topics are `<applicationId>-<name>` on the server. */
  internal: boolean;
}

export type TimestampExtractor = (record: {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: unknown;
  value: unknown;
  headers: Headers;
}) => number;

export interface SourceSpec {
  kind: "source";
  name: string;
  topics: TopicRef[];
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  timestampExtractor?: TimestampExtractor;
}

export interface ProcessorSpec {
  kind: "processor";
  name: string;
  parents: string[];
  supplier: () => InternalProcessor<any, any, any, any>;
  /** State stores the processor reads or writes: they live in the same task. */
  stores: string[];
}

/** Chooses a sink topic per record (Kafka's TopicNameExtractor). */
export type TopicExtractor = (key: unknown, value: unknown, record: { timestamp: number; headers: Headers }) => string;

export interface SinkSpec {
  kind: "sink";
  name: string;
  parents: string[];
  topic: TopicRef | TopicExtractor;
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  /** Picks the partition (Kafka's StreamPartitioner); default murmur2 of the key bytes, as the producer. */
  partitioner?: (key: unknown, value: unknown, numPartitions: number) => number | undefined;
}

export type NodeSpec = SourceSpec | ProcessorSpec | SinkSpec;

export interface StoreSpec {
  name: string;
  type: StoreType;
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  /** Whether writes go to a changelog topic `<applicationId>-<name>-changelog` (Kafka's default: yes). */
  logging: boolean;
  /** Window stores: window size; session and window stores: how long entries are kept. */
  windowSizeMs?: number;
  retentionMs?: number;
  retainDuplicates?: boolean;
  /** Stores the library keeps for itself (suppression and join buffers) are not offered to queries. */
  queryable: boolean;
  /** Extra topic config for its changelog. */
  changelogConfig?: Record<string, unknown>;
}

/** A global table: every instance reads all partitions of `topic` into its own copy of `store`. */
export interface GlobalSpec {
  topic: string;
  store: StoreSpec;
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
}

export interface SubtopologySpec {
  id: number;
  /** Node names, in the order they were added. */
  nodes: string[];
  sources: TopicRef[];
  stores: string[];
}

export const topicKey = (t: TopicRef): string => (t.internal ? `internal:${t.name}` : t.name);

/** The server-side name of a topology topic. */
export function topicName(t: TopicRef, applicationId: string): string {
  return t.internal ? `${applicationId}-${t.name}` : t.name;
}

export function changelogTopic(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}
