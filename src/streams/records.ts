// The record shapes a topology passes between its processors: records, table changes, windowed keys.

/** Record headers, as text (edgelog's produce API carries header values as UTF-8 strings). */
export type Headers = Record<string, string | null>;

/** One record flowing through a topology: Kafka Streams' Record<K, V>. */
export interface StreamRecord<K, V> {
  key: K;
  value: V;
  /** Event time, ms since the epoch: the input record's timestamp unless an operator sets another. */
  timestamp: number;
  headers: Headers;
}

/** An update of a table row, as a KTable forwards it downstream: the new value and the one it replaced. */
export interface Change<V> {
  newValue: V | null;
  oldValue: V | null;
}

/** A window: [start, end) for time windows, [start, end] (both inclusive) for session windows. */
export interface Window {
  start: number;
  end: number;
}

/** The key of a windowed aggregation's result: the grouping key and the window it counts over. */
export interface Windowed<K> {
  key: K;
  window: Window;
}

/** An input record as fetched: bytes, with where it came from. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Headers;
}

/** Where the record being processed was read (Kafka's RecordMetadata of ProcessorContext). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}
