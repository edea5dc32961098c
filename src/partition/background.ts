// What a partition's alarm does, one bounded slice at a time: empty a dropped partition's R2
// objects, or run the leader's background work (roll, retention, compaction, replica catch-up,
// idle producers) and say when it is next due (src/partition/alarm.ts decides).

import { Compactor } from "../archive/compaction.js";
import { maintain } from "../archive/maintenance.js";
import { deletePrefixPage, type SegmentStore } from "../archive/store.js";
import type { PartitionLog } from "../log/partition-log.js";
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

/** One slice; returns when the alarm should next fire (null: nothing is due). Safe to redo after a failure. */
export async function backgroundSlice(p: BackgroundParts, now: number): Promise<number | null> {
  const cleanup = p.kv.get("r2_cleanup");
  if (cleanup !== undefined) {
    if (await deletePrefixPage(p.segments, cleanup)) return now;
    p.kv.delete("r2_cleanup");
    return null;
  }
  const log = p.log();
  const ref = p.kv.get("topic");
  // A follower's copy has no background work of its own: the leader rolls, retains and compacts.
  if (!log || !ref || p.replication.isFollower) return null;
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
