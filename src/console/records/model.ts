// A record as the console holds it: its partition and the raw bytes of key, value and headers, so
// every view (JSON, text, base64, hex), filter and export reads the same lossless data.

import { fromBase64, utf8Bytes } from "./bytes.js";

export interface ConsoleRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: [name: string, value: Uint8Array | null][];
}

/** A fetched record as the API returns it with format=binary (value base64, key text or key_b64). */
export interface BinaryFetchedRecord {
  offset: number;
  timestamp: number;
  key?: string | null;
  key_b64?: string;
  value?: unknown;
  value_b64?: string;
  headers?: Record<string, string | null>;
  headers_b64?: Record<string, string | null>;
}

export function fromFetched(partition: number, r: BinaryFetchedRecord): ConsoleRecord {
  const key = r.key_b64 !== undefined ? fromBase64(r.key_b64) : typeof r.key === "string" ? utf8Bytes(r.key) : null;
  const b64 = r.value_b64 ?? (typeof r.value === "string" ? r.value : null);
  const headers: ConsoleRecord["headers"] = [];
  for (const [k, v] of Object.entries(r.headers ?? {})) headers.push([k, v === null ? null : utf8Bytes(v)]);
  for (const [k, v] of Object.entries(r.headers_b64 ?? {})) headers.push([k, v === null ? null : fromBase64(v)]);
  return {
    partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key,
    value: b64 === null ? null : fromBase64(b64),
    headers,
  };
}

/** Newest first across partitions: by timestamp, then partition, then offset. */
export function byTime(a: ConsoleRecord, b: ConsoleRecord): number {
  return a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset;
}
