// Planning fetch replies, once the partitions have answered: the read bounds a request implies,
// where the next read starts, and the multi-partition reply with its soft byte budget. Pure: no objects.

import type { MultiFetchReply } from "../protocol/api.js";
import { FETCH_DEFAULT_MAX_BYTES, FETCH_DEFAULT_MAX_RECORDS, FETCH_MAX_RECORDS_CAP } from "../protocol/constants.js";
import type { ValueFormat } from "../protocol/constants.js";
import { errorBody } from "../protocol/error-reply.js";
import type { EdgelogError } from "../protocol/errors.js";
import { batchEnd, renderRecords, type ValueDecoder } from "../protocol/fetched.js";
import { encodeMultiFetch, type MultiFetchEntry } from "../protocol/multi-fetch-frame.js";
import { committedBatches, type AbortedTxn } from "../protocol/transactions.js";
import { toBase64 } from "../util/base64.js";
import { concat } from "../util/bytes.js";

/** What a partition's read answered (the partition's ReadResult has more). */
export interface ReadOutcome {
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
  /** read_committed: the aborted transactions over `batches`. */
  aborted?: AbortedTxn[];
}

/** A partition a multi-fetch asked for. */
export interface WantedPartition {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * A read's bounds: what was asked, else the defaults. Raw batch replies hand back whole batches,
 * so their record count is bounded only by bytes (the cap), JSON replies by the documented default.
 */
export function readLimits(raw: boolean, asked: { max_records?: number; max_bytes?: number }) {
  return {
    maxRecords: asked.max_records ?? (raw ? FETCH_MAX_RECORDS_CAP : FETCH_DEFAULT_MAX_RECORDS),
    maxBytes: asked.max_bytes ?? FETCH_DEFAULT_MAX_BYTES,
  };
}

/** Where the next raw read starts: after the last whole batch returned, else where this one asked. */
export function nextRawOffset(batches: Uint8Array[], asked: number): number {
  const last = batches.at(-1);
  return last ? batchEnd(last) : asked;
}

export function batchBytes(batches: Uint8Array[]): number {
  return batches.reduce((n, b) => n + b.byteLength, 0);
}

type Outcome = { ok: true; read: ReadOutcome } | { ok: false; error: EdgelogError };

/**
 * The raw batches a read_committed reader gets: the aborted transactions' batches left out,
 * markers kept (Kafka's wire form). Unfiltered under read_uncommitted (`aborted` undefined).
 */
export function rawBatches(batches: Uint8Array[], aborted: AbortedTxn[] | undefined): Uint8Array[] {
  return aborted ? committedBatches(batches, aborted, { keepControl: true }) : batches;
}

/**
 * POST /v1/fetch's partitions, in request order: each its records (or raw batches, or values
 * `decode`d for decode=registry), or its own error. Under read_committed (`committed`) JSON records
 * leave out aborted transactions, and raw batches come unfiltered with the aborted transactions
 * listed beside them, as Kafka's Fetch response has them. `maxBytes` is a soft cap across partitions, as Kafka's fetch.max.bytes: once spent, later
 * partitions answer empty (their offsets unchanged), and the first partition with data is never cut.
 */
export function multiFetchReply(
  wanted: WantedPartition[],
  outcomes: Outcome[],
  format: ValueFormat | "batches",
  maxRecords: number,
  maxBytes?: number,
  decode?: ValueDecoder,
  committed = false,
): MultiFetchReply["partitions"] {
  return withinBudget(wanted, outcomes, maxBytes, committed, (t, batches, offsets, aborted) => {
    if (format === "batches") {
      const next = nextRawOffset(batches, t.offset);
      return {
        topic: t.topic,
        partition: t.partition,
        batches_b64: toBase64(concat(batches)),
        ...abortedBefore(aborted, next),
        next_offset: next,
        ...offsets,
      };
    }
    const { records, nextOffset } = renderRecords(batches, t.offset, maxRecords, format, decode, aborted);
    return { topic: t.topic, partition: t.partition, records, next_offset: nextOffset, ...offsets };
  });
}

/**
 * The same reply with raw batches, framed as protocol/multi-fetch-frame.ts says (same budget rule);
 * under read_committed the batches come unfiltered with the aborted transactions in the header.
 */
export function multiFetchBinary(
  wanted: WantedPartition[],
  outcomes: Outcome[],
  maxBytes?: number,
  committed = false,
): Uint8Array {
  const parts: Uint8Array[][] = [];
  const partitions = withinBudget(wanted, outcomes, maxBytes, committed, (t, batches, offsets, aborted) => {
    parts.push(batches);
    const next = nextRawOffset(batches, t.offset);
    return {
      topic: t.topic,
      partition: t.partition,
      batches_bytes: batchBytes(batches),
      ...abortedBefore(aborted, next),
      next_offset: next,
      ...offsets,
    };
  });
  return encodeMultiFetch(partitions, parts);
}

/** Kafka's AbortedTransactions of a raw reply: those that start before its end; none under read_uncommitted. */
function abortedBefore(aborted: AbortedTxn[] | undefined, next: number) {
  if (!aborted) return {};
  return {
    aborted_transactions: aborted
      .filter((a) => a.firstOffset < next)
      .map((a) => ({ producer_id: String(a.producerId), first_offset: a.firstOffset })),
  };
}

function withinBudget(
  wanted: WantedPartition[],
  outcomes: Outcome[],
  maxBytes: number | undefined,
  committed: boolean,
  entry: (
    t: WantedPartition,
    batches: Uint8Array[],
    offsets: { high_watermark: number; log_start_offset: number; last_stable_offset: number },
    aborted: AbortedTxn[] | undefined,
  ) => MultiFetchEntry,
): MultiFetchEntry[] {
  let budget = maxBytes ?? Number.POSITIVE_INFINITY;
  return outcomes.map((o, i) => {
    const t = wanted[i]!;
    if (!o.ok) return { topic: t.topic, partition: t.partition, ...errorBody(o.error) };
    const batches = budget > 0 ? o.read.batches : [];
    for (const b of batches) budget -= b.byteLength;
    const offsets = {
      high_watermark: o.read.highWatermark,
      log_start_offset: o.read.logStartOffset,
      last_stable_offset: o.read.lastStableOffset,
    };
    return entry(t, batches, offsets, committed ? (o.read.aborted ?? []) : undefined);
  });
}
