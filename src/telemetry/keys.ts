// The metrics aggregate's key-value storage: every key it keeps.

import type { GroupReport, MirrorReport, PartitionReport } from "../metrics/reports.js";
import type { MetricsSnapshot } from "../metrics/series.js";
import { TypedKv } from "../util/kv.js";

export interface MetricsKeys {
  /** Router-side counters added so far (the cluster aggregate). */
  counters: MetricsSnapshot;
  /** Each partition's latest report (a topic's aggregate), by partition number. */
  [partition: `p/${number}`]: PartitionReport;
  /** Each group's latest report (the cluster aggregate). */
  [group: `g/${string}`]: GroupReport;
  /** Each mirror's latest report (the cluster aggregate). */
  [mirror: `m/${string}`]: MirrorReport;
}

export type MetricsKv = TypedKv<MetricsKeys>;

export function metricsKv(storage: { kv: SyncKvStorage }): MetricsKv {
  return new TypedKv<MetricsKeys>(storage.kv);
}
