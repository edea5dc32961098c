// Reads across tiers: archived segments by R2 range requests guided by the sparse index, then SQLite.

import type { PartitionLog, ReadOptions } from "../log/partition-log.js";
import type { Segment } from "../log/segments.js";
import { EdgelogError } from "../protocol/errors.js";
import { crcMatches, decodeRecords, lastOffset, readBatchHeader } from "../protocol/record-batch.js";
import type { AbortedTxn } from "../protocol/transactions.js";
import type { SegmentStore } from "./store.js";
import { abortedInSegment, mergeAborted } from "./txn-index.js";
import type { OffsetAtTime, ReadResult } from "../contracts/partition.js";

/** Archived segments one fetch may touch, so a fetch costs a bounded number of R2 requests. */
const MAX_SEGMENTS_PER_READ = 4;

/**
 * Reads whole batches from `offset`, as PartitionLog.read does, wherever they live. A fetch that
 * starts in R2 continues into the next segment or the hot log while under its limits.
 */
export async function readTiered(
  log: PartitionLog,
  store: SegmentStore,
  offset: number,
  opts: ReadOptions,
): Promise<ReadResult> {
  const archived = archivedAt(log, offset);
  if (!archived) return log.read(offset, opts);
  const { logStartOffset, highWatermark } = log.state;
  const lastStableOffset = log.lastStableOffset;
  const committed = opts.isolation === "read_committed";
  const result: ReadResult = { batches: [], highWatermark, logStartOffset, lastStableOffset, rowsRead: 0 };
  // Segments are sealed only below the LSO, so archived data is always stable; read_committed
  // only needs each segment's aborted transactions from where the read entered it.
  const visited: { seg: Segment; from: number }[] = [];
  let hotAborted: AbortedTxn[] = [];
  const done = (next: number) => (committed ? withAborted(store, result, visited, hotAborted, next) : result);
  let at = offset;
  let bytes = 0;
  let records = 0;
  let seg: Segment | null = archived;
  for (let n = 0; seg && n < MAX_SEGMENTS_PER_READ; n++) {
    let part: SegmentPart;
    try {
      part = await readSegment(log, store, seg, at, {
        maxBytes: opts.maxBytes - bytes,
        maxRecords: opts.maxRecords - records,
      });
    } catch (e) {
      // Damage past the first requested batch ends the reply early; the consumer meets the error
      // only when it asks for the damaged offsets, so the readable ones before them are never stuck.
      if (result.batches.length > 0 && isStorageError(e)) return done(at);
      throw e;
    }
    for (const b of part.batches) result.batches.push(b);
    bytes += part.bytes;
    records += part.records;
    if (part.batches.length > 0) visited.push({ seg, from: at });
    at = part.next;
    // Stopping inside the segment means the limits (or the estimate behind the range) were met.
    if (bytes >= opts.maxBytes || records >= opts.maxRecords || at <= seg.lastOffset) return done(at);
    seg = archivedAt(log, at);
  }
  if (seg || at >= (committed ? lastStableOffset : log.state.highWatermark)) return done(at);
  try {
    const hot = log.read(at, {
      maxBytes: opts.maxBytes - bytes,
      maxRecords: opts.maxRecords - records,
      isolation: opts.isolation,
    });
    result.batches.push(...hot.batches);
    result.rowsRead += hot.rowsRead;
    hotAborted = hot.aborted ?? [];
    const last = hot.batches.at(-1);
    if (last) at = lastOffset(readBatchHeader(last)) + 1;
  } catch (e) {
    // Retention moved the log start past `at` while R2 answered: return what was read.
    if (!(e instanceof EdgelogError && e.code === "OFFSET_OUT_OF_RANGE")) throw e;
  }
  return done(at);
}

/** Attaches the aborted transactions a read_committed read went over: the segments' indexes and the hot log's. */
async function withAborted(
  store: SegmentStore,
  result: ReadResult,
  visited: readonly { seg: Segment; from: number }[],
  hot: AbortedTxn[],
  end: number,
): Promise<ReadResult> {
  const archived = await Promise.all(visited.map((v) => abortedInSegment(store, v.seg, v.from, v.seg.lastOffset)));
  result.aborted = mergeAborted(...archived, hot).filter((a) => a.firstOffset < end);
  return result;
}

/** The archived segment holding `offset`, after checking the offset is inside the log. */
function archivedAt(log: PartitionLog, offset: number): Segment | null {
  const { logStartOffset, highWatermark } = log.state;
  if (offset < logStartOffset || offset > highWatermark) return null; // log.read reports it
  const seg = log.segments.containing(offset);
  return seg?.state === "archived" ? seg : null;
}

interface SegmentPart {
  batches: Uint8Array[];
  bytes: number;
  records: number;
  /** The offset after the last batch returned. */
  next: number;
}

