// Record batches -> JSON records in the three value formats: what fetch replies, live frames
// and the SDK's raw-batch decoding all render.

import type { FetchedRecord } from "./api.js";
import type { ValueFormat } from "./constants.js";
import { decodeRecords, isControlBatch, readBatchHeader, type BatchRecord, type RecordHeader } from "./record-batch.js";
import { committedBatches, type AbortedTxn } from "./transactions.js";
import { toBase64 } from "../util/base64.js";
import { decodeUtf8 } from "../util/utf8.js";

/** The offset after a whole batch. */
export function batchEnd(batch: Uint8Array): number {
  const h = readBatchHeader(batch);
  return h.baseOffset + h.lastOffsetDelta + 1;
}

/**
 * Turns a registry-framed value into JSON with its schema (`decode=registry`); undefined leaves
 * the value to the format (not framed, or a schema it cannot use).
 */
export type ValueDecoder = (value: Uint8Array) => { id: number; value: unknown } | undefined;

/**
 * Decodes whole batches into JSON records at or after `offset`, at most `maxRecords` of them.
 * Transaction markers are never records; with `aborted` (a read_committed read's aborted
 * transactions) the records of those transactions are left out too. Either way `nextOffset` moves
 * past what was left out.
 */
export function renderRecords(
  batches: Uint8Array[],
  offset: number,
  maxRecords: number,
  format: ValueFormat,
  decode?: ValueDecoder,
  aborted?: readonly AbortedTxn[],
): { records: FetchedRecord[]; nextOffset: number } {
  const records: FetchedRecord[] = [];
  let next = offset;
  const shown = aborted ? new Set(committedBatches(batches, aborted)) : undefined;
  for (const batch of batches) {
    if (shown ? !shown.has(batch) : isControlBatch(batch)) {
      next = Math.max(next, batchEnd(batch));
      continue;
    }
    for (const r of decodeRecords(batch)) {
      if (r.offset < offset) continue;
      if (records.length >= maxRecords) return { records, nextOffset: next };
      records.push(toFetchedRecord(r, format, decode));
      next = r.offset + 1;
    }
    // A batch read to its end moves past any offsets compaction removed from its tail.
    next = Math.max(next, batchEnd(batch));
  }
  return { records, nextOffset: next };
}

export function toFetchedRecord(r: BatchRecord, format: ValueFormat, decode?: ValueDecoder): FetchedRecord {
  const out: FetchedRecord = { offset: r.offset, timestamp: r.timestamp };
  if (r.key === null) out.key = null;
  else {
    const text = decodeUtf8(r.key);
    if (text === null) out.key_b64 = toBase64(r.key);
    else out.key = text;
  }
  const decoded = r.value && decode?.(r.value);
  if (decoded) {
    out.value = decoded.value;
    out.value_schema_id = decoded.id;
  } else writeValue(out, r.value, format);
  if (r.headers.length > 0) writeHeaders(out, r.headers);
  return out;
}

/** Values come back in the asked format; anything that format cannot carry losslessly goes to value_b64. */
function writeValue(out: FetchedRecord, value: Uint8Array | null, format: ValueFormat): void {
  if (value === null) {
    out.value = null;
    return;
  }
  if (format === "binary") {
    out.value = toBase64(value);
    return;
  }
  const text = decodeUtf8(value);
  if (text === null) {
    out.value_b64 = toBase64(value);
    return;
  }
  if (format === "string") {
    out.value = text;
    return;
  }
  try {
    out.value = JSON.parse(text);
  } catch {
    out.value_b64 = toBase64(value);
  }
}

function writeHeaders(out: FetchedRecord, headers: RecordHeader[]): void {
  const text: Record<string, string | null> = {};
  for (const h of headers) {
    if (h.value === null) {
      text[h.key] = null;
      continue;
    }
    const v = decodeUtf8(h.value);
    if (v === null) {
      // One binary header value moves the record's headers to base64 so none is mangled.
      const b64: Record<string, string | null> = {};
      for (const x of headers) b64[x.key] = x.value === null ? null : toBase64(x.value);
      out.headers_b64 = b64;
      return;
    }
    text[h.key] = v;
  }
  out.headers = text;
}
