import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Edgelog, type ConsumedMessage, type LiveFrame } from "../../src/client/index.js";
import { startServer, type EdgelogServer } from "../support/server.js";

let server: EdgelogServer;
let client: Edgelog;
beforeAll(async () => {
  server = await startServer();
  client = new Edgelog({ url: server.url });
}, 90_000);
afterAll(async () => {
  await server?.dispose();
});

let seq = 0;
const uniqueName = (p: string) => `${p}-${Date.now().toString(36)}-${++seq}`;

/** Resolves once `cond` holds, checked whenever `tick` is called (from a consumer handler). */
function waiter(cond: () => boolean) {
  let wake: () => void = () => {};
  const done = new Promise<void>((r) => (wake = r));
  return { done, tick: () => (cond() ? wake() : undefined) };
}

describe("SDK against a running server", () => {
  it("round-trips 100,000 records through a group of two consumers exactly once", async () => {
    const topic = uniqueName("rt");
    const group = uniqueName("g");
    await client.admin().createTopic(topic, { partitions: 4 });
    const N = 100_000;
    const seen = new Map<string, number>();
    const byMember = [0, 0];
    const all = waiter(() => seen.size === N);
    const consumers = [0, 1].map((i) => {
      const c = client.consumer({
        groupId: group,
        fromBeginning: true,
        autoCommitIntervalMs: 500,
        maxWaitMs: 500,
        maxRecords: 5_000,
        sessionTimeoutMs: 6_000,
      });
      c.subscribe(topic);
      return { c, i };
    });
    const split = waiter(
      () =>
        consumers.every(({ c }) => c.assignment().length > 0) &&
        consumers.reduce((n, { c }) => n + c.assignment().length, 0) === 4,
    );
    const offAssign = client.events.on("consumer.assign", split.tick);
    for (const { c, i } of consumers) {
      await c.run({
        eachBatch: ({ messages }) => {
          for (const m of messages) seen.set(m.key!, (seen.get(m.key!) ?? 0) + 1);
          byMember[i]! += messages.length;
          all.tick();
        },
      });
    }

    // The coordinator moves partitions to the second member once the first releases them.
    await split.done;
    offAssign();
    const producer = client.producer({ lingerMs: 20, batchBytes: 256 * 1024 });
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < N; i += 1_000) {
      sends.push(
        producer.send(
          topic,
          Array.from({ length: 1_000 }, (_, j) => ({ key: `k${i + j}`, value: { i: i + j } })),
        ),
      );
    }
    await Promise.all(sends);
    await producer.close();
    await all.done;
    await Promise.all(consumers.map(({ c }) => c.stop()));

    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(byMember[0]! + byMember[1]!).toBe(N);
    // Both members took part: the group split the partitions between them.
    expect(byMember[0]).toBeGreaterThan(0);
    expect(byMember[1]).toBeGreaterThan(0);
    const lag = await client.admin().lag(group, [topic]);
    expect(lag.reduce((n, p) => n + p.lag, 0)).toBe(0);
  });

  it("hands a stopping consumer's partitions to the remaining one without loss", async () => {
    const topic = uniqueName("handover");
    const group = uniqueName("g");
    await client.admin().createTopic(topic, { partitions: 2 });
    const N = 2_000;
    const producer = client.producer({ lingerMs: 5 });
    await producer.send(
      topic,
      Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: i })),
    );
    await producer.close();

    const seen = new Map<number, number>();
    const record = (m: ConsumedMessage) => seen.set(m.value as number, (seen.get(m.value as number) ?? 0) + 1);
    const opts = {
      groupId: group,
      fromBeginning: true,
      autoCommitIntervalMs: 60_000,
      maxWaitMs: 200,
      maxRecords: 50,
      sessionTimeoutMs: 6_000,
    };
    const a = client.consumer(opts);
    a.subscribe(topic);
    const partway = waiter(() => seen.size >= 200);
    await a.run({
      eachMessage: (m) => {
        record(m);
        partway.tick();
      },
    });
    await partway.done;

    const b = client.consumer(opts);
    b.subscribe(topic);
    const all = waiter(() => seen.size === N);
    await b.run({
      eachMessage: (m) => {
        record(m);
        all.tick();
      },
    });
    // a leaves mid-stream: it commits what it processed, then releases, and b picks up from there.
    await a.stop();
    await all.done;
    await b.stop();
    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(b.assignment()).toEqual([]);
  });

  it("loses and duplicates nothing when the server is restarted under an idempotent producer", async () => {
    const topic = uniqueName("restart");
    await client.admin().createTopic(topic, { partitions: 3 });
    const producer = client.producer({ lingerMs: 2, batchBytes: 4 * 1024 });
    let retries = 0;
    let firstRetry: () => void = () => {};
    const retrying = new Promise<void>((r) => (firstRetry = r));
    const off = client.events.on("producer.retry", () => {
      retries++;
      firstRetry();
    });
    const N = 3_000;
    const batch = (from: number) =>
      producer.send(
        topic,
        Array.from({ length: 100 }, (_, j) => ({ key: `k${from + j}`, value: from + j })),
      );
    // The first batch learns the topic's metadata and the producer id while the server is up.
    const sends: Promise<unknown>[] = [await batch(0)].map((r) => Promise.resolve(r));
    for (let i = 100; i < 1_500; i += 100) sends.push(batch(i));
    // Killed with requests in flight; more are sent while it is down, and it comes back once they retry.
    await server.kill();
    for (let i = 1_500; i < N; i += 100) sends.push(batch(i));
    await retrying;
    await server.restart();
    const acked = (await Promise.all(sends)).flat() as { partition: number; offset: number }[];
    await producer.close();
    off();
    expect(retries).toBeGreaterThan(0);
    expect(acked).toHaveLength(N);

    const values: number[] = [];
    const c = client.consumer({ fromBeginning: true, maxWaitMs: 100 });
    c.subscribe(topic);
    const all = waiter(() => values.length >= N);
    await c.run({
      eachMessage: (m) => {
        values.push(m.value as number);
        all.tick();
      },
    });
    await all.done;
    await c.stop();
    expect(values.sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    // Each partition's offsets are dense and hold N records in all: nothing was written twice.
    const d = await client.admin().describeTopic(topic);
    expect(d.partitions.reduce((n, p) => n + p.high_watermark, 0)).toBe(N);
    expect(new Set(acked.map((m) => `${m.partition}/${m.offset}`)).size).toBe(N);
  });

  it("follows partitions live without a group, honouring seek, pause and resume", async () => {
    const topic = uniqueName("plain");
    await client.admin().createTopic(topic, { partitions: 2 });
    const producer = client.producer({ lingerMs: 0 });
    await producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ value: i, partition: 0 })),
    );
    await producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ value: 100 + i, partition: 1 })),
    );

    const seen: number[] = [];
    let seeked = false;
    const c = client.consumer({ fromBeginning: true, maxWaitMs: 200 });
    c.subscribe(topic);
    const p0 = waiter(() => seen.filter((v) => v < 100).length === 15);
    const p1 = waiter(() => seen.filter((v) => v >= 100).length === 10);
    const live = waiter(() => seen.includes(42));
    await c.run({
      eachMessage: (m) => {
        seen.push(m.value as number);
        if (m.partition === 0 && m.offset === 9 && !seeked) {
          seeked = true;
          c.seek(topic, 0, 5);
        }
        p0.tick();
        p1.tick();
        live.tick();
      },
    });
    c.pause([{ topic, partition: 1 }]);
    await p0.done;
    // Partition 1 was paused before any fetch could return it.
    expect(seen.every((v) => v < 100)).toBe(true);
    c.resume([{ topic, partition: 1 }]);
    await p1.done;
    await producer.send(topic, { value: 42, partition: 0 });
    await live.done;
    await c.stop();
    await producer.close();
    expect(seen.filter((v) => v < 100)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 42]);
    expect(seen.filter((v) => v >= 100)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });

  it("commits manually when auto-commit is off, and reports lag", async () => {
    const topic = uniqueName("manual");
    const group = uniqueName("g");
    await client.admin().createTopic(topic);
    const producer = client.producer({ lingerMs: 0 });
    await producer.send(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ value: i })),
    );
    await producer.close();
    const c = client.consumer({
      groupId: group,
      fromBeginning: true,
      autoCommitIntervalMs: 0,
      maxRecords: 5,
      maxWaitMs: 200,
      sessionTimeoutMs: 6_000,
    });
    c.subscribe(topic);
    let count = 0;
    const some = waiter(() => count >= 10);
    await c.run({
      eachBatch: async ({ messages, topic: t, partition }) => {
        count += messages.length;
        if (count === 10) await c.commit([{ topic: t, partition, offset: messages.at(-1)!.offset + 1 }]);
        some.tick();
      },
    });
    await some.done;
    await c.stop();
    expect(await client.admin().groupOffsets(group)).toEqual([
      expect.objectContaining({ topic, partition: 0, offset: 10 }),
    ]);
    expect((await client.admin().lag(group)).map((l) => l.lag)).toEqual([10]);
  });

  it("delivers each record to a live subscriber while the tail is open, in order and once (latency reported)", async () => {
    const topic = uniqueName("live");
    await client.admin().createTopic(topic);
    const ac = new AbortController();
    const frames = client.tail(topic, 0, { offset: 0, signal: ac.signal });
    const producer = client.producer({ lingerMs: 0 });
    const N = 200;
    const received: { offset: number; value: unknown }[] = [];
    const latencies: number[] = [];
    const sendToReceipt: number[] = [];
    const it = frames[Symbol.asyncIterator]();
    const acked: number[] = [];
    for (let i = 0; i <= N; i++) {
      // The tail is already open: each record must reach it before the next is sent. Record N is a
      // sentinel, so a repeat of any earlier record would show before it.
      const next = (async () => {
        while (received.length <= i) {
          const frame = await it.next();
          expect(frame.done, "the live tail ended").toBe(false);
          received.push(...(frame.value as LiveFrame).records.map((r) => ({ offset: r.offset, value: r.value })));
        }
        // Stamped when the frame arrives, which may be before the producer hears its ack (then < 0).
        return performance.now();
      })();
      const sentAt = performance.now();
      const [meta] = await producer.send(topic, { value: i });
      const ackedAt = performance.now();
      acked.push(meta!.offset);
      const at = await next;
      if (i < N) {
        latencies.push(at - ackedAt);
        sendToReceipt.push(at - sentAt);
      }
    }
    ac.abort();
    await it.return?.(undefined);
    await producer.close();
    // What a live subscriber relies on: every record, in the order written, each exactly once.
    expect(received.map((r) => r.offset)).toEqual(acked);
    expect(acked).toEqual(Array.from({ length: N + 1 }, (_, i) => i));
    expect(received.map((r) => r.value)).toEqual(Array.from({ length: N + 1 }, (_, i) => i));
    // Speed is the benchmarks' to judge (docs/performance.md); here it is only reported.
    const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]!.toFixed(2);
    const early = latencies.filter((l) => l <= 0).length;
    console.log(
      `live tail (SSE) over ${N} records: send() to receipt p50 ${pct(sendToReceipt, 0.5)} ms, p99 ${pct(sendToReceipt, 0.99)} ms; ` +
        `receipt minus ack p50 ${pct(latencies, 0.5)} ms, p99 ${pct(latencies, 0.99)} ms; ${early} arrived before the ack`,
    );
  });
});
