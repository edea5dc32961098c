// What objects and the router exchange with a metrics aggregate (MetricsDO): reports pushed in,
// counters added, and a scrape's read of everything it holds. No Workers APIs.

import type { Result } from "../protocol/errors.js";
import type { AggregateContents, GroupReport, MirrorReport, PartitionReport } from "../metrics/reports.js";
import type { MetricsSnapshot } from "../metrics/series.js";

/**
 * A metrics aggregate: `topic/<topic id>` holds its partitions' reports; `cluster` holds group and
 * mirror reports and the router's counters. A scrape reads 1 + topics of them, whatever the partition count.
 */
export interface MetricsRpc {
  /** A partition's latest report; replaces its previous one. */
  pushPartition(report: PartitionReport): Promise<Result<null>>;
  /** A group's latest report; replaces its previous one. */
  pushGroup(report: GroupReport): Promise<Result<null>>;
  /** A deleted group: its report goes. */
  forgetGroup(group: string): Promise<Result<null>>;
  /** A mirror's latest report; replaces its previous one. */
  pushMirror(report: MirrorReport): Promise<Result<null>>;
  /** Router-side deltas (requests, auth failures, throttling), added to the counters. */
  add(delta: MetricsSnapshot): Promise<Result<null>>;
  /** Everything the aggregate holds. */
  scrape(): Promise<Result<AggregateContents>>;
}
