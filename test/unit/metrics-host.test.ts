// A partition's metrics wiring in Node, with fake ports: counters persisted only when they changed,
// pushes asked of the alarm one interval after the last, followers silent, and the optional
// Analytics Engine data point at most once per interval (nothing when unbound).

import { describe, expect, it } from "vitest";
import type { AppendedBatch, PartitionInfo } from "../../src/contracts/partition.js";
import type { PartitionReport } from "../../src/metrics/partition-meter.js";
import { MetricsHost, type MetricsHostParts } from "../../src/partition/metrics-host.js";
import type { PartitionKv } from "../../src/partition/keys.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { DEFAULT_TOPIC_CONFIG } from "../../src/protocol/topic-config.js";
import type { TopicRef } from "../../src/protocol/topic.js";

const ref = { id: "tid", name: "t", partition: 3, version: 1, config: DEFAULT_TOPIC_CONFIG } as unknown as TopicRef;
const info: PartitionInfo = {
  partition: 3,
  log_start_offset: 0,
  high_watermark: 2,
  last_stable_offset: 1,
  log_end_offset: 2,
  bytes: 80,
  archived_bytes: 0,
  segments: 0,
};
const batch = encodeBatch([
  { key: null, value: new Uint8Array(4), timestamp: 1 },
  { key: null, value: new Uint8Array(4), timestamp: 1 },
]);
const appended: AppendedBatch[] = [
  { baseOffset: 0, lastOffset: 1, logStartOffset: 0, logAppendTime: -1, duplicate: false },
];

function setup(over: Partial<MetricsHostParts> = {}) {
  const store = new Map<string, unknown>();
  const writes: string[] = [];
  const kv = {
    get: (k: string) => store.get(k),
    put: (k: string, v: unknown) => (writes.push(k), store.set(k, v)),
    delete: (k: string) => store.delete(k),
  } as unknown as PartitionKv;
  const pushed: PartitionReport[] = [];
  const wakes: number[] = [];
  const points: AnalyticsEngineDataPoint[] = [];
  let fail = false;
  const host = new MetricsHost({
    kv,
    port: {
      push: async (_id, r) => {
        if (fail) throw new Error("down");
        pushed.push(r);
      },
      databaseSize: () => 4096,
    },
    settings: { pushMs: 10_000, analyticsMs: 60_000 },
    info: () => ({ ref, info }),
    waiting: () => ({ longPolls: 1, websockets: 2 }),
    wakeBy: async (at) => void wakes.push(at),
    isFollower: () => false,
    analytics: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) },
    ...over,
  });
  return { host, writes, pushed, wakes, points, setFail: (f: boolean) => (fail = f) };
}

describe("MetricsHost", () => {
  it("persists the counters inside the append, and only when something changed", async () => {
    const { host, writes } = setup();
    host.appended(batch, appended);
    expect(writes).toEqual(["metrics"]);
    host.persist();
    expect(writes).toEqual(["metrics"]);
  });

  it("asks the alarm for a push one interval after the last, and pushes gauges with the counters", async () => {
    const { host, pushed, wakes } = setup();
    const t0 = Date.now();
    await host.produce(async () => ({ ok: true, value: null }));
    expect(wakes).toHaveLength(1);
    expect(wakes[0]).toBeGreaterThanOrEqual(t0 + 10_000 - 1_000);
    await host.push(t0 + 10_000);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.gauges).toMatchObject({
      highWatermark: 2,
      lastStableOffset: 1,
      storageBytes: 4096,
      websockets: 2,
    });
    expect(pushed[0]!.partition).toBe(3);
    // Nothing changed since: the next alarm pushes nothing and asks for no further alarm.
    await host.push(t0 + 20_000);
    await host.scheduleNext();
    expect(pushed).toHaveLength(1);
    expect(wakes).toHaveLength(1);
  });

  it("pushes from an alarm when only the gauges moved (an ISR shrink, retention)", async () => {
    let hw = 2;
    const { host, pushed } = setup({ info: () => ({ ref, info: { ...info, high_watermark: hw } }) });
    host.appended(batch, appended);
    await host.push();
    await host.push();
    expect(pushed).toHaveLength(1);
    hw = 7;
    await host.push();
    expect(pushed).toHaveLength(2);
    expect(pushed[1]!.gauges?.highWatermark).toBe(7);
  });

  it("retries a failed push on a later alarm", async () => {
    const { host, pushed, setFail } = setup();
    await host.read(async () => ({ ok: true, value: { batches: [batch] } }));
    setFail(true);
    await host.push();
    setFail(false);
    await host.push();
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.counters.values).toContainEqual({
      name: "messaging_client_consumed_messages_total",
      labels: {},
      value: 2,
    });
  });

  it("counts nothing on a follower copy", async () => {
    const { host, writes, pushed } = setup({ isFollower: () => true });
    host.appended(batch, appended);
    await host.push();
    expect(writes).toEqual([]);
    expect(pushed).toEqual([]);
  });

  it("writes an Analytics Engine data point at most once per interval, and none when unbound", async () => {
    const { host, points } = setup();
    const t0 = Date.now();
    host.appended(batch, appended);
    await host.push(t0);
    host.appended(batch, appended);
    await host.push(t0 + 30_000);
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ indexes: ["tid"], blobs: ["t", "3"] });
    expect(points[0]!.doubles!.slice(0, 2)).toEqual([2, batch.byteLength]);
    host.appended(batch, appended);
    await host.push(t0 + 61_000);
    expect(points).toHaveLength(2);
    const unbound = setup({ analytics: undefined });
    unbound.host.appended(batch, appended);
    await unbound.host.push();
    expect(unbound.pushed).toHaveLength(1);
  });
});
