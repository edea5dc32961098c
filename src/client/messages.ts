// What a producer sends and what it gets back: shared by the producer and its transactions.

export interface Message {
  /** UTF-8 text or bytes; hashed with murmur2 to pick the partition, as Kafka does. */
  key?: string | Uint8Array | null;
  /** json: any JSON value; string: text; binary: Uint8Array. Null is a tombstone. */
  value: unknown;
  headers?: Record<string, string | null>;
  partition?: number;
  /** ms since the epoch; default the server's now. */
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}
