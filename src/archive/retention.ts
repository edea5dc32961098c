// Retention: advance the log start offset past whole segments (archived or hot) that are too old
// or beyond the size limit, and remove their R2 objects.

import type { PartitionLog } from "../log/partition-log.js";
import type { TopicConfig } from "../protocol/topic-config.js";
import { txnIndexKey, type SegmentStore } from "./store.js";

/** Units (segments or hot batches) one retention step may remove. */
const MAX_UNITS_PER_STEP = 500;

interface Unit {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  bytes: number;
  /** Set for a segment; a hot batch of the active head has none. */
  segment?: { r2Key: string | null };
}

/** Oldest first: sealed segments, then the active head's batches. */
function* units(log: PartitionLog): Generator<Unit> {
  let next = log.state.logStartOffset;
  for (;;) {
    const seg = log.segments.containing(next);
    if (!seg || seg.state === "uploading") break;
    if (seg.state !== "deleting") yield { ...seg, segment: { r2Key: seg.r2Key } };
    next = seg.lastOffset + 1;
  }
  for (const b of log.hotMeta(next)) yield b;
}

/**
 * Removes R2 objects of segments already past retention (a crash may have interrupted that), then
 * applies retention.ms and retention.bytes. Returns whether it did anything.
 */
export async function retentionStep(
  log: PartitionLog,
  store: SegmentStore,
  config: TopicConfig,
  now: number,
): Promise<boolean> {
  let worked = await finishDeletes(log, store);
  if (!config["cleanup.policy"].includes("delete")) return worked;
  const retentionMs = config["retention.ms"];
  const retentionBytes = config["retention.bytes"];
  if (retentionMs < 0 && retentionBytes < 0) return worked;

  const totals = log.segments.totals();
  // Size retention, like Kafka's, removes a unit only while what remains is still at least
  // retention.bytes, and never touches the active head.
  let excess = retentionBytes < 0 ? -1 : log.state.hotBytes + totals.archivedBytes - retentionBytes;
  let upTo = -1;
  const doomed: Unit[] = [];
  for (const u of units(log)) {
    if (doomed.length >= MAX_UNITS_PER_STEP) break;
    const expired = retentionMs >= 0 && u.maxTimestamp < now - retentionMs;
    const oversize = u.segment !== undefined && excess >= u.bytes;
    if (!expired && !oversize) break;
    excess -= u.bytes;
    doomed.push(u);
    upTo = u.lastOffset + 1;
  }
  if (doomed.length === 0) return worked;
  // Readers stop seeing the data first (one transaction); objects go after, tracked as 'deleting'.
  log.advanceStart(upTo, () => {
    for (const u of doomed) {
      if (u.segment?.r2Key) log.segments.setState(u.baseOffset, "deleting");
      else if (u.segment) log.segments.delete(u.baseOffset);
    }
  });
  await finishDeletes(log, store);
  return true;
}

/**
 * Kafka's DeleteRecords: the log starts at `offset` from now on (reads below it are out of range);
 * segments wholly below it go as retention's do. Returns the new log start offset.
 */
export async function deleteRecordsBefore(log: PartitionLog, store: SegmentStore, offset: number): Promise<number> {
  if (offset <= log.state.logStartOffset) return log.state.logStartOffset;
  const doomed: Unit[] = [];
  for (const u of units(log)) {
    if (u.lastOffset >= offset || !u.segment) break;
    doomed.push(u);
  }
  log.advanceStart(offset, () => {
    for (const u of doomed) {
      if (u.segment?.r2Key) log.segments.setState(u.baseOffset, "deleting");
      else log.segments.delete(u.baseOffset);
    }
  });
  await finishDeletes(log, store);
  return log.state.logStartOffset;
}

async function finishDeletes(log: PartitionLog, store: SegmentStore): Promise<boolean> {
  const gone = log.segments.inState("deleting").slice(0, MAX_UNITS_PER_STEP);
  if (gone.length === 0) return false;
  await store.delete(gone.flatMap((s) => (s.abortedTxns ? [s.r2Key!, txnIndexKey(s.r2Key!)] : [s.r2Key!])));
  log.transaction(() => gone.forEach((s) => log.segments.delete(s.baseOffset)));
  return true;
}
