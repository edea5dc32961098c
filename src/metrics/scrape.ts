// A scrape's exposition, put together from what the aggregates hold: each topic's partition
// reports (capped per topic by metrics.max.partition.series), group reports joined with the
// partitions' high watermarks for lag, mirrors, the router's counters, and the scrape's own health.

import type { AggregateContents, GroupReport } from "./reports.js";
import type { PartitionReport } from "./partition-meter.js";
import { MetricSet } from "./series.js";

/** Durable Objects with SQLite storage hold at most 10 GB each. */
export const OBJECT_STORAGE_LIMIT_BYTES = 10 * 1000 ** 3;

/** Partitions at or past a topic's cap are summed into this label value. */
export const OTHER_PARTITIONS = "_other";

export interface ScrapedTopic {
  name: string;
  id: string;
  /** metrics.max.partition.series: partitions numbered below it get their own series. */
  maxPartitionSeries: number;
  /** What the topic's aggregate answered, or why it failed. */
  contents: AggregateContents | { error: string };
}

export interface ScrapeInput {
  topics: ScrapedTopic[];
  cluster: AggregateContents | { error: string };
  version: string;
  /** Object calls this scrape made. */
  calls: number;
}

export function compose(input: ScrapeInput): MetricSet {
  const out = new MetricSet();
  const started = new Map<string, number>();
  const start = (cls: string, at: number) => started.set(cls, Math.max(started.get(cls) ?? 0, at));
  /** High watermarks by topic id and partition, for the groups' lag. */
  const hw = new Map<string, number>();
  const caps = new Map<string, number>();
  for (const t of input.topics) {
    caps.set(t.id, t.maxPartitionSeries);
    if ("error" in t.contents) {
      out.set("edgelog_scrape_errors", { scope: "topic", topic: t.name, partition: "" }, 1);
      continue;
    }
    start("MetricsDO", t.contents.startedAt);
    let under = 0;
    let underMin = 0;
    for (const r of t.contents.partitions) {
      start("PartitionDO", r.startedAt);
      if (r.gauges) hw.set(`${t.id}/${r.partition}`, r.gauges.highWatermark);
      const rep = r.gauges?.replication;
      if (rep && rep.isr < rep.replicas) under++;
      if (rep && rep.isr < rep.minIsr) underMin++;
      partitionSeries(out, t, r);
    }
    out.set("edgelog_under_replicated_partitions", { topic: t.name }, under);
    out.set("edgelog_under_min_isr_partitions", { topic: t.name }, underMin);
  }
  if ("error" in input.cluster) {
    out.set("edgelog_scrape_errors", { scope: "cluster", topic: "", partition: "" }, 1);
  } else {
    start("MetricsDO", input.cluster.startedAt);
    out.merge(input.cluster.counters);
    for (const g of input.cluster.groups) {
      start("GroupCoordinatorDO", g.startedAt);
      groupSeries(out, g, hw, caps);
    }
    for (const m of input.cluster.mirrors) {
      start("MirrorDO", m.startedAt);
      out.set("edgelog_mirror_lag", { mirror: m.mirror }, m.lag);
      out.set("edgelog_mirror_skipped_records_total", { mirror: m.mirror }, m.skipped);
    }
  }
  for (const cls of ["ClusterDO", "PartitionDO", "GroupCoordinatorDO", "MirrorDO", "MetricsDO"])
    out.set("edgelog_build_info", { version: input.version, class: cls }, 1);
  for (const [cls, at] of started) out.set("edgelog_object_start_time_seconds", { class: cls }, Math.floor(at / 1000));
  out.set("edgelog_scrape_object_calls", {}, input.calls);
  return out;
}

/** A partition's label: its number, or OTHER_PARTITIONS past the topic's cap (counters and sizes sum there). */
function partitionLabel(partition: number, cap: number): string {
  return partition < cap ? String(partition) : OTHER_PARTITIONS;
}

function partitionSeries(out: MetricSet, t: ScrapedTopic, r: PartitionReport): void {
  const label = partitionLabel(r.partition, t.maxPartitionSeries);
  const tp = { topic: t.name, partition: label };
  if (r.error) out.add("edgelog_scrape_errors", { scope: "partition", ...tp }, 1);
  out.merge(r.counters, tp);
  const g = r.gauges;
  if (!g) return;
  const own = label !== OTHER_PARTITIONS;
  // Offsets mean nothing summed: they are only exported for partitions with their own series.
  if (own) {
    out.set("edgelog_log_start_offset", tp, g.logStartOffset);
    out.set("edgelog_high_watermark", tp, g.highWatermark);
    out.set("edgelog_log_end_offset", tp, g.logEndOffset);
    out.set("edgelog_last_stable_offset", tp, g.lastStableOffset);
    out.set("edgelog_storage_limit_bytes", tp, OBJECT_STORAGE_LIMIT_BYTES);
    if (g.replication) {
      out.set("edgelog_isr_size", tp, g.replication.isr);
      for (const [region, lag] of Object.entries(g.replication.lag))
        if (lag !== null) out.set("edgelog_replica_lag", { ...tp, region }, lag);
    }
  }
  out.add("edgelog_hot_bytes", tp, g.hotBytes);
  out.add("edgelog_archived_bytes", tp, g.archivedBytes);
  out.add("edgelog_segments", tp, g.segments);
  out.add("edgelog_storage_used_bytes", tp, g.storageBytes);
  out.add("edgelog_waiters", { ...tp, kind: "long_poll" }, g.longPolls);
  out.add("edgelog_waiters", { ...tp, kind: "websocket" }, g.websockets);
}

function groupSeries(out: MetricSet, g: GroupReport, hw: Map<string, number>, caps: Map<string, number>): void {
  const group = g.group;
  out.set("edgelog_group_state", { group, state: g.state }, 1);
  out.set("edgelog_group_members", { group }, g.members);
  out.set("edgelog_group_rebalances_total", { group }, g.epoch);
  for (const o of g.offsets) {
    const cap = caps.get(o.topicId);
    if (cap === undefined) continue; // the topic is gone, or this scrape could not read it
    const tp = { group, topic: o.topic, partition: partitionLabel(o.partition, cap) };
    const high = hw.get(`${o.topicId}/${o.partition}`);
    if (tp.partition !== OTHER_PARTITIONS) out.set("edgelog_group_committed_offset", tp, o.offset);
    if (high !== undefined) out.add("edgelog_group_lag", tp, Math.max(0, high - o.offset));
  }
}
