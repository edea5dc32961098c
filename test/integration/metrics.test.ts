// GET /metrics read back after producing, fetching, failing and lagging in known amounts: exact
// counter values per partition, group lag, the formats, and a failing part reported, not fatal.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { metricsObject, partitionObject } from "../../src/objects.js";
import { CONTENT_TYPE_RECORD_BATCH } from "../../src/protocol/constants.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { pushNow, scrape } from "../support/metrics.js";
import { describeGroup, join } from "../support/groups.js";
import { endTxn, initTxn, txnProduce, uniqueTxnId } from "../support/transactions.js";
import { breakRegion, describeP, leaderOf, until } from "../support/replication.js";
import type { MetricsDO, PartitionDO } from "../worker.js";

const enc = new TextEncoder();
const batchOf = (n: number, size = 10) =>
  encodeBatch(
    Array.from({ length: n }, (_, i) => ({
      key: null,
      value: enc.encode(`v${i}`.padEnd(size)),
      timestamp: Date.now(),
    })),
  );

async function produceRaw(topic: string, p: number, batch: Uint8Array) {
  return call("POST", `/v1/topics/${topic}/partitions/${p}/records`, batch, {
    "content-type": CONTENT_TYPE_RECORD_BATCH,
  });
}

describe("GET /metrics", () => {
  it("counts records, bytes, requests and errors per partition, exactly", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 2, { "max.message.bytes": 256 });
    const five = batchOf(5);
    const three = batchOf(3);
    expect((await produceRaw(topic, 0, five)).status).toBe(200);
    expect((await produceRaw(topic, 1, three)).status).toBe(200);
    // Refused by the partition: over max.message.bytes.
    expect((await produceRaw(topic, 0, batchOf(1, 400))).status).toBe(413);
    // Two reads of partition 0; a batch is served whole, so both serve all five records.
    expect((await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`)).body.records).toHaveLength(5);
    expect((await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=2`)).body.records).toHaveLength(3);
    // Past the end: the partition answers OFFSET_OUT_OF_RANGE.
    expect((await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=9`)).status).toBe(416);

    // Nothing is pushed before the interval: a scrape reads the aggregates, never the partitions.
    expect((await scrape()).value("messaging_client_sent_messages_total", { topic, partition: "0" })).toBeUndefined();
    await pushNow(id, 2);
    const s = await scrape();
    expect(s.status).toBe(200);
    const p0 = { topic, partition: "0" };
    const p1 = { topic, partition: "1" };
    expect(s.value("messaging_client_sent_messages_total", p0)).toBe(5);
    expect(s.value("messaging_client_sent_messages_total", p1)).toBe(3);
    expect(s.value("edgelog_bytes_in_total", p0)).toBe(five.byteLength);
    expect(s.value("edgelog_bytes_in_total", p1)).toBe(three.byteLength);
    expect(s.value("edgelog_produce_requests_total", p0)).toBe(2);
    expect(s.value("edgelog_produce_errors_total", { ...p0, error_code: "MESSAGE_TOO_LARGE" })).toBe(1);
    expect(s.value("edgelog_fetch_requests_total", p0)).toBe(3);
    expect(s.value("edgelog_fetch_errors_total", { ...p0, error_code: "OFFSET_OUT_OF_RANGE" })).toBe(1);
    expect(s.value("messaging_client_consumed_messages_total", p0)).toBe(10);
    expect(s.value("edgelog_bytes_out_total", p0)).toBe(2 * five.byteLength);
    expect(s.value("edgelog_high_watermark", p0)).toBe(5);
    expect(s.value("edgelog_log_end_offset", p1)).toBe(3);
    expect(s.value("edgelog_log_start_offset", p0)).toBe(0);
    expect(s.value("edgelog_last_stable_offset", p0)).toBe(5);
    expect(s.value("edgelog_hot_bytes", p0)).toBe(five.byteLength);
    expect(s.value("edgelog_waiters", { ...p0, kind: "long_poll" })).toBe(0);
    expect(s.value("edgelog_storage_used_bytes", p0)).toBeGreaterThan(0);
    const send = { ...p0, operation: "send" };
    expect(s.value("messaging_client_operation_duration_seconds_count", send)).toBe(2);
    expect(s.value("messaging_client_operation_duration_seconds_bucket", { ...send, le: "+Inf" })).toBe(2);
    expect(s.value("messaging_client_operation_duration_seconds_count", { ...p0, operation: "receive" })).toBe(3);
    expect(s.value("edgelog_build_info", { version: "0.1.0", class: "PartitionDO" })).toBe(1);
    expect(s.value("edgelog_object_start_time_seconds", { class: "PartitionDO" })).toBeGreaterThan(0);
  });

  it("keeps counters across a restart of the partition object, persisted with its writes", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 1);
    await produceRaw(topic, 0, batchOf(4));
    await produceRaw(topic, 0, batchOf(2));
    const stub = partitionObject(env, id, 0);
    // The counters were written inside the appends: a fresh instance reads them back.
    const stored = await runInDurableObject(stub, (_o, state) =>
      state.storage.kv.get<{ values: unknown[] }>("metrics"),
    );
    expect(stored?.values).toContainEqual({ name: "messaging_client_sent_messages_total", labels: {}, value: 6 });
  });

  it("reports a group's committed offsets and lag against the high watermark", async () => {
    const topic = uniqueTopic();
    const group = `g-${topic}`;
    const { id } = await createTopic(topic, 1);
    await produceRaw(topic, 0, batchOf(7));
    const commit = await call("POST", `/v1/groups/${group}/offsets`, { offsets: [{ topic, partition: 0, offset: 2 }] });
    expect(commit.status).toBe(204);
    await pushNow(id, 1, [group]);
    const s = await scrape();
    expect(s.value("edgelog_group_committed_offset", { group, topic, partition: "0" })).toBe(2);
    expect(s.value("edgelog_group_lag", { group, topic, partition: "0" })).toBe(5);
    expect(s.value("edgelog_group_members", { group })).toBe(0);
    expect(s.value("edgelog_group_state", { group, state: "empty" })).toBe(1);
  });

  it("reports a group's members, state and rebalances as its coordinator sees them", async () => {
    const topic = uniqueTopic();
    const group = `g-${topic}`;
    const { id } = await createTopic(topic, 2);
    const a = await join(group, [topic]);
    const b = await join(group, [topic]);
    await pushNow(id, 2, [group]);
    const s = await scrape();
    const d = (await describeGroup(group)).body;
    expect(s.value("edgelog_group_members", { group })).toBe(2);
    expect(s.value("edgelog_group_state", { group, state: d.state })).toBe(1);
    expect(s.value("edgelog_group_rebalances_total", { group })).toBe(d.group_epoch);
    expect(d.group_epoch).toBeGreaterThanOrEqual(2);
    await call("DELETE", `/v1/groups/${group}/members/${a.member_id}`);
    await call("DELETE", `/v1/groups/${group}/members/${b.member_id}`);
    await pushNow(id, 0, [group]);
    expect((await scrape()).value("edgelog_group_members", { group })).toBe(0);
  });

  it("answers OpenMetrics when Accept asks for it, and text for anything else", async () => {
    const om = await scrape({ accept: "application/openmetrics-text; version=1.0.0" });
    expect(om.contentType).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(om.text.endsWith("# EOF\n")).toBe(true);
    expect(om.text).toContain("# TYPE edgelog_scrape_object_calls gauge");
    for (const accept of ["application/x-unknown", "text/html", ""]) {
      const t = await scrape(accept ? { accept } : {});
      expect(t.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(t.text).not.toContain("# EOF");
    }
  });

  it("reports a partition that cannot read its state as a scrape error, and still answers", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 2);
    await produceRaw(topic, 0, batchOf(1));
    await produceRaw(topic, 1, batchOf(2));
    await runInDurableObject(partitionObject(env, id, 1), (o: PartitionDO) => {
      o.faults.failMetricsGauges = true;
    });
    await pushNow(id, 2);
    const s = await scrape();
    expect(s.status).toBe(200);
    expect(s.value("edgelog_scrape_errors", { scope: "partition", topic, partition: "1" })).toBe(1);
    // Its counters still arrive; the healthy partition is whole.
    expect(s.value("messaging_client_sent_messages_total", { topic, partition: "1" })).toBe(2);
    expect(s.value("edgelog_high_watermark", { topic, partition: "1" })).toBeUndefined();
    expect(s.value("edgelog_high_watermark", { topic, partition: "0" })).toBe(1);
  });

  it("reports a topic aggregate that fails as a scrape error, and still answers", async () => {
    const topic = uniqueTopic();
    const other = uniqueTopic();
    const { id } = await createTopic(topic, 1);
    const { id: otherId } = await createTopic(other, 1);
    await produceRaw(topic, 0, batchOf(1));
    await produceRaw(other, 0, batchOf(1));
    await pushNow(id, 1);
    await pushNow(otherId, 1);
    await runInDurableObject(metricsObject(env, `topic/${id}`), (o) => {
      (o as MetricsDO).failScrapes = true;
    });
    const s = await scrape();
    expect(s.status).toBe(200);
    expect(s.value("edgelog_scrape_errors", { scope: "topic", topic, partition: "" })).toBe(1);
    expect(s.value("messaging_client_sent_messages_total", { topic: other, partition: "0" })).toBe(1);
    await runInDurableObject(metricsObject(env, `topic/${id}`), (o) => {
      (o as MetricsDO).failScrapes = false;
    });
  });

  it("keeps the last report when a push fails, and delivers the change on a later alarm", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 1);
    const stub = partitionObject(env, id, 0);
    await produceRaw(topic, 0, batchOf(1));
    await pushNow(id, 1);
    await runInDurableObject(stub, (o: PartitionDO) => {
      o.faults.failMetricsPush = true;
    });
    await produceRaw(topic, 0, batchOf(1));
    await pushNow(id, 1);
    expect((await scrape()).value("messaging_client_sent_messages_total", { topic, partition: "0" })).toBe(1);
    await runInDurableObject(stub, (o: PartitionDO) => {
      o.faults.failMetricsPush = false;
    });
    await pushNow(id, 1);
    expect((await scrape()).value("messaging_client_sent_messages_total", { topic, partition: "0" })).toBe(2);
  });
});

describe("last stable offset", () => {
  it("stays at an open transaction's first offset while the high watermark moves past it", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 1);
    expect((await produceRaw(topic, 0, batchOf(2))).status).toBe(200);
    const t = await initTxn(uniqueTxnId());
    const tr = await txnProduce(t, topic, 0, ["a", "b", "c"]);
    expect(tr.status, JSON.stringify(tr.body)).toBe(200);
    await pushNow(id, 1);
    let s = await scrape();
    const p0 = { topic, partition: "0" };
    expect(s.value("edgelog_high_watermark", p0)).toBe(5);
    expect(s.value("edgelog_last_stable_offset", p0)).toBe(2);
    expect((await endTxn(t, "commit")).status).toBe(200);
    await pushNow(id, 1);
    s = await scrape();
    // The commit marker takes an offset too; nothing is open, so the LSO is the high watermark.
    expect(s.value("edgelog_last_stable_offset", p0)).toBe(s.value("edgelog_high_watermark", p0));
    expect(s.value("edgelog_high_watermark", p0)).toBe(6);
  });
});

describe("replication metrics", () => {
  it("report ISR size, follower lag per region, under-replicated and under-min-ISR partitions", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 1, {
      "replica.regions": ["weur", "apac"],
      "min.insync.replicas": 3,
      "replica.lag.time.max.ms": 100,
    });
    const leader = await leaderOf(topic);
    const restore = await breakRegion(leader, "apac");
    expect((await produceRaw(topic, 0, batchOf(4))).status).toBe(200);
    await until(
      "apac leaves the ISR and weur holds everything",
      () => describeP(topic),
      (v) => v.isr?.length === 2 && v.replicas?.find((r) => r.region === "weur")?.lag === 0,
    );
    await pushNow(id, 1);
    const s = await scrape();
    const p0 = { topic, partition: "0" };
    expect(s.value("edgelog_isr_size", p0)).toBe(2);
    expect(s.value("edgelog_replica_lag", { ...p0, region: "weur" })).toBe(0);
    expect(s.value("edgelog_under_replicated_partitions", { topic })).toBe(1);
    expect(s.value("edgelog_under_min_isr_partitions", { topic })).toBe(1);
    await restore();
  });
});
