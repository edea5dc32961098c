// Planning fetch replies, once the partitions have answered: the read bounds a request implies,
// where the next read starts, and the multi-partition reply with its soft byte budget. Pure: no objects.

import type { MultiFetchReply } from "../protocol/api.js";
import { FETCH_DEFAULT_MAX_BYTES, FETCH_DEFAULT_MAX_RECORDS, FETCH_MAX_RECORDS_CAP } from "../protocol/constants.js";
import type { ValueFormat } from "../protocol/constants.js";
import { errorBody } from "../protocol/error-reply.js";
import type { EdgelogError } from "../protocol/errors.js";
import { batchEnd, renderRecords, type ValueDecoder } from "../protocol/fetched.js";
import { encodeMultiFetch, type MultiFetchEntry } from "../protocol/multi-fetch-frame.js";
import { toBase64 } from "../util/base64.js";
import { concat } from "../util/bytes.js";

/** What a partition's read answered (the partition's ReadResult has more). */
export interface ReadOutcome {
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
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
 * POST /v1/fetch's partitions, in request order: each its records (or raw batches, or values
 * `decode`d for decode=registry), or its own error. `maxBytes` is a soft cap across partitions, as Kafka's fetch.max.bytes: once spent, later
 * partitions answer empty (their offsets unchanged), and the first partition with data is never cut.
 */
export function multiFetchReply(
  wanted: WantedPartition[],
  outcomes: Outcome[],
  format: ValueFormat | "batches",
  maxRecords: number,
  maxBytes?: number,
  decode?: ValueDecoder,
): MultiFetchReply["partitions"] {
  return withinBudget(wanted, outcomes, maxBytes, (t, batches, offsets) => {
    if (format === "batches") {
      return {
        topic: t.topic,
        partition: t.partition,
        batches_b64: toBase64(concat(batches)),
        next_offset: nextRawOffset(batches, t.offset),
        ...offsets,
      };
    }
    const { records, nextOffset } = renderRecords(batches, t.offset, maxRecords, format, decode);
    return { topic: t.topic, partition: t.partition, records, next_offset: nextOffset, ...offsets };
  });
}

/** The same reply with raw batches, framed as protocol/multi-fetch-frame.ts says (same budget rule). */
export function multiFetchBinary(wanted: WantedPartition[], outcomes: Outcome[], maxBytes?: number): Uint8Array {
  const parts: Uint8Array[][] = [];
  const partitions = withinBudget(wanted, outcomes, maxBytes, (t, batches, offsets) => {
    parts.push(batches);
    return {
      topic: t.topic,
      partition: t.partition,
      batches_bytes: batchBytes(batches),
      next_offset: nextRawOffset(batches, t.offset),
      ...offsets,
    };
  });
  return encodeMultiFetch(partitions, parts);
}

function withinBudget(
  wanted: WantedPartition[],
  outcomes: Outcome[],
  maxBytes: number | undefined,
  entry: (
    t: WantedPartition,
    batches: Uint8Array[],
    offsets: { high_watermark: number; log_start_offset: number },
  ) => MultiFetchEntry,
): MultiFetchEntry[] {
  let budget = maxBytes ?? Number.POSITIVE_INFINITY;
  return outcomes.map((o, i) => {
    const t = wanted[i]!;
    if (!o.ok) return { topic: t.topic, partition: t.partition, ...errorBody(o.error) };
    const batches = budget > 0 ? o.read.batches : [];
    for (const b of batches) budget -= b.byteLength;
    return entry(t, batches, { high_watermark: o.read.highWatermark, log_start_offset: o.read.logStartOffset });
  });
}
