// The aborted-transaction index beside an archived segment (Kafka's per-segment .txnindex): the
// aborted transactions overlapping the segment, so read_committed reads of R2 leave them out.

import type { AbortedRange } from "../log/transactions.js";
import type { Segment } from "../log/segments.js";
import type { AbortedTxn } from "../protocol/transactions.js";
import { EdgelogError } from "../protocol/errors.js";
import { txnIndexKey, type SegmentStore } from "./store.js";

/** Indexes kept in memory per partition object: a segment's index never changes once written. */
const CACHED_INDEXES = 64;
const cache = new Map<string, AbortedRange[]>();

/** Writes the index of a segment being archived; none is written when nothing in it was aborted. */
export async function writeTxnIndex(
  store: SegmentStore,
  seg: Segment,
  aborted: readonly AbortedRange[],
): Promise<void> {
  if (aborted.length === 0) return;
  const body = JSON.stringify(
    aborted.map((a) => ({ producer_id: a.producerId, first_offset: a.firstOffset, last_offset: a.lastOffset })),
  );
  await store.put(txnIndexKey(seg.r2Key!), body, {
    customMetadata: {
      baseOffset: String(seg.baseOffset),
      lastOffset: String(seg.lastOffset),
      format: "edgelog-txnindex-v1",
    },
  });
}

/** The aborted transactions of an archived segment overlapping [from, to]. */
export async function abortedInSegment(
  store: SegmentStore,
  seg: Segment,
  from: number,
  to: number,
): Promise<AbortedTxn[]> {
  if (!seg.abortedTxns || !seg.r2Key) return [];
  const key = txnIndexKey(seg.r2Key);
  let ranges = cache.get(key);
  if (!ranges) {
    let text: string;
    try {
      const obj = await store.get(key);
      if (!obj) throw new Error("the object is missing");
      text = await obj.text();
    } catch (e) {
      throw new EdgelogError(
        "KAFKA_STORAGE_ERROR",
        `the aborted-transaction index of archived segment ${seg.baseOffset}..${seg.lastOffset} could not be read: ${(e as Error).message}`,
      );
    }
    ranges = (JSON.parse(text) as { producer_id: number; first_offset: number; last_offset: number }[]).map((r) => ({
      producerId: r.producer_id,
      firstOffset: r.first_offset,
      lastOffset: r.last_offset,
    }));
    if (cache.size >= CACHED_INDEXES) cache.delete(cache.keys().next().value!);
    cache.set(key, ranges);
  }
  return ranges
    .filter((r) => r.lastOffset >= from && r.firstOffset <= to)
    .map((r) => ({ producerId: r.producerId, firstOffset: r.firstOffset }));
}

/** Merges aborted lists read from several places (a range may straddle a segment boundary). */
export function mergeAborted(...lists: readonly AbortedTxn[][]): AbortedTxn[] {
  const seen = new Map<string, AbortedTxn>();
  for (const list of lists) for (const a of list) seen.set(`${a.producerId}/${a.firstOffset}`, a);
  return [...seen.values()].sort((a, b) => a.firstOffset - b.firstOffset);
}
