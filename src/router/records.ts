// JSON records -> record-batch records, in the three value formats (the way back is protocol/fetched.ts).

import type { ProduceRecordInput } from "../protocol/api.js";
import type { ValueFormat } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import type { RecordHeader, RecordInput } from "../protocol/record-batch.js";
import { fromBase64 } from "../util/base64.js";
import { utf8Encoder } from "../util/utf8.js";

function invalid(index: number, message: string): EdgelogError {
  return new EdgelogError("INVALID_RECORD", `records[${index}]: ${message}`);
}

export function recordKey(r: ProduceRecordInput, index: number): Uint8Array | null {
  if (r.key_b64 !== undefined) {
    if (r.key !== undefined && r.key !== null) throw invalid(index, "give key or key_b64, not both");
    const bytes = fromBase64(r.key_b64);
    if (!bytes) throw invalid(index, "key_b64 is not valid base64");
    return bytes;
  }
  return r.key === undefined || r.key === null ? null : utf8Encoder.encode(r.key);
}

function recordValue(value: unknown, format: ValueFormat, index: number): Uint8Array | null {
  // Null (or absent) is Kafka's null value: a tombstone under compaction.
  if (value === undefined || value === null) return null;
  switch (format) {
    case "json":
      return utf8Encoder.encode(JSON.stringify(value));
    case "string":
      if (typeof value !== "string") throw invalid(index, "with format string, value must be a string or null");
      return utf8Encoder.encode(value);
    case "binary": {
      if (typeof value !== "string") throw invalid(index, "with format binary, value must be a base64 string or null");
      const bytes = fromBase64(value);
      if (!bytes) throw invalid(index, "value is not valid base64");
      return bytes;
    }
  }
}

export function toRecordInput(
  r: ProduceRecordInput,
  key: Uint8Array | null,
  format: ValueFormat,
  now: number,
  index: number,
): RecordInput {
  const headers: RecordHeader[] = [];
  if (r.headers) {
    for (const [k, v] of Object.entries(r.headers))
      headers.push({ key: k, value: v === null ? null : utf8Encoder.encode(v) });
  }
  return { key, value: recordValue(r.value, format, index), headers, timestamp: r.timestamp ?? now };
}

/** Approximate encoded size, for splitting a request into batches under max.message.bytes. */
export function estimateSize(r: RecordInput): number {
  let n = 24 + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  for (const h of r.headers ?? []) n += 10 + h.key.length * 3 + (h.value?.byteLength ?? 0);
  return n;
}
