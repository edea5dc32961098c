// The metrics modules in Node: counting, the exposition formats, the scrape's composition (caps,
// lag, failures), the push clock, the router's buffer and W3C trace context.

import { describe, expect, it } from "vitest";
import { negotiate, render } from "../../src/metrics/exposition.js";
import { PartitionMeter } from "../../src/metrics/partition-meter.js";
import { PushClock } from "../../src/metrics/push-clock.js";
import { FLUSH_MS, RouterMeter } from "../../src/metrics/router-meter.js";
import { compose, type ScrapedTopic } from "../../src/metrics/scrape.js";
import { ScrapeCache } from "../../src/metrics/scrape-cache.js";
import { MetricSet } from "../../src/metrics/series.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { childSpan, parseTraceparent } from "../../src/protocol/trace-context.js";

const enc = new TextEncoder();
const batch = (n: number) =>
  encodeBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: enc.encode(`r${i}`), timestamp: 1 })));

describe("MetricSet", () => {
  it("adds counters, replaces gauges, buckets observations and merges snapshots", () => {
    const a = new MetricSet();
    a.add("c_total", { x: "1" }, 2);
    a.add("c_total", { x: "1" });
    a.set("g", {}, 5);
    a.set("g", {}, 7);
    a.observe("h_seconds", {}, 0.004);
    a.observe("h_seconds", {}, 0.3);
    a.observe("h_seconds", {}, 60);
    expect(a.get("c_total", { x: "1" })).toBe(3);
    expect(a.get("g")).toBe(7);
    const h = a.histogram("h_seconds")!;
    expect(h.count).toBe(3);
    expect(h.counts[0]).toBe(1); // le 0.005
    expect(h.counts.at(-1)).toBe(1); // +Inf only
    const b = MetricSet.from(a.snapshot());
    b.merge(a.snapshot(), { topic: "t" });
    expect(b.get("c_total", { x: "1" })).toBe(3);
    expect(b.get("c_total", { x: "1", topic: "t" })).toBe(3);
  });
});

describe("PartitionMeter", () => {
  it("counts appended records and bytes, skipping duplicates, and only what changed is persisted", () => {
    const m = new PartitionMeter(undefined, 0);
    const a = batch(3);
    const b = batch(2);
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    m.appended(both, [
      { duplicate: false, baseOffset: 0, lastOffset: 2 },
      { duplicate: true, baseOffset: 3, lastOffset: 4 },
    ]);
    expect(m.counters.get("messaging_client_sent_messages_total")).toBe(3);
    expect(m.counters.get("edgelog_bytes_in_total")).toBe(a.length);
    expect(m.takeUnpersisted()).toBeDefined();
    expect(m.takeUnpersisted()).toBeUndefined();
    m.read([a, b], 12, undefined);
    m.read([], 0, "OFFSET_OUT_OF_RANGE");
    expect(m.counters.get("messaging_client_consumed_messages_total")).toBe(5);
    expect(m.counters.get("edgelog_fetch_errors_total", { error_code: "OFFSET_OUT_OF_RANGE" })).toBe(1);
    expect(m.counters.histogram("messaging_client_operation_duration_seconds", { operation: "receive" })?.count).toBe(
      2,
    );
    // Restored from what was persisted, the counters go on from there.
    const again = new PartitionMeter(m.counters.snapshot(), 1);
    expect(again.counters.get("edgelog_fetch_requests_total")).toBe(2);
  });
});

describe("PushClock", () => {
  it("is due one interval after the last push, and only after a change", () => {
    const c = new PushClock(1_000);
    expect(c.due(500)).toBeNull();
    c.changed();
    expect(c.due(500)).toBe(1_500);
    c.pushed(2_000);
    expect(c.due(500)).toBeNull();
    c.failed();
    expect(c.due(500)).toBe(2_500);
  });
});

