// What a partition's alarm does, one bounded slice at a time: empty a dropped partition's R2
// objects, or run the leader's background work (roll, retention, compaction, replica catch-up,
// idle producers) and say when it is next due (src/partition/alarm.ts decides).

import { Compactor } from "../archive/compaction.js";
import { maintain } from "../archive/maintenance.js";
import { deletePrefixPage, partitionPrefix, type SegmentStore } from "../archive/store.js";
import type { PartitionLog } from "../log/partition-log.js";
import type { TopicRef } from "../protocol/topic.js";
import { nextAlarm } from "./alarm.js";
import type { PartitionKv } from "./keys.js";
import type { ReplicationHost } from "./replication-host.js";

export interface BackgroundParts {
  kv: PartitionKv;
  /** The log, or undefined once the partition was dropped (perhaps while this slice awaited R2). */
  log(): PartitionLog | undefined;
  segments: SegmentStore;
  /** The partition's database, where compaction keeps its cursors and key map. */
  sql: SqlStorage;
  replication: ReplicationHost;
  /** Kafka's producer.id.expiration.ms. */
  producerIdExpirationMs: number;
}

/** One alarm's work; returns when the alarm should next fire (null: nothing is due). */
export async function background(p: BackgroundParts, now = Date.now()): Promise<number | null> {
  try {
    return await slice(p, now);
  } catch (e) {
    // Retried from the top: every step is safe to redo (see archive/roll.ts and retention.ts).
    const ref = p.kv.get("topic");
    console.error(`partition ${ref?.name}/${ref?.partition}: background work failed, retrying`, e);
    return nextAlarm({ after: "failure" }, now);
  }
}

async function slice(p: BackgroundParts, now: number): Promise<number | null> {
  const cleanup = p.kv.get("r2_cleanup");
  if (cleanup !== undefined) {
    if (await deletePrefixPage(p.segments, cleanup)) return now;
    p.kv.delete("r2_cleanup");
    return null;
  }
  const log = p.log();
  const ref = p.kv.get("topic");
  // A follower's copy has no background work of its own (the leader rolls, retains and compacts)
  // besides watching its leader's health (leader failover).
  if (!log || !ref) return null;
  if (p.replication.isFollower) return p.replication.watch(ref, now);
  const replicator = p.replication.leader();
  replicator?.onAlarm();
  const due = await maintain(log, p.segments, ref, now, new Compactor(log, p.sql, p.replication.rewrites));
  // A drop() while R2 was answering wiped the state; it set its own alarm.
  if (p.log() !== log) return null;
  // Rolling, retention and compaction changed what the followers must hold or drop.
  replicator?.kick();
  log.expireProducers(now, p.producerIdExpirationMs);
  return nextAlarm(
    { after: "maintenance", due, replicasBehind: replicator?.pending ?? false, hasProducers: log.hasProducers },
    now,
  );
}

/**
 * A dropped partition's storage, once wiped, keeps only a tombstone (so late writers cannot revive
 * it) and the R2 prefix its alarm is to empty; returns when that alarm is due.
 */
export function tombstone(kv: PartitionKv, ref: TopicRef | undefined, now = Date.now()): number | null {
  kv.put("dropped", true);
  if (!ref) return null;
  kv.put("r2_cleanup", partitionPrefix(ref.id, ref.partition));
  return now;
}
