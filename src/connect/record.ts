// The record a connector's pipeline carries between the topic and the other system: Kafka
// Connect's ConnectRecord for schemaless data (JSON-like values, maps as plain objects).

/** A schemaless Connect value: what JsonConverter (schemas.enable=false), StringConverter or ByteArrayConverter yield. */
export type Data = null | boolean | number | string | Uint8Array | Data[] | { [field: string]: Data };

export interface ConnectHeader {
  key: string;
  value: string | null;
}

/** Where a sink record was read: kept through transforms (which may rename its topic) for the DLQ and commits. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: number;
}

export interface ConnectRecord {
  topic: string;
  /** null: the producer side chooses (by key). */
  partition: number | null;
  key: Data;
  value: Data;
  /** ms since the epoch, or null when unknown. */
  timestamp: number | null;
  headers: ConnectHeader[];
  /** Sink records only: the position in the topic it was read from. */
  original?: SourcePosition;
}

export type DataMap = { [field: string]: Data };

export function isMap(d: Data | undefined): d is DataMap {
  return typeof d === "object" && d !== null && !Array.isArray(d) && !(d instanceof Uint8Array);
}

/** The type name messages use, as Kafka's DataExceptions name Java classes. */
export function typeName(d: Data | undefined): string {
  if (d === null || d === undefined) return "null";
  if (d instanceof Uint8Array) return "bytes";
  if (Array.isArray(d)) return "array";
  return typeof d === "object" ? "map" : typeof d;
}

/** A connector's data error: the record cannot pass this stage (Kafka's DataException). */
export class DataException extends Error {
  override readonly name = "DataException";
}

/** A failure worth retrying (the other system is unavailable, a write timed out): Kafka's RetriableException. */
export class RetriableException extends Error {
  override readonly name = "RetriableException";
  constructor(
    message: string,
    /** How long the other system asked us to wait (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function withField(map: DataMap, field: string, value: Data): DataMap {
  return { ...map, [field]: value };
}