async function readSegment(
  log: PartitionLog,
  store: SegmentStore,
  seg: Segment,
  offset: number,
  opts: ReadOptions,
): Promise<SegmentPart> {
  const index = log.segments;
  const start = index.indexFloor(seg.baseOffset, offset) ?? {
    offset: seg.baseOffset,
    position: 0,
    timeIndex: seg.timeIndex,
  };
  // Read the chunk holding `offset` plus about as many bytes as the caller can take (estimated
  // from the segment's mean record size when maxRecords is the tighter limit), ending on an
  // index entry so the range holds whole batches.
  const chunkEnd = index.indexAtOrAfter(seg.baseOffset, start.position + 1)?.position ?? seg.bytes;
  const perRecord = seg.bytes / Math.max(seg.recordCount, 1);
  const want = Math.max(1, Math.min(opts.maxBytes, Math.ceil(opts.maxRecords * perRecord * 1.25)));
  const end = index.indexAtOrAfter(seg.baseOffset, chunkEnd + want)?.position ?? seg.bytes;
  const buf = await fetchRange(log, store, seg, offset, start.position, end - start.position);

  const part: SegmentPart = { batches: [], bytes: 0, records: 0, next: offset };
  let pos = 0;
  let expected = start.offset;
  while (pos < buf.length) {
    let h;
    try {
      h = checkedHeader(store, buf, pos, seg, expected);
    } catch (e) {
      if (part.batches.length > 0) return part; // as in readTiered: the damage is reported from its own offset
      throw e;
    }
    pos += h.size;
    expected = lastOffset(h) + 1;
    if (expected <= offset) continue;
    part.batches.push(buf.slice(pos - h.size, pos));
    part.bytes += h.size;
    part.records += lastOffset(h) - Math.max(h.baseOffset, offset) + 1;
    part.next = expected;
    if (part.bytes >= opts.maxBytes || part.records >= opts.maxRecords) break;
  }
  return part;
}

async function fetchRange(
  log: PartitionLog,
  store: SegmentStore,
  seg: Segment,
  offset: number,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const key = seg.r2Key!;
  // Cached bytes are checked (framing, CRC-32C, offsets) on every read as R2's are; damage drops them.
  const cached = store.ranges?.get(key, position, length);
  if (cached) return cached;
  let buf: Uint8Array;
  try {
    const obj = await store.get(key, { range: { offset: position, length } });
    if (!obj) {
      // A segment retention removed while this read waited is an out-of-range offset, not damage.
      log.checkOffset(offset);
      throw storageError(seg, `is missing from R2 (${seg.r2Key})`);
    }
    buf = new Uint8Array(await obj.arrayBuffer());
  } catch (e) {
    if (e instanceof EdgelogError) throw e;
    // R2 refuses a range past a truncated object's end (and can fail mid-body): damage or an outage,
    // retriable either way, never a 500.
    throw storageError(seg, `could not be read at ${position}+${length}: ${(e as Error).message}`);
  }
  if (buf.length !== length) throw storageError(seg, `returned ${buf.length} bytes at ${position}, expected ${length}`);
  store.ranges?.put(key, position, buf);
  return buf;
}

function isStorageError(e: unknown): boolean {
  return e instanceof EdgelogError && e.code === "KAFKA_STORAGE_ERROR";
}

/**
 * Parses and verifies one archived batch: framing, CRC-32C, and the offset the index promised.
 * Damage drops the object's cached ranges, so a repaired object is read afresh.
 */
function checkedHeader(store: SegmentStore, buf: Uint8Array, pos: number, seg: Segment, expected: number) {
  const damaged = (what: string) => {
    store.ranges?.drop([seg.r2Key!]);
    return storageError(seg, what);
  };
  let h;
  try {
    h = readBatchHeader(buf, pos);
  } catch (e) {
    throw damaged(`has a damaged batch header at +${pos}: ${(e as Error).message}`);
  }
  if (!crcMatches(buf, h, pos)) throw damaged(`has a batch at offset ${h.baseOffset} that fails its CRC-32C check`);
  if (h.baseOffset !== expected) throw damaged(`holds offset ${h.baseOffset} where ${expected} was expected`);
  return h;
}

function storageError(seg: Segment, what: string): EdgelogError {
  return new EdgelogError(
    "KAFKA_STORAGE_ERROR",
    `archived segment ${seg.baseOffset}..${seg.lastOffset} ${what}; other offsets are unaffected`,
    { segment_base_offset: seg.baseOffset, segment_last_offset: seg.lastOffset },
  );
}

/** Kafka's ListOffsets by time across tiers: archived segments first (they are older), then SQLite. */
export async function offsetForTimeTiered(log: PartitionLog, store: SegmentStore, ts: number): Promise<OffsetAtTime> {
  const seg = log.segments.firstArchivedAtTime(ts);
  if (seg) {
    const entry = log.segments.indexAtTime(seg.baseOffset, ts) ?? {
      offset: seg.baseOffset,
      position: 0,
      timeIndex: seg.timeIndex,
    };
    const end = log.segments.indexAtOrAfter(seg.baseOffset, entry.position + 1)?.position ?? seg.bytes;
    const buf = await fetchRange(log, store, seg, entry.offset, entry.position, end - entry.position);
    let pos = 0;
    let expected = entry.offset;
    while (pos < buf.length) {
      const h = checkedHeader(store, buf, pos, seg, expected);
      for (const r of decodeRecords(buf, pos)) {
        if (r.timestamp >= ts && r.offset >= log.state.logStartOffset)
          return { offset: r.offset, timestamp: r.timestamp };
      }
      pos += h.size;
      expected = lastOffset(h) + 1;
    }
  }
  return log.offsetForTime(ts);
}