describe("exposition", () => {
  const set = new MetricSet();
  set.add("edgelog_bytes_in_total", { topic: 'a"b\\c\nd', partition: "0" }, 10);
  set.observe("messaging_client_operation_duration_seconds", { topic: "t", partition: "0", operation: "send" }, 0.02);

  it("renders the text format: HELP and TYPE per family, escaped labels, cumulative buckets", () => {
    const text = render(set, "text");
    expect(text).toContain("# TYPE edgelog_bytes_in_total counter\n");
    expect(text).toContain('edgelog_bytes_in_total{topic="a\\"b\\\\c\\nd",partition="0"} 10\n');
    expect(text).toContain('le="0.01"} 0\n');
    expect(text).toContain('le="0.025"} 1\n');
    expect(text).toContain('le="+Inf"} 1\n');
    expect(text).not.toContain("# EOF");
  });

  it("renders OpenMetrics: counter families without _total, samples with it, and # EOF", () => {
    const om = render(set, "openmetrics");
    expect(om).toContain("# TYPE edgelog_bytes_in counter\n");
    expect(om).toContain("edgelog_bytes_in_total{");
    expect(om.endsWith("# EOF\n")).toBe(true);
  });

  it("negotiates OpenMetrics only when Accept names it", () => {
    expect(negotiate("application/openmetrics-text; version=1.0.0,text/plain;q=0.5")).toBe("openmetrics");
    expect(negotiate("application/json")).toBe("text");
    expect(negotiate(undefined)).toBe("text");
  });
});

describe("compose", () => {
  const report = (partition: number, hw: number) => ({
    partition,
    startedAt: 1_000,
    at: 2_000,
    counters: { values: [{ name: "messaging_client_sent_messages_total", labels: {}, value: 1 }], histograms: [] },
    gauges: {
      logStartOffset: 0,
      highWatermark: hw,
      logEndOffset: hw,
      lastStableOffset: hw,
      hotBytes: 100,
      archivedBytes: 0,
      segments: 0,
      storageBytes: 4096,
      longPolls: 0,
      websockets: 0,
      ...(partition === 0 ? { replication: { isr: 1, replicas: 2, minIsr: 2, lag: { weur: 3 } } } : {}),
    },
  });
  const topic = (cap: number, n: number): ScrapedTopic => ({
    name: "t",
    id: "id-t",
    maxPartitionSeries: cap,
    contents: {
      startedAt: 0,
      partitions: Array.from({ length: n }, (_, p) => report(p, 10 + p)),
      groups: [],
      mirrors: [],
      counters: { values: [], histograms: [] },
    },
  });
  const cluster = {
    startedAt: 0,
    partitions: [],
    mirrors: [{ mirror: "m", startedAt: 0, at: 0, lag: 4, skipped: 1 }],
    counters: { values: [], histograms: [] },
    groups: [
      {
        group: "g",
        startedAt: 0,
        at: 0,
        state: "stable",
        members: 2,
        epoch: 3,
        offsets: [
          { topic: "t", topicId: "id-t", partition: 0, offset: 4 },
          { topic: "t", topicId: "id-t", partition: 3, offset: 10 },
          { topic: "gone", topicId: "id-gone", partition: 0, offset: 1 },
        ],
      },
    ],
  };

  it("sums partitions past the cap under _other, offsets only for partitions with their own series", () => {
    const s = compose({ topics: [topic(2, 4)], cluster, version: "v", calls: 3 });
    expect(s.get("messaging_client_sent_messages_total", { topic: "t", partition: "1" })).toBe(1);
    expect(s.get("messaging_client_sent_messages_total", { topic: "t", partition: "_other" })).toBe(2);
    expect(s.get("edgelog_hot_bytes", { topic: "t", partition: "_other" })).toBe(200);
    expect(s.get("edgelog_high_watermark", { topic: "t", partition: "_other" })).toBeUndefined();
    expect(s.get("edgelog_under_replicated_partitions", { topic: "t" })).toBe(1);
    expect(s.get("edgelog_under_min_isr_partitions", { topic: "t" })).toBe(1);
    expect(s.get("edgelog_replica_lag", { topic: "t", partition: "0", region: "weur" })).toBe(3);
    // Lag joins the group's offsets with the partitions' high watermarks; a deleted topic is skipped.
    expect(s.get("edgelog_group_lag", { group: "g", topic: "t", partition: "0" })).toBe(6);
    expect(s.get("edgelog_group_lag", { group: "g", topic: "t", partition: "_other" })).toBe(3);
    expect(s.get("edgelog_group_committed_offset", { group: "g", topic: "t", partition: "_other" })).toBeUndefined();
    expect(s.get("edgelog_group_rebalances_total", { group: "g" })).toBe(3);
    expect(s.get("edgelog_mirror_lag", { mirror: "m" })).toBe(4);
    expect(s.get("edgelog_object_start_time_seconds", { class: "PartitionDO" })).toBe(1);
    expect(s.get("edgelog_scrape_object_calls")).toBe(3);
  });

  it("turns a failed aggregate into a scrape error and keeps the rest", () => {
    const s = compose({
      topics: [topic(10, 1), { ...topic(10, 1), name: "u", id: "id-u", contents: { error: "down" } }],
      cluster: { error: "down" },
      version: "v",
      calls: 4,
    });
    expect(s.get("edgelog_scrape_errors", { scope: "topic", topic: "u", partition: "" })).toBe(1);
    expect(s.get("edgelog_scrape_errors", { scope: "cluster", topic: "", partition: "" })).toBe(1);
    expect(s.get("messaging_client_sent_messages_total", { topic: "t", partition: "0" })).toBe(1);
  });
});

