// JSON records -> record-batch records, in the three value formats (the way back is protocol/fetched.ts).

import type { ProduceRecordInput } from "../protocol/api.js";
import type { ValueFormat } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import type { RecordHeader, RecordInput } from "../protocol/record-batch.js";
import { fromBase64 } from "../util/base64.js";
import { isWellFormed, utf8Encoder } from "../util/utf8.js";

function invalid(index: number, message: string): EdgelogError {
  return new EdgelogError("INVALID_RECORD", `records[${index}]: ${message}`);
}

/** `s` as UTF-8, refusing a lone surrogate (which JSON's \\u escapes can spell) instead of writing U+FFFD. */
function text(s: string, index: number, field: string): Uint8Array {
  if (!isWellFormed(s)) throw invalid(index, `${field} holds a lone surrogate, which is not text UTF-8 can carry`);
  return utf8Encoder.encode(s);
}

export function recordKey(r: ProduceRecordInput, index: number): Uint8Array | null {
  if (r.key_b64 !== undefined) {
    if (r.key !== undefined && r.key !== null) throw invalid(index, "give key or key_b64, not both");
    const bytes = fromBase64(r.key_b64);
    if (!bytes) throw invalid(index, "key_b64 is not valid base64");
    return bytes;
  }
  return r.key === undefined || r.key === null ? null : text(r.key, index, "key (send binary keys as key_b64)");
}

function recordValue(value: unknown, format: ValueFormat, index: number): Uint8Array | null {
  // Null (or absent) is Kafka's null value: a tombstone under compaction.
  if (value === undefined || value === null) return null;
  switch (format) {
    case "json":
      return utf8Encoder.encode(JSON.stringify(value));
    case "string":
      if (typeof value !== "string") throw invalid(index, "with format string, value must be a string or null");
      return text(value, index, "value");
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
    for (const [k, v] of Object.entries(r.headers)) {
      if (!isWellFormed(k)) throw invalid(index, `a header name holds a lone surrogate (${JSON.stringify(k)})`);
      headers.push({ key: k, value: v === null ? null : text(v, index, `header ${JSON.stringify(k)}`) });
    }
  }
  return { key, value: recordValue(r.value, format, index), headers, timestamp: r.timestamp ?? now };
}

/** Approximate encoded size, for splitting a request into batches under max.message.bytes. */
export function estimateSize(r: RecordInput): number {
  let n = 24 + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  for (const h of r.headers ?? []) n += 10 + h.key.length * 3 + (h.value?.byteLength ?? 0);
  return n;
}
