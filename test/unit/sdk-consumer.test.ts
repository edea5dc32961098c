// The SDK consumer against a fake server: what its instrumentation events tell an application.

import { describe, expect, it } from "vitest";
import { Edgelog } from "../../src/client/index.js";

/** A group of one: the coordinator assigns t/0 and t/1, nothing is committed, every partition is empty. */
function fakeGroupServer(
  offsetLookup: (partition: number) => Promise<void> = async () => {},
  fetchPartition: (p: { topic: string; partition: number; offset: number }) => object = () => ({
    records: [],
    next_offset: 0,
    high_watermark: 0,
    log_start_offset: 0,
  }),
) {
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    if (url.pathname.endsWith("/heartbeat")) {
      return Response.json({
        member_id: "m-1",
        member_epoch: 1,
        heartbeat_interval_ms: 60_000,
        assignment: [{ topic: "t", partitions: [0, 1] }],
      });
    }
    if (method === "GET" && url.pathname === "/v1/groups/g/offsets") return Response.json({ offsets: [] });
    if (url.pathname.endsWith("/offsets")) {
      await offsetLookup(Number(url.pathname.split("/")[5]));
      return Response.json({ offset: 0, timestamp: -1 });
    }
    if (url.pathname === "/v1/fetch") {
      const body = JSON.parse(String(init!.body));
      return Response.json({
        partitions: body.partitions.map((p: { topic: string; partition: number; offset: number }) => ({
          topic: p.topic,
          partition: p.partition,
          ...fetchPartition(p),
        })),
      });
    }
    if (method === "DELETE" || method === "POST") return new Response(null, { status: 204 });
    return Response.json(
      { error: { code: "ROUTE_NOT_FOUND", message: url.pathname, retriable: false } },
      { status: 404 },
    );
  };
  return fetch as typeof globalThis.fetch;
}

describe("Consumer events", () => {
  it("consumer.assign names the partitions gained and lost as {topic, partition}", async () => {
    const client = new Edgelog({ url: "http://x", fetch: fakeGroupServer() });
    const consumer = client.consumer({ groupId: "g", maxWaitMs: 0 });
    const assigned = new Promise<unknown>((resolve) => client.events.on("consumer.assign", resolve));
    consumer.subscribe("t");
    await consumer.run({ eachMessage: () => {} });
    const event = await assigned;
    await consumer.stop();
    expect(event).toEqual({
      group: "g",
      assigned: [
        { topic: "t", partition: 0 },
        { topic: "t", partition: 1 },
      ],
      revoked: [],
    });
  });
});

describe("Consumer membership", () => {
  it("sends its clientId when it joins", async () => {
    const beats: Record<string, unknown>[] = [];
    const server = fakeGroupServer();
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).endsWith("/heartbeat")) beats.push(JSON.parse(String(init!.body)));
      return server(input, init);
    }) as typeof globalThis.fetch;
    const client = new Edgelog({ url: "http://x", fetch });
    const consumer = client.consumer({ groupId: "g", clientId: "billing-app", maxWaitMs: 0 });
    const assigned = new Promise<unknown>((resolve) => client.events.on("consumer.assign", resolve));
    consumer.subscribe("t");
    await consumer.run({ eachMessage: () => {} });
    await assigned;
    await consumer.stop();
    expect(beats[0]).toMatchObject({ member_epoch: 0, client_id: "billing-app" });
  });
});

describe("Consumer assignment", () => {
  it("shows a new assignment whole: no partition's position before every one is known", async () => {
    // Partition 1's start offset is slow to come back; partition 0's is immediate.
    let releaseP1: () => void = () => {};
    let p1Asked: () => void = () => {};
    const asked = new Promise<void>((r) => (p1Asked = r));
    const held = new Promise<void>((r) => (releaseP1 = r));
    const lookup = async (partition: number) => {
      if (partition !== 1) return;
      p1Asked();
      await held;
    };
    const client = new Edgelog({ url: "http://x", fetch: fakeGroupServer(lookup) });
    const consumer = client.consumer({ groupId: "g", maxWaitMs: 0, fromBeginning: true });
    const assigned = new Promise<unknown>((resolve) => client.events.on("consumer.assign", resolve));
    consumer.subscribe("t");
    await consumer.run({ eachMessage: () => {} });
    await asked;
    // While partition 1's lookup is pending, an end-of-log check (the CLI's) must not see partition 0 alone.
    const during = consumer.positions();
    releaseP1();
    await assigned;
    const after = consumer.positions();
    await consumer.stop();
    expect(during).toEqual([]);
    expect(after.map((p) => p.partition).sort()).toEqual([0, 1]);
  });
});

describe("Consumer faults", () => {
  const record = (offset: number) => ({ offset, timestamp: 0, key: null, value: `v${offset}`, headers: {} });

  it("retries a partition's transient error at the same position and loses nothing", async () => {
    // Partition 0's object is unavailable for its first two fetches, then serves offsets 0 and 1.
    let faults = 2;
    const fetchPartition = (p: { partition: number; offset: number }) => {
      if (p.partition === 1) return { records: [], next_offset: 0, high_watermark: 0, log_start_offset: 0 };
      if (faults > 0) {
        faults--;
        return { error: { code: "LEADER_NOT_AVAILABLE", message: "partition object restarting", retriable: true } };
      }
      const records = [record(0), record(1)].filter((r) => r.offset >= p.offset);
      return { records, next_offset: 2, high_watermark: 2, log_start_offset: 0 };
    };
    const client = new Edgelog({ url: "http://x", fetch: fakeGroupServer(undefined, fetchPartition) });
    const errors: unknown[] = [];
    client.events.on("consumer.error", (e) => errors.push((e as { error: { code: string } }).error.code));
    const consumer = client.consumer({ groupId: "g", maxWaitMs: 0, fromBeginning: true });
    consumer.subscribe("t");
    const seen: string[] = [];
    const both = new Promise<void>((resolve) =>
      consumer.run({
        eachMessage: (m) => {
          seen.push(`${m.partition}:${m.value}`);
          if (seen.length === 2) resolve();
        },
      }),
    );
    await both;
    await consumer.stop();
    expect(seen).toEqual(["0:v0", "0:v1"]);
    expect(errors).toEqual(["LEADER_NOT_AVAILABLE", "LEADER_NOT_AVAILABLE"]);
  });

  it("ends the loop on a partition's lasting error, and done() rejects with it", async () => {
    const fetchPartition = () => ({
      error: { code: "TOPIC_AUTHORIZATION_FAILED", message: "no consume on t", retriable: false },
    });
    const client = new Edgelog({ url: "http://x", fetch: fakeGroupServer(undefined, fetchPartition) });
    const consumer = client.consumer({ groupId: "g", maxWaitMs: 0 });
    consumer.subscribe("t");
    await consumer.run({ eachMessage: () => {} });
    await expect(consumer.done()).rejects.toMatchObject({ code: "TOPIC_AUTHORIZATION_FAILED" });
    await consumer.stop();
  });
});
