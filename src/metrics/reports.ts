// What objects push to the metrics aggregates, and what an aggregate answers a scrape: plain data
// that crosses RPC. A report replaces its sender's previous one whole, so a lost or repeated push
// never double-counts.

import type { PartitionReport } from "./partition-meter.js";
import type { MetricsSnapshot } from "./series.js";

export type { PartitionReport } from "./partition-meter.js";

/** A consumer group's state, pushed by its coordinator when it changed (at most once per interval). */
export interface GroupReport {
  group: string;
  startedAt: number;
  at: number;
  state: string;
  members: number;
  /** The group epoch: one per rebalance. */
  epoch: number;
  /** Committed offsets, by topic id (so a recreated topic's lag is not computed against old offsets). */
  offsets: { topic: string; topicId: string; partition: number; offset: number }[];
}

/** A mirror's progress, pushed by its object after each copy slice. */
export interface MirrorReport {
  mirror: string;
  startedAt: number;
  at: number;
  lag: number;
  skipped: number;
}

/** What one aggregate holds: the latest report of each sender, and the counters added to it. */
export interface AggregateContents {
  startedAt: number;
  partitions: PartitionReport[];
  groups: GroupReport[];
  mirrors: MirrorReport[];
  /** Router-side counters (requests, auth failures, throttling), added up as they arrive. */
  counters: MetricsSnapshot;
}
