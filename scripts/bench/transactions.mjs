// `node scripts/bench/transactions.mjs [--quick]`: what transactions cost, beside an idempotent
// baseline measured in the same run (docs/performance.md#transactions).
//   T1 commit latency of a 3-partition transaction (one record to each partition, then commit),
//      beside the same three writes made idempotently without a transaction;
//   T2 produce throughput inside transactions (100-record requests, one in flight per partition,
//      a commit every 10 requests per partition, commits counted in the time) beside idempotent
//      produce of the same requests.
// Edgelog runs under the Miniflare API (scripts/bench/systems/edgelog.mjs), as `npm run bench` does.

import { buildAll } from "./build.mjs";
import { expectOk } from "./load.mjs";
import { percentiles, summarize } from "./stats.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";

const quick = process.argv.includes("--quick");
const P = quick ? { runs: 1, t1: 50, t2Rounds: 3 } : { runs: 5, t1: 200, t2Rounds: 10 };
const PARTITIONS = 3;
const BATCH = 100;
const PER_TXN = 10;
const log = (...m) => console.error(...m);
let seq = 0;
const fresh = (w) => `bench-${w}-${Date.now().toString(36)}-${seq++}`;

async function main() {
  const { worker, hot } = await buildAll();
  const { system } = await startEdgelog({ worker, hot: await import(hot), valueBytes: 100, batchSize: BATCH });
  const base = system.url;
  const json = async (method, path, body) =>
    JSON.parse(
      (
        await expectOk(method, `${base}${path}`, {
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).body,
    );
  const value = { v: "x".repeat(90) };
  const produce = (topic, p, records, producer) =>
    json("POST", `/v1/topics/${topic}/partitions/${p}/records`, {
      records: Array.from({ length: records }, () => ({ value })),
      producer,
    });

  /** T1: sequential transactions of one record per partition; ms per commit and per whole transaction. */
  async function commitLatency() {
    const topic = fresh("t1");
    await json("POST", "/v1/topics", { name: topic, partitions: PARTITIONS });
    const id = fresh("txn");
    let producer = (await json("POST", `/v1/transactions/${id}/init`, {})).producer;
    const commits = [];
    const whole = [];
    for (let i = 0; i < P.t1 + 20; i++) {
      const start = performance.now();
      await Promise.all(
        Array.from({ length: PARTITIONS }, (_, p) =>
          produce(topic, p, 1, { ...producer, sequence: 0, transactional_id: id }),
        ),
      );
      const c = performance.now();
      const r = await json("POST", `/v1/transactions/${id}/commit`, { producer });
      if (!r.complete) throw new Error("a commit did not complete");
      producer = r.producer;
      const end = performance.now();
      if (i >= 20) {
        commits.push(end - c);
        whole.push(end - start);
      }
    }
    // The baseline: the same three writes, idempotent, no transaction.
    const plainTopic = fresh("t1-idem");
    await json("POST", "/v1/topics", { name: plainTopic, partitions: PARTITIONS });
    const idem = await json("POST", "/v1/producers", {});
    const writes = [];
    for (let i = 0; i < P.t1 + 20; i++) {
      const start = performance.now();
      await Promise.all(
        Array.from({ length: PARTITIONS }, (_, p) => produce(plainTopic, p, 1, { ...idem, sequence: i })),
      );
      if (i >= 20) writes.push(performance.now() - start);
    }
    return {
      commit: percentiles(commits),
      transaction: percentiles(whole),
      idempotentWrites: percentiles(writes),
    };
  }

  /** T2: records/s, transactional (committing every PER_TXN requests per partition) or idempotent. */
  async function throughput(transactional) {
    const topic = fresh(transactional ? "t2-txn" : "t2-idem");
    await json("POST", "/v1/topics", { name: topic, partitions: PARTITIONS });
    const id = fresh("txn");
    let producer = transactional
      ? (await json("POST", `/v1/transactions/${id}/init`, {})).producer
      : await json("POST", "/v1/producers", {});
    const sequences = new Array(PARTITIONS).fill(0);
    const start = performance.now();
    for (let round = 0; round < P.t2Rounds; round++) {
      await Promise.all(
        Array.from({ length: PARTITIONS }, async (_, p) => {
          for (let i = 0; i < PER_TXN; i++) {
            const fields = { ...producer, sequence: sequences[p] };
            await produce(topic, p, BATCH, transactional ? { ...fields, transactional_id: id } : fields);
            sequences[p] += BATCH;
          }
        }),
      );
      if (transactional) {
        producer = (await json("POST", `/v1/transactions/${id}/commit`, { producer })).producer;
        sequences.fill(0); // version 2: a new epoch per transaction, sequences from 0
      }
    }
    const secs = (performance.now() - start) / 1000;
    return (P.t2Rounds * PARTITIONS * PER_TXN * BATCH) / secs;
  }

  try {
    // Unmeasured warm-up of both paths.
    await throughput(false);
    await throughput(true);
    const t1 = [];
    const t2 = { transactional: [], idempotent: [] };
    for (let run = 0; run < P.runs; run++) {
      log(`run ${run + 1}/${P.runs}`);
      t1.push(await commitLatency());
      // Alternated, so neither side always runs on a warmer or busier machine.
      t2.idempotent.push(await throughput(false));
      t2.transactional.push(await throughput(true));
    }
    const med = (f) => summarize(t1.map(f)).median;
    const out = {
      runs: P.runs,
      t1: {
        commitP50Ms: med((r) => r.commit.p50),
        commitP99Ms: med((r) => r.commit.p99),
        transactionP50Ms: med((r) => r.transaction.p50),
        idempotentWritesP50Ms: med((r) => r.idempotentWrites.p50),
      },
      t2: {
        transactionalRecordsPerSec: summarize(t2.transactional).median,
        idempotentRecordsPerSec: summarize(t2.idempotent).median,
      },
    };
    out.t1.transactionOverIdempotent = out.t1.transactionP50Ms / out.t1.idempotentWritesP50Ms;
    out.t2.transactionalOverIdempotent = out.t2.transactionalRecordsPerSec / out.t2.idempotentRecordsPerSec;
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await system.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
