// A scrape's cost does not grow with the partition count: with 200 partitions it calls the
// controller once, the cluster aggregate once and the topic's aggregate once, and no partition.
// Counted by the test entry's object classes (test/worker.ts), not by the code under test.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clusterObject, metricsObject, partitionObject } from "../../src/objects.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { pushNow, scrape } from "../support/metrics.js";
import type { ClusterDO, MetricsDO, PartitionDO } from "../worker.js";

const PARTITIONS = 200;

async function objectCalls(topics: { id: string; partitions: number }[]): Promise<number> {
  let n = await runInDurableObject(clusterObject(env), (o) => (o as ClusterDO).topicListings);
  const aggregates = ["cluster" as const, ...topics.map((t) => `topic/${t.id}` as const)];
  for (const scope of aggregates)
    n += await runInDurableObject(metricsObject(env, scope), (o) => (o as MetricsDO).scrapes);
  const counts = topics.flatMap((t) =>
    Array.from({ length: t.partitions }, (_, p) =>
      runInDurableObject(partitionObject(env, t.id, p), (o) => (o as PartitionDO).calls),
    ),
  );
  for (const c of await Promise.all(counts)) n += c;
  return n;
}

describe("a scrape over 200 partitions", () => {
  // Creating 200 partition objects takes seconds on a loaded 2-core machine: a longer timeout.
  it("makes a fixed number of object calls, and caps the partition series", { timeout: 90_000 }, async () => {
    const small = uniqueTopic();
    const { id: smallId } = await createTopic(small, 1);
    await call("POST", `/v1/topics/${small}/records`, { records: [{ value: "x", partition: 0 }] });
    await pushNow(smallId, 1);
    const topics = [{ id: smallId, partitions: 1 }];
    let before = await objectCalls(topics);
    expect((await scrape()).status).toBe(200);
    const oneTopic = (await objectCalls(topics)) - before;
    // The controller's topic list, the cluster aggregate, the topic's aggregate.
    expect(oneTopic).toBe(3);

    const big = uniqueTopic();
    const { id: bigId } = await createTopic(big, PARTITIONS);
    const records = Array.from({ length: PARTITIONS }, (_, p) => ({ value: `r${p}`, partition: p }));
    expect((await call("POST", `/v1/topics/${big}/records`, { records })).status).toBe(200);
    await pushNow(bigId, PARTITIONS);
    topics.push({ id: bigId, partitions: PARTITIONS });
    before = await objectCalls(topics);
    const s = await scrape();
    expect(s.status).toBe(200);
    // One more aggregate for the second topic; none of its 200 partitions is called.
    expect((await objectCalls(topics)) - before).toBe(4);
    // metrics.max.partition.series (128 by default): partitions 0-127 have their own series, the
    // other 72 are summed.
    for (const p of [0, 1, 64, 127])
      expect(s.value("messaging_client_sent_messages_total", { topic: big, partition: String(p) })).toBe(1);
    expect(s.value("messaging_client_sent_messages_total", { topic: big, partition: "128" })).toBeUndefined();
    expect(s.value("messaging_client_sent_messages_total", { topic: big, partition: "_other" })).toBe(72);
    expect(s.series("edgelog_high_watermark").filter((x) => x.labels.topic === big)).toHaveLength(128);
  });

  it("exports every partition when the topic's cap allows it", async () => {
    const topic = uniqueTopic();
    const { id } = await createTopic(topic, 3, { "metrics.max.partition.series": 1 });
    const records = [0, 1, 2].map((p) => ({ value: "v", partition: p }));
    await call("POST", `/v1/topics/${topic}/records`, { records });
    await call("PATCH", `/v1/topics/${topic}`, { config: { "metrics.max.partition.series": 3 } });
    await pushNow(id, 3);
    const s = await scrape();
    for (const p of ["0", "1", "2"])
      expect(s.value("messaging_client_sent_messages_total", { topic, partition: p })).toBe(1);
    expect(s.value("messaging_client_sent_messages_total", { topic, partition: "_other" })).toBeUndefined();
  });
});
