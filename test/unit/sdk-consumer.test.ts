// The SDK consumer against a fake server: what its instrumentation events tell an application.

import { describe, expect, it } from "vitest";
import { Edgelog } from "../../src/client/index.js";

/** A group of one: the coordinator assigns t/0 and t/1, nothing is committed, every partition is empty. */
function fakeGroupServer(offsetLookup: (partition: number) => Promise<void> = async () => {}) {
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
        partitions: body.partitions.map((p: { topic: string; partition: number }) => ({
          ...p,
          records: [],
          next_offset: 0,
          high_watermark: 0,
          log_start_offset: 0,
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