describe("RouterMeter", () => {
  it("holds deltas until FLUSH_MS after the first, then hands them over once", () => {
    const m = new RouterMeter();
    m.record({ method: "GET", route: "/x", status: 401, ms: 3, errorCode: "UNAUTHENTICATED" }, 0);
    m.record(
      {
        method: "POST",
        route: "/y",
        status: 429,
        ms: 0,
        errorCode: "THROTTLING_QUOTA_EXCEEDED",
        throttled: { token: "t1", quota: "produce", seconds: 2 },
      },
      10,
    );
    expect(m.take(FLUSH_MS - 1)).toBeUndefined();
    const delta = MetricSet.from(m.take(FLUSH_MS));
    expect(delta.get("edgelog_auth_failures_total", { error_code: "UNAUTHENTICATED" })).toBe(1);
    expect(delta.get("edgelog_throttle_time_seconds_total", { token: "t1", quota: "produce" })).toBe(2);
    expect(m.take(FLUSH_MS * 2, true)).toBeUndefined();
  });
});

describe("trace context", () => {
  it("parses valid traceparents, refuses invalid ones, and continues the trace with a new span", () => {
    const p = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!;
    expect(p).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 });
    for (const bad of [
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "nonsense",
    ])
      expect(parseTraceparent(bad), bad).toBeNull();
    const child = childSpan(p);
    expect(child.traceId).toBe(p.traceId);
    expect(child.spanId).not.toBe(p.spanId);
    expect(child.header).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });
});

describe("ScrapeCache", () => {
  it("reuses a scrape for maxAgeMs, shares one in flight, and never keeps a failure", async () => {
    const cache = new ScrapeCache<number>();
    let loads = 0;
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get(0, 5_000, load), cache.get(1, 5_000, load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    expect(await cache.get(4_999, 5_000, load)).toBe(1);
    expect(await cache.get(5_000, 5_000, load)).toBe(2);
    expect(await cache.get(5_001, 0, load)).toBe(3);
    await expect(cache.get(20_000, 5_000, async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.get(20_001, 5_000, load)).toBe(4);
  });
});
