// The target side of a mirror: a partition appends a mirrored slice and records the mirror's
// progress in the same SQLite transaction, so a copy is exactly-once across crashes and restarts.

import type { AppendOptions, PartitionLog } from "../log/partition-log.js";
import { EdgelogError } from "../protocol/errors.js";
import type { MirroredAppend, MirrorSlice } from "../contracts/partition.js";
import { mirrorProgressKey, type PartitionKv } from "./keys.js";

// The progress lives in the partition's SQLite-backed kv, which commits with the log's SQL.

export function readProgress(kv: PartitionKv, mirror: string): number | null {
  return kv.get(mirrorProgressKey(mirror)) ?? null;
}

/**
 * Appends `batches` (possibly none: a slice may only move the progress, past records the source's
 * retention removed) if the stored progress is `from`. A mirror's first slice may start anywhere
 * (the source's log start). Refused with MIRROR_OFFSET_MISMATCH otherwise, writing nothing: the
 * caller was working from a stale position, and appending would duplicate or skip records.
 */
export function appendWithProgress(
  kv: PartitionKv,
  log: PartitionLog,
  batches: Uint8Array,
  opts: AppendOptions,
  slice: MirrorSlice,
): MirroredAppend {
  if (
    !Number.isSafeInteger(slice.from) ||
    !Number.isSafeInteger(slice.next) ||
    slice.from < 0 ||
    slice.next < slice.from
  ) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `a mirrored slice needs 0 <= from <= next, got from ${slice.from}, next ${slice.next}`,
    );
  }
  if (batches.length > 0 && slice.next === slice.from) {
    throw new EdgelogError("INVALID_REQUEST", "a mirrored slice with records must move the progress forward");
  }
  return log.transaction(() => {
    const stored = readProgress(kv, slice.mirror);
    if (stored !== null && stored !== slice.from) {
      throw new EdgelogError(
        "MIRROR_OFFSET_MISMATCH",
        `mirror ${slice.mirror} has copied up to source offset ${stored}; a slice from ${slice.from} would ${slice.from < stored ? "duplicate" : "skip"} records`,
        { mirror_offset: stored },
      );
    }
    const appended = batches.length > 0 ? log.append(batches, opts) : [];
    kv.put(mirrorProgressKey(slice.mirror), slice.next);
    return { progress: slice.next, batches: appended };
  });
}
