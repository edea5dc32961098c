import { describe, expect, it } from "vitest";
import { Edgelog, EdgelogError } from "../../src/client/index.js";
import { backoff } from "../../src/client/transport.js";
import { partitionForKey } from "../../src/protocol/murmur2.js";

interface Call {
  method: string;
  path: string;
  body: any;
}

/** A fake server: topic metadata, producer ids, and a produce handler the test controls. */
function fakeServer(
  partitions: number | (() => number),
  produce: (call: Call, n: number) => Response | Promise<Response>,
) {
  const calls: Call[] = [];
  let produced = 0;
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const call = {
      method: init?.method ?? "GET",
      path: url.pathname,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    if (call.path === "/v1/producers") return Response.json({ id: "7", epoch: 0 }, { status: 201 });
    if (call.method === "GET" && /^\/v1\/topics\/[^/]+$/.test(call.path)) {
      return Response.json({
        name: "t",
        partition_count: typeof partitions === "number" ? partitions : partitions(),
        partitions: [],
      });
    }
    return produce(call, produced++);
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const ok = (call: Call) =>
  Response.json({
    records: call.body.records.map((_: unknown, i: number) => ({
      partition: 0,
      offset: (call.body.producer?.sequence ?? 0) + i,
      timestamp: 1,
    })),
  });
const produceCalls = (calls: Call[]) => calls.filter((c) => c.path.endsWith("/records"));

describe("Producer", () => {
  it("sends keyed records to the partition Kafka's murmur2 picks, per-partition, in order", async () => {
    const server = fakeServer(8, ok);
    const producer = new Edgelog({ url: "http://x", fetch: server.fetch }).producer({ lingerMs: 5 });
    const keys = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    await producer.send(
      "t",
      keys.map((key, i) => ({ key, value: i })),
    );
    for (const c of produceCalls(server.calls)) {
      const p = Number(/partitions\/(\d+)\/records$/.exec(c.path)![1]);
      for (const r of c.body.records) expect(partitionForKey(new TextEncoder().encode(r.key), 8)).toBe(p);
      const values = c.body.records.map((r: any) => r.value);
      expect(values).toEqual([...values].sort((a: number, b: number) => a - b));
    }
    expect(produceCalls(server.calls).flatMap((c) => c.body.records)).toHaveLength(50);
  });

  it("asks for acks=all when configured (every in-sync geo replica), acks=1 by default", async () => {
    const server = fakeServer(1, ok);
    const client = new Edgelog({ url: "http://x", fetch: server.fetch });
    await client.producer({ acks: "all" }).send("t", { value: 1 });
    await client.producer().send("t", { value: 2 });
    expect(produceCalls(server.calls).map((c) => c.body.acks)).toEqual(["all", 1]);
  });

  it("batches by lingerMs and splits by batchBytes", async () => {
    const server = fakeServer(1, ok);
    const client = new Edgelog({ url: "http://x", fetch: server.fetch });
    const lingering = client.producer({ lingerMs: 30 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => lingering.send("t", { value: i })));
    expect(produceCalls(server.calls)).toHaveLength(1);

    server.calls.length = 0;
    const small = client.producer({ lingerMs: 30, batchBytes: 200 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => small.send("t", { value: "x".repeat(40) + i })));
    const sent = produceCalls(server.calls);
    expect(sent.length).toBeGreaterThan(3);
    for (const c of sent) expect(JSON.stringify(c.body.records).length).toBeLessThan(400);
  });

  it("retries a failed batch under the same sequence, then advances it by the batch's size", async () => {
    const server = fakeServer(1, (call, n) =>
      n === 0
        ? Response.json({ error: { code: "LEADER_NOT_AVAILABLE", message: "busy", retriable: true } }, { status: 503 })
        : ok(call),
    );
    const events: string[] = [];
    const client = new Edgelog({
      url: "http://x",
      fetch: server.fetch,
      retry: { initialBackoffMs: 1, maxBackoffMs: 2 },
    });
    client.events.on("producer.retry", (e) => events.push(`retry ${e.attempt}`));
    const producer = client.producer({ lingerMs: 0 });
    await producer.send("t", [{ value: 1 }, { value: 2 }]);
    await producer.send("t", { value: 3 });
    const seqs = produceCalls(server.calls).map((c) => c.body.producer);
    expect(seqs).toEqual([
      { id: "7", epoch: 0, sequence: 0 },
      { id: "7", epoch: 0, sequence: 0 },
      { id: "7", epoch: 0, sequence: 2 },
    ]);
    expect(events).toEqual(["retry 1"]);
  });

  it("does not resend after a lost reply when idempotence is off", async () => {
    const server = fakeServer(1, () => {
      throw new TypeError("fetch failed");
    });
    const producer = new Edgelog({ url: "http://x", fetch: server.fetch }).producer({ lingerMs: 0, idempotent: false });
    const err = await producer.send("t", { value: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(EdgelogError);
    expect(err.code).toBe("NETWORK_EXCEPTION");
    expect(produceCalls(server.calls)).toHaveLength(1);
    expect(produceCalls(server.calls)[0]!.body.producer).toBeUndefined();
  });

  it("makes send() wait while the buffer is full (back-pressure)", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let arrived: () => void = () => {};
    const firstRequest = new Promise<void>((r) => (arrived = r));
    const server = fakeServer(1, async (call) => {
      arrived();
      await gate;
      return ok(call);
    });
    const producer = new Edgelog({ url: "http://x", fetch: server.fetch }).producer({
      lingerMs: 0,
      batchBytes: 100,
      maxBufferedBytes: 300,
    });
    const first = producer.send(
      "t",
      Array.from({ length: 3 }, () => ({ value: "y".repeat(60) })),
    );
    let secondQueued = false;
    const second = producer.send("t", { value: "z".repeat(60) }).then((r) => {
      secondQueued = true;
      return r;
    });
    // With the first request held by the server, the buffer is full: the second send is parked.
    await firstRequest;
    await new Promise((r) => setImmediate(r));
    expect(producer.bufferedBytes).toBeLessThanOrEqual(300);
    expect(secondQueued).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(producer.bufferedBytes).toBe(0);
  });

  it("describes the topic again when asked for a partition added since it was cached", async () => {
    let partitions = 1;
    const server = fakeServer(() => partitions, ok);
    const producer = new Edgelog({ url: "http://x", fetch: server.fetch }).producer({ lingerMs: 0 });
    await producer.send("t", { value: 1 });
    partitions = 2;
    const [sent] = await producer.send("t", { value: 2, partition: 1 });
    expect(sent!.partition).toBe(1);
    const err = await producer.send("t", { value: 3, partition: 2 }).catch((e) => e);
    expect(err).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    expect(err.message).toMatch(/partitions 0\.\.1; there is no partition 2/);
  });

  it("fails fast on options that cannot work", () => {
    const client = new Edgelog({ url: "http://x" });
    expect(() => client.producer({ batchBytes: 1000, maxBufferedBytes: 10 })).toThrow(/maxBufferedBytes/);
    expect(() => new Edgelog({ url: "not a url" })).toThrow(/not a URL/);
  });
});

describe("transport", () => {
  it("backs off with full jitter, as its docs say: a uniform wait up to the exponential bound, never sooner than Retry-After", () => {
    const policy = { initialBackoffMs: 100, maxBackoffMs: 1_000, maxElapsedMs: 10_000 };
    // The random draw picks a point in [0, bound): the whole range, not its upper half (equal jitter).
    expect(backoff(0, policy, undefined, () => 0)).toBe(0);
    expect(backoff(3, policy, undefined, () => 0.5)).toBe(400);
    expect(backoff(3, policy, undefined, () => 0.999)).toBeLessThan(800);
    expect(backoff(10, policy, undefined, () => 0.999)).toBeLessThan(1_000);
    expect(backoff(0, policy, 3, () => 0.5)).toBe(3_000);
    for (let i = 0; i < 50; i++) expect(backoff(2, policy)).toBeLessThan(400);
  });

  it("turns error replies into typed errors with code, retriable and Retry-After", async () => {
    const fetch = (async () =>
      Response.json(
        { error: { code: "THROTTLING_QUOTA_EXCEEDED", message: "slow down", retriable: true } },
        { status: 429, headers: { "retry-after": "2" } },
      )) as typeof globalThis.fetch;
    const err = await new Edgelog({ url: "http://x", fetch })
      .admin()
      .createTopic("t")
      .catch((e) => e);
    expect(err).toMatchObject({
      code: "THROTTLING_QUOTA_EXCEEDED",
      retriable: true,
      retryAfter: 2,
      message: "slow down",
    });
  });

  it("costs nothing to emit instrumentation nobody listens to", () => {
    const client = new Edgelog({ url: "http://x" });
    let built = 0;
    client.events.emit("consumer.error", () => ({ error: built++ }));
    expect(built).toBe(0);
    const off = client.events.on("consumer.error", () => {});
    client.events.emit("consumer.error", () => ({ error: built++ }));
    off();
    expect(built).toBe(1);
  });
});
