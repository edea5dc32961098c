// Turns batches fetched from a source deployment into batches this log can append, records intact.

import {
  clearProducer,
  decodeRecords,
  encodeBatch,
  lastOffset,
  readBatchHeader,
  TIMESTAMP_TYPE_LOG_APPEND,
} from "../protocol/record-batch.js";
import { committedBatches, type AbortedTxn } from "../protocol/transactions.js";
import { concat } from "../util/bytes.js";

export interface PreparedSlice {
  /** Concatenated batches to append (empty when every fetched record lies below `from`). */
  batches: Uint8Array;
  /** The source offset after the last fetched batch: the mirror's progress once these are appended. */
  next: number;
  records: number;
}

/**
 * A fetched batch is passed on as its own bytes when it can be (the common case: only its producer
 * fields are cleared, since source producer ids mean nothing here). It is re-encoded from its
 * records when the bytes would not say the same thing locally: under LogAppendTime (the local
 * append would take the records' create times instead of the source's append time), when it
 * starts below `from` (whole batches are served; the head was copied already), or when compaction
 * left gaps in its offsets (a local append needs dense ones). Keys, values, headers, timestamps
 * and order are kept either way; source offsets are not (the local log assigns its own).
 *
 * Only committed data is copied: the source is read under read_committed, and `aborted` (its
 * aborted transactions, as the fetch listed them) drops their batches; transaction markers are
 * not copied either (the copy holds no transactions), but the progress moves past both.
 */
export function prepareSourceBatches(
  buf: Uint8Array,
  from: number,
  aborted: readonly AbortedTxn[] = [],
): PreparedSlice {
  const all: Uint8Array[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const h = readBatchHeader(buf, pos);
    all.push(buf.slice(pos, pos + h.size));
    pos += h.size;
  }
  const committed = new Set(committedBatches(all, aborted));
  const out: Uint8Array[] = [];
  let next = from;
  let records = 0;
  for (const batch of all) {
    const h = readBatchHeader(batch);
    const last = lastOffset(h);
    if (last < from) continue;
    next = last + 1;
    if (!committed.has(batch)) continue;
    const dense = h.recordCount === h.lastOffsetDelta + 1;
    if (dense && h.baseOffset >= from && !(h.attributes & TIMESTAMP_TYPE_LOG_APPEND)) {
      clearProducer(batch);
      out.push(batch);
      records += h.recordCount;
      continue;
    }
    const kept = decodeRecords(batch).filter((r) => r.offset >= from);
    if (kept.length === 0) continue;
    out.push(
      encodeBatch(kept.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }))),
    );
    records += kept.length;
  }
  return { batches: concat(out), next, records };
}
