// Kafka's promise under process crashes: SIGKILL the server at random moments while idempotent
// producers with retries write keyed records; every acknowledged record must be there exactly once.
// Half the producers write a geo-replicated topic with acks=all, whose copies must end identical.

import { expect, it } from "vitest";
import { partitionForKey } from "../../src/protocol/murmur2.js";
import { useServer } from "../support/server.js";

const PARTITIONS = 3;
const PRODUCERS = 4;
const KILLS = 4;
/** Records acknowledged after each restart before the next kill (up to twice this, at random). */
const MIN_ACKS_BETWEEN_KILLS = 30;
const enc = new TextEncoder();

const server = useServer();

/** Producers 0 and 1 write `crash` (acks=1), 2 and 3 write `crash-geo` (two replica regions, acks=all). */
const topicOf = (producer: number) => (producer < PRODUCERS / 2 ? "crash" : "crash-geo");
const REGIONS = ["weur", "apac"];

interface Acked {
  producer: number;
  n: number;
  key: string;
  partition: number;
  offset: number;
}

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${server().url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, body: await r.json() };
}

it("loses and duplicates no acknowledged record across SIGKILLs and restarts", async () => {
  expect((await post("/v1/topics", { name: "crash", partitions: PARTITIONS })).status).toBe(201);
  expect(
    (
      await post("/v1/topics", {
        name: "crash-geo",
        partitions: PARTITIONS,
        config: { "replica.regions": REGIONS, "min.insync.replicas": 2 },
      })
    ).status,
  ).toBe(201);
  const acked: Acked[] = [];
  // Kill moments are counted in acknowledged records, not wall time: a loaded machine acknowledges
  // fewer per second, and each crash must land while every producer is mid-stream.
  const ackWaiters: { n: number; resolve: () => void }[] = [];
  const acknowledge = (a: Acked) => {
    acked.push(a);
    for (const w of ackWaiters.filter((w) => acked.length >= w.n)) {
      ackWaiters.splice(ackWaiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const stats = { requests: 0, retries: 0, duplicateAnswers: 0, sent: 0 };
  let stopping = false;
  let down = false;

  const runProducer = async (producer: number) => {
    const identity = (await post("/v1/producers", {})).body;
    const sequences = new Map<number, number>();
    let n = 0;
    while (!stopping) {
      const records = Array.from({ length: 1 + (n % 5) }, () => {
        const key = `p${producer}-k${Math.floor(Math.random() * 6)}`;
        return { key, value: { producer, n: n++, key } };
      });
      const parts = [...new Set(records.map((r) => partitionForKey(enc.encode(r.key), PARTITIONS)))];
      const body = {
        records,
        acks: topicOf(producer) === "crash" ? 1 : "all",
        producer: { ...identity, sequences: Object.fromEntries(parts.map((p) => [p, sequences.get(p) ?? 0])) },
      };
      stats.sent += records.length;
      // Retry the identical request until it is acknowledged: safe because it is idempotent.
      for (let attempt = 0; ; attempt++) {
        stats.requests++;
        if (attempt > 0) stats.retries++;
        let r: { status: number; body: any } | undefined;
        try {
          r = await post(`/v1/topics/${topicOf(producer)}/records`, body);
        } catch {
          r = undefined; // connection refused or reset: the server is down or was killed mid-request
        }
        if (r?.status === 200) {
          r.body.records.forEach((x: any, i: number) => {
            if (x.duplicate) stats.duplicateAnswers++;
            const v = records[i]!.value;
            acknowledge({ producer, n: v.n, key: v.key, partition: x.partition, offset: x.offset });
          });
          for (const p of parts)
            sequences.set(
              p,
              (sequences.get(p) ?? 0) +
                records.filter((x) => partitionForKey(enc.encode(x.key), PARTITIONS) === p).length,
            );
          break;
        }
        if (r && r.status < 500 && r.status !== 429)
          throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
        await new Promise((res) => setTimeout(res, down ? 200 : 20 + Math.random() * 50));
      }
    }
  };

  const producers = Promise.all(Array.from({ length: PRODUCERS }, (_, i) => runProducer(i)));
  // A producer that fails ends the wait for acknowledgements at once (marked handled: it is raced below).
  const stoppedEarly = producers.then(() => {
    throw new Error("the producers stopped before the kills were done");
  });
  stoppedEarly.catch(() => {});
  /** Resolves once `more` further records are acknowledged. */
  const afterAcks = (more: number) =>
    Promise.race([new Promise<void>((resolve) => ackWaiters.push({ n: acked.length + more, resolve })), stoppedEarly]);
  for (let k = 0; k < KILLS; k++) {
    await afterAcks(MIN_ACKS_BETWEEN_KILLS + Math.floor(Math.random() * MIN_ACKS_BETWEEN_KILLS));
    down = true;
    await server().kill();
    await server().restart();
    down = false;
  }
  await afterAcks(MIN_ACKS_BETWEEN_KILLS);
  stopping = true;
  await producers;

  // Read every partition back from offset 0.
  const found = new Map<string, { partition: number; offset: number; key: string; n: number; producer: number }>();
  let duplicates = 0;
  let total = 0;
  for (const [topic, p] of ["crash", "crash-geo"].flatMap((t) =>
    Array.from({ length: PARTITIONS }, (_, p) => [t, p] as const),
  )) {
    let next = 0;
    const offsets: number[] = [];
    const lastNByKey = new Map<string, number>();
    for (;;) {
      const r = (await (
        await fetch(`${server().url}/v1/topics/${topic}/partitions/${p}/records?offset=${next}&max_records=5000`)
      ).json()) as any;
      for (const rec of r.records) {
        offsets.push(rec.offset);
        const id = `${rec.value.producer}/${rec.value.n}`;
        if (found.has(id)) duplicates++;
        found.set(id, { partition: p, offset: rec.offset, ...rec.value });
        // Per-key order: a key's records appear in the order its producer sent them.
        const last = lastNByKey.get(rec.key) ?? -1;
        expect(rec.value.n, `key ${rec.key} out of order at ${p}/${rec.offset}`).toBeGreaterThan(last);
        lastNByKey.set(rec.key, rec.value.n);
      }
      next = r.next_offset;
      if (next >= r.high_watermark) break;
    }
    expect(offsets, `${topic} partition ${p} offsets are dense`).toEqual(offsets.map((_, i) => i));
    total += offsets.length;
  }

  // Every copy of the replicated topic holds the leader's bytes: one more acks=all write per
  // partition settles the followers, then each copy serves its whole log itself.
  for (let p = 0; p < PARTITIONS; p++) {
    const last = await post(`/v1/topics/crash-geo/partitions/${p}/records`, {
      records: [{ value: "end" }],
      acks: "all",
    });
    expect(last.status).toBe(200);
    const leader = await rawLog(p, "leader");
    expect(leader.served).toBe("leader");
    for (const region of REGIONS) {
      const copy = await rawLog(p, region);
      expect(copy.served, `${region} serves partition ${p}`).toBe(region);
      expect(
        Buffer.from(copy.bytes).equals(Buffer.from(leader.bytes)),
        `${region} copy of partition ${p} is byte-identical`,
      ).toBe(true);
    }
  }

  expect(duplicates).toBe(0);
  for (const a of acked) {
    const f = found.get(`${a.producer}/${a.n}`);
    expect(f, `acknowledged record ${a.producer}/${a.n} is missing`).toBeDefined();
    expect([f!.partition, f!.offset]).toEqual([a.partition, a.offset]);
  }
  console.log(
    `crash test: kills=${KILLS} sent=${stats.sent} acknowledged=${acked.length} found=${total} ` +
      `duplicates=${duplicates} requests=${stats.requests} retries=${stats.retries} retries-answered-as-duplicates=${stats.duplicateAnswers}`,
  );
}, 120_000);

/** A crash-geo partition's whole log as raw batches, read from one copy, with the copy that answered. */
async function rawLog(p: number, replica: string): Promise<{ bytes: Uint8Array; served: string | null }> {
  const r = await fetch(
    `${server().url}/v1/topics/crash-geo/partitions/${p}/records?offset=0&max_records=10000&max_bytes=16777216&replica=${replica}`,
    { headers: { accept: "application/vnd.edgelog.record-batch" } },
  );
  expect(r.status).toBe(200);
  expect(Number(r.headers.get("edgelog-next-offset"))).toBe(Number(r.headers.get("edgelog-high-watermark")));
  return { bytes: new Uint8Array(await r.arrayBuffer()), served: r.headers.get("edgelog-replica") };
}
