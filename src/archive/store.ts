// Where sealed segments go: the slice of an R2 bucket the archive uses, the object keys, and the
// wrapper that keeps the partition object's range cache (range-cache.ts) true to what R2 holds.

import type { RangeCache } from "./range-cache.js";

/**
 * The R2 operations the archive needs. The R2 binding satisfies it; wrappers (metrics, or a
 * fault injector in tests) implement the same interface.
 */
export type SegmentStore = Pick<R2Bucket, "put" | "get" | "delete" | "list"> & {
  /** Ranges already read, checked before R2 is asked (range-cache.ts); absent: every read goes to R2. */
  ranges?: RangeCache;
};

/** All of a partition's archived objects share this prefix, so a deleted topic is removed by listing it. */
export function partitionPrefix(topicId: string, partition: number): string {
  return `topics/${topicId}/${partition}/`;
}

/**
 * Zero-padded so a listing returns segments in offset order. A segment rolled in a later leader
 * epoch names it: every copy reads the objects its leaders wrote, and a deposed leader finishing an
 * interrupted upload must never overwrite what the new leader rolled from the same offset.
 */
export function segmentKey(topicId: string, partition: number, baseOffset: number, leaderEpoch = 0): string {
  const epoch = leaderEpoch > 0 ? `-e${leaderEpoch}` : "";
  return `${partitionPrefix(topicId, partition)}${String(baseOffset).padStart(20, "0")}${epoch}.log`;
}

/** The aborted-transaction index object beside a segment (archive/txn-index.ts). */
export function txnIndexKey(segmentKey: string): string {
  return segmentKey.replace(/\.log$/, ".txnindex");
}

/** R2 deletes take at most this many keys per call. */
const DELETE_BATCH = 1000;

/** Deletes up to one listing page under `prefix`; returns true when more may remain. */
export async function deletePrefixPage(store: SegmentStore, prefix: string): Promise<boolean> {
  const page = await store.list({ prefix, limit: DELETE_BATCH });
  if (page.objects.length > 0) await store.delete(page.objects.map((o) => o.key));
  return page.truncated;
}

/**
 * `store` with `cache` beside it: every put or delete through it drops the object's cached ranges,
 * so retention, delete-records and topic cleanup never leave bytes of a removed object behind.
 * Reads consult the cache themselves (archive/read.ts), after checking what they read.
 */
export function cachingStore(store: SegmentStore, cache: RangeCache): SegmentStore {
  return {
    ranges: cache,
    get: store.get.bind(store) as SegmentStore["get"],
    list: store.list.bind(store),
    // Dropped before and after: a read that was waiting on R2 meanwhile may have cached the old bytes.
    put: (async (key: string, ...rest: unknown[]) => {
      cache.drop([key]);
      try {
        return await (store.put as (...a: unknown[]) => ReturnType<SegmentStore["put"]>)(key, ...rest);
      } finally {
        cache.drop([key]);
      }
    }) as SegmentStore["put"],
    delete: async (keys: string | string[]) => {
      const list = typeof keys === "string" ? [keys] : keys;
      cache.drop(list);
      try {
        await store.delete(keys);
      } finally {
        cache.drop(list);
      }
    },
  };
}
