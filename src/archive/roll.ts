// Rolling: seal the oldest hot batches into a segment and upload it to R2 as one object.

import type { PartitionLog } from "../log/partition-log.js";
import type { IndexEntry, Segment } from "../log/segments.js";
import type { TopicConfig } from "../protocol/topic-config.js";
import type { TopicRef } from "../protocol/topic.js";
import { segmentKey, type SegmentStore } from "./store.js";
import { writeTxnIndex } from "./txn-index.js";

/**
 * Sparse index spacing: a ranged read fetches at most about this much before the wanted batch.
 * Scaled to the segment (about 64 entries, 4,096 for 1 GiB segments) so the index stays small.
 */
export function indexInterval(segmentBytes: number): number {
  return Math.min(256 * 1024, Math.max(1, Math.floor(segmentBytes / 64)));
}
/** Hot rows read from SQLite per step of an upload (bounds memory, not the object's size). */
const UPLOAD_ROWS_PER_STEP = 256;

export function isCompacted(config: TopicConfig): boolean {
  return config["cleanup.policy"] !== "delete";
}

/** The first offset not yet in a sealed segment (the start of the active head). */
export function unsealedStart(log: PartitionLog): number {
  const newest = log.segments.newest();
  return Math.max(newest ? newest.lastOffset + 1 : 0, log.state.logStartOffset);
}

/** Bytes in the active head: hot bytes minus those already sealed (in place, or mid-upload). */
export function unsealedBytes(log: PartitionLog): number {
  return log.state.hotBytes - log.segments.totals().sealedHotBytes;
}

/**
 * The next segment to seal: the oldest unsealed batches up to segment.bytes (at least one batch),
 * once the head has passed segment.bytes or its first batch is older than segment.ms. Only batches
 * below the last stable offset are sealed (as Kafka's tiered storage copies only segments below
 * it): a sealed segment never holds an open transaction, so its aborted-transaction index is
 * complete, and compaction (which touches sealed segments only) never cleans above the LSO.
 */
export function planSegment(log: PartitionLog, ref: TopicRef, now: number): Segment | null {
  const limit = ref.config["segment.bytes"];
  const bySize = unsealedBytes(log) >= limit;
  const seg: Segment = {
    baseOffset: -1,
    lastOffset: -1,
    maxTimestamp: -1,
    timeIndex: -1,
    bytes: 0,
    batchCount: 0,
    recordCount: 0,
    r2Key: null,
    state: "sealed",
    sealedAt: now,
  };
  for (const b of log.hotMeta(unsealedStart(log), log.lastStableOffset - 1)) {
    if (seg.batchCount === 0) {
      if (!bySize && b.maxTimestamp + ref.config["segment.ms"] > now) return null;
      seg.baseOffset = b.baseOffset;
    } else if (seg.bytes + b.bytes > limit) {
      break;
    }
    seg.lastOffset = b.lastOffset;
    seg.maxTimestamp = Math.max(seg.maxTimestamp, b.maxTimestamp);
    seg.timeIndex = b.timeIndex;
    seg.bytes += b.bytes;
    seg.batchCount++;
    seg.recordCount += b.records;
  }
  if (seg.batchCount === 0) return null;
  if (!isCompacted(ref.config)) {
    seg.r2Key = segmentKey(ref.id, ref.partition, seg.baseOffset, log.state.leaderEpoch);
    seg.state = "uploading";
  }
  return seg;
}

/**
 * One roll step. An 'uploading' row left by an interrupted roll is redone first: its batches are
 * still in SQLite and the key is fixed by the base offset and the leader epoch it was rolled in,
 * so re-uploading overwrites any partial or complete earlier attempt of this leader's. Returns whether it did anything.
 */
export async function rollStep(log: PartitionLog, store: SegmentStore, ref: TopicRef, now: number): Promise<boolean> {
  const pending = log.segments.inState("uploading")[0];
  if (pending) {
    await upload(log, store, pending, indexInterval(ref.config["segment.bytes"]));
    return true;
  }
  const seg = planSegment(log, ref, now);
  if (!seg) return false;
  // Recorded before the upload, so a crash after it leaves a row naming the object to redo.
  log.segments.insert(seg);
  if (seg.state === "uploading") await upload(log, store, seg, indexInterval(ref.config["segment.bytes"]));
  return true;
}

/** Streams the segment's hot rows to R2 as concatenated batches, then swaps tiers in one transaction. */
async function upload(log: PartitionLog, store: SegmentStore, seg: Segment, interval: number): Promise<void> {
  const { readable, writable } = new FixedLengthStream(seg.bytes);
  const put = store.put(seg.r2Key!, readable, {
    customMetadata: {
      baseOffset: String(seg.baseOffset),
      lastOffset: String(seg.lastOffset),
      format: "kafka-record-batch-v2",
    },
  });
  const writer = writable.getWriter();
  const index: IndexEntry[] = [];
  try {
    let position = 0;
    let from = seg.baseOffset;
    while (from <= seg.lastOffset) {
      const rows = log.hotBatches(from, seg.lastOffset, UPLOAD_ROWS_PER_STEP);
      if (rows.length === 0) break;
      for (const b of rows) {
        const last = index.at(-1);
        if (!last || position - last.position >= interval) {
          index.push({ offset: b.baseOffset, position, timeIndex: b.timeIndex });
        } else {
          last.timeIndex = b.timeIndex;
        }
        await writer.write(b.data);
        position += b.bytes;
      }
      from = rows.at(-1)!.lastOffset + 1;
    }
    if (position !== seg.bytes)
      throw new Error(`segment ${seg.baseOffset}: hot rows hold ${position} bytes, expected ${seg.bytes}`);
    await writer.close();
  } catch (e) {
    await writer.abort(e).catch(() => {});
    await put.catch(() => {});
    throw e;
  }
  await put;
  // read_committed reads of the archived range need its aborted transactions: written beside it
  // before the segment becomes the copy readers use.
  const aborted = log.txns.aborted(seg.baseOffset, seg.lastOffset);
  await writeTxnIndex(store, seg, aborted);
  log.commitArchived(seg, index, aborted.length);
}
