// Exactly-once against a real server: an SDK consume-transform-produce loop (3 input and 3 output
// partitions, one transaction per input batch with its offsets) while the server is SIGKILLed
// during commits. Under read_committed the output must hold every input record exactly once.

import { expect, it } from "vitest";
import { Edgelog, EdgelogError } from "../../src/client/index.js";
import type { Consumer } from "../../src/client/consumer.js";
import type { Producer } from "../../src/client/producer.js";
import { useServer } from "../support/server.js";

const server = useServer();
const PARTITIONS = 3;
const INPUT = 600;
const KILLS = 3;

interface Stats {
  committed: number;
  failed: number;
  instances: number;
}

it("turns every input record into exactly one output record across SIGKILLs during commits", async () => {
  const client = new Edgelog({ url: server().url, retry: { maxElapsedMs: 60_000 } });
  const admin = client.admin();
  // The application gives up on a request after a few seconds, as a real one with its own deadline
  // does: a kill mid-commit then fails the instance, a new one takes over (fencing the old one and
  // aborting what it left open) and processes the batch again.
  const app = new Edgelog({ url: server().url, retry: { maxElapsedMs: 3_000 } });
  await admin.createTopic("in", { partitions: PARTITIONS });
  await admin.createTopic("out", { partitions: PARTITIONS });
  const seed = client.producer({ lingerMs: 0 });
  for (let i = 0; i < INPUT; i += 50) {
    await seed.send(
      "in",
      Array.from({ length: 50 }, (_, j) => ({ key: `k${(i + j) % 17}`, value: { n: i + j } })),
    );
  }
  await seed.close();

  const stats: Stats = { committed: 0, failed: 0, instances: 0 };
  let committing = false;
  let stopping = false;
  let current: Consumer | undefined;

  /** One application instance: a group member and a transactional producer, until a failure. */
  const runInstance = async (): Promise<void> => {
    stats.instances++;
    const consumer: Consumer = app.consumer({
      groupId: "etl",
      fromBeginning: true,
      autoCommitIntervalMs: 0, // offsets are committed inside the transactions only
      maxWaitMs: 200,
      maxRecords: 40,
      // Static membership: the next instance takes the partitions over at once (KIP-345), and the
      // failed one's member epoch is fenced.
      instanceId: "etl-0",
      sessionTimeoutMs: 10_000,
    });
    // A new instance with the same transactional id fences the last one and aborts what it left open.
    const producer: Producer = app.producer({ transactionalId: "etl-1", lingerMs: 0, transactionTimeoutMs: 10_000 });
    consumer.subscribe("in");
    current = consumer;
    try {
      // Before consuming, as Kafka's EOS applications do: this aborts the last instance's open
      // transaction, whose pending offsets would hold read_committed offset fetches until its timeout.
      await producer.initTransactions();
      await consumer.run({
        eachBatch: async ({ topic, partition, messages }) => {
          const txn = await producer.transaction();
          try {
            await txn.send(
              "out",
              messages.map((m) => ({
                key: m.key,
                value: { from: `${m.partition}/${m.offset}`, n: (m.value as any).n },
              })),
            );
            await txn.sendOffsets({
              consumer,
              topics: [{ topic, partitions: [{ partition, offset: String(messages.at(-1)!.offset + 1) }] }],
            });
            committing = true;
            await txn.commit();
            stats.committed++;
          } catch (e) {
            await txn.abort().catch(() => undefined);
            throw e;
          } finally {
            committing = false;
          }
        },
      });
      await consumer.done();
    } catch (e) {
      if (!(e instanceof EdgelogError)) throw e;
      stats.failed++;
    } finally {
      await consumer.stop().catch(() => undefined);
    }
  };

  /** Whether the group has committed every input offset (read with RequireStable). */
  const done = async (): Promise<boolean> => {
    const lag = await admin.lag("etl", ["in"]).catch(() => undefined);
    return lag !== undefined && lag.length === PARTITIONS && lag.every((l) => l.lag === 0);
  };

  const worker = (async () => {
    while (!stopping) {
      await runInstance();
      if (stopping || (await done())) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  // SIGKILL the server while a commit is in flight, up to KILLS times, each after the instance
  // running since the last one committed something.
  let kills = 0;
  while (kills < KILLS && !(await done())) {
    const deadline = Date.now() + 30_000;
    const before = stats.committed;
    while ((stats.committed === before || !committing) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
    if (!committing) break;
    await new Promise((r) => setTimeout(r, Math.random() * 15));
    await server().kill();
    kills++;
    await server().restart();
  }
  for (const deadline = Date.now() + 60_000; !(await done()) && Date.now() < deadline; )
    await new Promise((r) => setTimeout(r, 200));
  stopping = true;
  await current?.stop();
  await worker;

  // Every input record appears exactly once in the committed output.
  const seen = new Map<string, number>();
  let written = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    written += (await admin.describeTopic("out")).partitions[p]!.high_watermark;
    let offset = 0;
    for (;;) {
      const r = (await (
        await fetch(
          `${server().url}/v1/topics/out/partitions/${p}/records?offset=${offset}&max_records=5000&isolation=read_committed`,
        )
      ).json()) as {
        records: { value: { from: string } }[];
        next_offset: number;
        last_stable_offset: number;
        high_watermark: number;
      };
      for (const rec of r.records) seen.set(rec.value.from, (seen.get(rec.value.from) ?? 0) + 1);
      if (r.next_offset === offset || r.next_offset >= r.last_stable_offset) {
        expect(r.last_stable_offset, `out/${p}: nothing left open`).toBe(r.high_watermark);
        break;
      }
      offset = r.next_offset;
    }
  }
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  // What the killed instances wrote and never committed is in the log, for read_uncommitted only.
  let uncommitted = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const r = (await (
      await fetch(`${server().url}/v1/topics/out/partitions/${p}/records?offset=0&max_records=10000`)
    ).json()) as { records: unknown[] };
    uncommitted += r.records.length;
  }
  console.log(
    `transactions e2e: kills=${kills} instances=${stats.instances} committed=${stats.committed} ` +
      `failed-instances=${stats.failed} output=${seen.size} duplicates=${duplicates} offsets-written=${written} ` +
      `read-uncommitted=${uncommitted}`,
  );
  expect(kills).toBeGreaterThan(0);
  expect(duplicates).toBe(0);
  expect(seen.size).toBe(INPUT);
}, 120_000);
