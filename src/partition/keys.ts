// The partition object's key-value storage: every key it keeps beside the log's SQLite tables.

import type { LeaderView } from "../contracts/partition.js";
import type { MetricsSnapshot } from "../metrics/series.js";
import type { TopicRef } from "../protocol/topic.js";
import { TypedKv } from "../util/kv.js";

export interface PartitionKeys {
  /** The newest topic ref seen, for background work that has no caller to ask. */
  topic: TopicRef;
  /** The topic was deleted: only this tombstone is kept, so late writers cannot revive it. */
  dropped: true;
  /** A dropped partition's R2 prefix, still being emptied by the alarm. */
  r2_cleanup: string;
  /** This object is a follower copy (`…@region`) of a geo-replicated partition. */
  follower: true;
  /** A leader's in-sync followers (regions), when the topic has or had replicas. */
  isr: string[];
  /** A follower: the leader's high watermark as last told. */
  leader_hw: number;
  /** This copy's name in its partition: HOME or its region (told by its leader or the authority). */
  replica: string;
  /** Whom this copy takes for the leader, in which epoch (absent: the home copy leads epoch 0). */
  leadership: LeaderView;
  /** The partition's counters (metrics/partition-meter.ts), written only inside writes it makes anyway. */
  metrics: MetricsSnapshot;
  /** The next source offset each mirror (by id) copies into this partition. */
  [mirror: `mirror/${string}`]: number;
}

export type PartitionKv = TypedKv<PartitionKeys>;

export function partitionKv(storage: { kv: SyncKvStorage }): PartitionKv {
  return new TypedKv<PartitionKeys>(storage.kv);
}

export function mirrorProgressKey(mirror: string): `mirror/${string}` {
  return `mirror/${mirror}`;
}
