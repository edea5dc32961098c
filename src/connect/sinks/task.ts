// What a sink connector's task is (Kafka's SinkTask, shaped for the member host), the record it
// receives, and how each record is rendered for the other system (the envelope every sink shares).

import type { CommitOffsets, PartitionOffset, TopicPartition } from "../../host/runner.js";
import { toJsonable } from "../converters.js";
import type { ConnectHeader, ConnectRecord, SourcePosition } from "../record.js";

/** A record after conversion and transforms, with where it was read and its stored bytes (for the DLQ). */
export interface SinkRecord extends ConnectRecord {
  original: SourcePosition;
  raw: { key: Uint8Array | null; value: Uint8Array | null; headers: ConnectHeader[]; timestamp: number | null };
}

/** Reports a record the sink could not deliver: to the DLQ (errors.tolerance=all), or fails the task. */
export type ErrantReporter = (record: SinkRecord, error: unknown) => Promise<void>;

export interface SinkTask {
  /** Records of one partition, in offset order. May deliver at once (a full batch) or buffer. */
  put(records: SinkRecord[]): Promise<void>;
  /**
   * Delivers what is buffered, then commits. The default contract: deliver everything and let the
   * runner commit `offsets`; a task that keeps some records buffered (an object still filling)
   * commits what it delivered itself and returns those offsets.
   */
  flush(offsets: PartitionOffset[], commit: CommitOffsets): Promise<void | PartitionOffset[]>;
  /** Partitions taken away: buffered records are dropped (the next owner reads them again). */
  close?(partitions: TopicPartition[]): void;
  /** True when buffered records should be delivered before the commit interval is up. */
  commitDue?(): boolean;
}

/** The JSON element each sink writes per record: topic, partition, offset, key, value, headers, timestamp. */
export interface Envelope {
  topic: string;
  partition: number;
  offset: number;
  key: unknown;
  value: unknown;
  headers: Record<string, string | null>;
  timestamp: number | null;
}

export function envelope(r: SinkRecord): Envelope {
  const headers: Record<string, string | null> = {};
  for (const h of r.headers) headers[h.key] = h.value;
  return {
    topic: r.topic,
    partition: r.original.partition,
    offset: r.original.offset,
    key: toJsonable(r.key),
    value: toJsonable(r.value),
    headers,
    timestamp: r.timestamp,
  };
}
