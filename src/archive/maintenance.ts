// The partition's background work, one bounded slice per alarm: roll, retention, compaction.

import type { PartitionLog } from "../log/partition-log.js";
import type { TopicRef } from "../protocol/topic.js";
import type { Compactor } from "./compaction.js";
import { retentionStep } from "./retention.js";
import { isCompacted, rollStep, unsealedStart } from "./roll.js";
import type { SegmentStore } from "./store.js";

/**
 * Runs one slice of each job. Returns when the alarm should fire next: `now` while work remains,
 * the nearest roll/retention/tombstone deadline otherwise, or null when nothing is ever due.
 */
export async function maintain(
  log: PartitionLog,
  store: SegmentStore,
  ref: TopicRef,
  now: number,
  compactor: Compactor,
): Promise<number | null> {
  const config = ref.config;
  let worked = await rollStep(log, store, ref, now);
  worked = (await retentionStep(log, store, config, now)) || worked;
  if (isCompacted(config)) worked = compactor.step(config["delete.retention.ms"], now) || worked;
  if (worked) return now;

  const deadlines: number[] = [];
  // Only the stable head can be sealed: a head waiting on an open transaction has no deadline of
  // its own (the marker that ends it reschedules the alarm).
  const head = log.hotMeta(unsealedStart(log), log.lastStableOffset - 1).next();
  if (!head.done) deadlines.push(head.value.maxTimestamp + config["segment.ms"]);
  if (config["cleanup.policy"].includes("delete") && config["retention.ms"] >= 0) {
    const oldest = log.segments.oldest();
    const first =
      oldest?.state === "archived" || oldest?.state === "sealed"
        ? oldest
        : log.hotMeta(log.state.logStartOffset).next().value;
    if (first) deadlines.push(first.maxTimestamp + config["retention.ms"]);
  }
  if (isCompacted(config) && compactor.cleanAfter >= 0) deadlines.push(compactor.cleanAfter);
  return deadlines.length === 0 ? null : Math.max(now, Math.min(...deadlines));
}
