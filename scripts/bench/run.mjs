// `npm run bench [-- --quick] [--peers]`: edgelog beside its floors (and, with --peers, Redis
// Streams and NATS JetStream), one system at a time, through one load generator and one stats module.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { buildAll, buildPaths, buildWorker, ROOT } from "./build.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";
import { consume, endToEndInterleaved, flatWithSize, produceBatched, produceUnbatched } from "./workloads.mjs";
import { renderTables } from "./table.mjs";
import { kafkajsProduce, sdkProduce, startGateway } from "./sdk-paths.mjs";
import { summarize } from "./stats.mjs";

const argv = process.argv.slice(2);
const args = new Set(argv);
// --w4-only: only W4 at both rates, edgelog interleaved with the live floor (and, with
// --baseline <checkout>, with that checkout's edgelog too: a before/after in one session).
const w4Only = args.has("--w4-only");
const baselineRoot = argv.includes("--baseline") ? argv[argv.indexOf("--baseline") + 1] : undefined;
// --trace: edgelog keeps per-hop marks of each record (EDGELOG_BENCH_TRACE=on) and W4 attributes its latency to the hops.
const trace = args.has("--trace");
// --smoke: the smallest run of every workload, edgelog only, nothing saved (the e2e smoke test uses it).
const smoke = args.has("--smoke");
const quick = args.has("--quick") || smoke;
const peers = args.has("--peers");
const log = (...m) => console.error(...m);

const P = smoke
  ? { runs: 1, w1: 500, w2: 100, w4Seconds: 1, w5Size: 10_000, w5Samples: 5, w6: 400 }
  : quick
    ? { runs: 1, w1: 20_000, w2: 2_000, w4Seconds: 3, w5Size: 200_000, w5Samples: 30, w6: 20_000 }
    : { runs: 3, w1: 500_000, w2: 20_000, w4Seconds: 10, w5Size: 5_000_000, w5Samples: 100, w6: 500_000 };
const VALUE_BYTES = 100;
const BATCH = 100;
const W1_IN_FLIGHT = 8;
const W2_IN_FLIGHT = 32;
const W4_RATE = 1000;
const W4_LOW_RATE = 100;
const common = { valueBytes: VALUE_BYTES, batchSize: BATCH };

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model;
  const version = (pkg) => JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  return {
    date: new Date().toISOString(),
    nproc: Number(execFileSync("nproc").toString().trim()),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    workerd: version("workerd"),
    miniflare: version("miniflare"),
  };
}

/**
 * W4 at both rates; `others` (the live floor, a baseline build) run interleaved with `sys`, run by
 * run, and their results land in `others[i].out`.
 */
async function runW4(sys, out, allOthers = []) {
  for (const [key, rate] of [
    ["w4", W4_RATE],
    ["w4low", W4_LOW_RATE],
  ]) {
    // --low-only: W4 at the low rate alone (a quicker before/after of the live path).
    if (key === "w4" && args.has("--low-only")) continue;
    // --smoke: the others at the low rate only (at 1,000/s each run drains a backlog for seconds).
    const others = smoke && key === "w4" ? [] : allOthers;
    log(`${[sys, ...others.map((o) => o.sys)].map((x) => x.name).join(" / ")}: W4 at ${rate}/s`);
    const [mine, ...theirs] = await endToEndInterleaved([sys, ...others.map((o) => o.sys)], {
      rate,
      seconds: P.w4Seconds,
      runs: P.runs,
      valueBytes: VALUE_BYTES,
    });
    out[key] = mine;
    theirs.forEach((r, i) => (others[i].out[key] = r));
  }
}

/** W1 (each format), W2 and, for real logs, W3, W4 and W6: the workloads every system shares. */
async function runSystem(sys, { produceOnly = false, w4With = [] } = {}) {
  const out = { name: sys.name, version: sys.version };
  // A short unmeasured warm-up, so no system's first run pays for cold start (JIT, object creation, files).
  for (const format of sys.formats) {
    await produceBatched(sys, { ...common, total: BATCH * 100, concurrency: W1_IN_FLIGHT, runs: 1, format });
  }
  for (const format of sys.formats) {
    log(`${sys.name}: W1 ${format}`);
    out[`w1_${format}`] = await produceBatched(sys, {
      ...common,
      total: P.w1,
      concurrency: W1_IN_FLIGHT,
      runs: P.runs,
      format,
    });
  }
  log(`${sys.name}: W2`);
  out.w2 = await produceUnbatched(sys, { total: P.w2, concurrency: W2_IN_FLIGHT, runs: P.runs });
  if (produceOnly) return out;
  for (const format of sys.formats) {
    const w1 = out[`w1_${format}`].last;
    log(`${sys.name}: W3 ${format}`);
    out[`w3_${format}`] = await consume(sys, { topic: w1.topic, total: w1.records, runs: P.runs, format });
  }
  // The low rate is below every system's unbatched produce rate: the live path without a produce backlog.
  await runW4(sys, out, w4With);
  for (const n of [2, 4]) {
    for (const format of sys.formats) {
      log(`${sys.name}: W6 ${n} partitions ${format}`);
      out[`w6_${n}_${format}`] = await produceBatched(sys, {
        ...common,
        total: P.w6,
        concurrency: W1_IN_FLIGHT,
        runs: P.runs,
        format,
        partitions: n,
      });
    }
  }
  return out;
}

/** W1's records as users send them: the SDK producer with its defaults, and kafkajs through the Kafka gateway. */
async function sdkPaths(system) {
  const { client, gateway } = await buildPaths();
  const sdk = await import(client);
  const gw = await startGateway(gateway, system.url);
  const out = { w1_sdk: [], w1_kafkajs: [] };
  try {
    for (let run = 0; run < P.runs; run++) {
      log(`edgelog: W1 through the SDK producer (run ${run + 1})`);
      const t1 = await system.createLog(`bench-sdk-${Date.now().toString(36)}-${run}`, 1);
      out.w1_sdk.push((await sdkProduce(sdk, system.url, t1, { total: P.w1, valueBytes: VALUE_BYTES })).recordsPerSec);
      log(`edgelog: W1 through kafkajs and the Kafka gateway (run ${run + 1})`);
      const t2 = await system.createLog(`bench-kjs-${Date.now().toString(36)}-${run}`, 1);
      const r = await kafkajsProduce(gw.broker, t2, {
        total: P.w1,
        valueBytes: VALUE_BYTES,
        batchSize: BATCH,
        concurrency: W1_IN_FLIGHT,
      });
      out.w1_kafkajs.push(r.recordsPerSec);
    }
  } finally {
    gw.stop();
  }
  return {
    w1_sdk: { recordsPerSec: summarize(out.w1_sdk) },
    w1_kafkajs: { recordsPerSec: summarize(out.w1_kafkajs) },
  };
}

async function main() {
  const started = Date.now();
  log(`edgelog bench${quick ? " (quick: 1 run, smaller workloads)" : ""}${peers ? " with peers" : ""}`);
  const { worker, hot } = await buildAll();
  const hotModule = await import(hot);
  const results = {
    machine: machine(),
    params: {
      ...P,
      valueBytes: VALUE_BYTES,
      batch: BATCH,
      w1InFlight: W1_IN_FLIGHT,
      w2InFlight: W2_IN_FLIGHT,
      w4Rate: W4_RATE,
      w4LowRate: W4_LOW_RATE,
      quick,
    },
    systems: {},
  };

  const { system, floors } = await startEdgelog({ worker, hot: hotModule, trace, ...common });
  // The live floors and edgelog's own WebSocket tail, interleaved with edgelog's SSE W4.
  const liveOthers = () => {
    const ws = { ...system, name: "edgelog (WebSocket tail)", subscribe: system.subscribeWs, trace: undefined };
    return [
      { sys: floors.live, out: (results.systems.live = { name: floors.live.name }) },
      { sys: floors.liveWs, out: (results.systems.live_ws = { name: floors.liveWs.name }) },
      { sys: ws, out: (results.systems.edgelog_ws = { name: ws.name }) },
    ];
  };
  if (w4Only) {
    const others = liveOthers();
    let baseline;
    try {
      if (baselineRoot) {
        const bw = buildWorker(baselineRoot, join(ROOT, ".tmp/bench-build-baseline"));
        baseline = (await startEdgelog({ worker: bw, hot: hotModule, ...common })).system;
        baseline.name = "edgelog (baseline)";
        others.push({ sys: baseline, out: (results.systems.baseline = { name: baseline.name }) });
      }
      results.systems.edgelog = { name: system.name };
      await runW4(system, results.systems.edgelog, others);
    } finally {
      await system.stop();
      await baseline?.stop();
    }
    results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
    console.log(renderTables(results));
    return;
  }
  try {
    results.systems.noop = await runSystem(floors.noop, { produceOnly: true });
    results.systems.bare = await runSystem(floors.bare, { produceOnly: true });
    results.systems.edgelog = await runSystem(system, { w4With: liveOthers() });
    log(`edgelog: W5 (${P.w5Size.toLocaleString("en-US")}-record log${quick ? "; quick mode uses a small log" : ""})`);
    results.systems.edgelog.w5 = await flatWithSize(
      system,
      { size: P.w5Size, samples: P.w5Samples, runs: P.runs, maxRecords: 100 },
      log,
    );
    Object.assign(results.systems.edgelog, await sdkPaths(system));
  } finally {
    await system.stop();
  }

  if (peers && !smoke) {
    const { ensureInstalled } = await import("./systems/servers.mjs");
    ensureInstalled({ "redis-server": "redis-server", "nats-server": "nats-server" });
    const { startRedis } = await import("./systems/redis.mjs");
    const { startNats } = await import("./systems/nats.mjs");
    for (const [key, start] of [
      ["redis", startRedis],
      ["nats", startNats],
    ]) {
      const sys = await start(common);
      try {
        results.systems[key] = await runSystem(sys);
      } finally {
        await sys.stop();
      }
    }
  }

  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  if (smoke) {
    console.log(renderTables(results));
    return;
  }
  const dir = join(ROOT, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.machine.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(results, (k, v) => (k === "last" ? undefined : v), 2),
  );
  console.log(renderTables(results));
  log(`\nresults: ${file} (${results.elapsedSeconds} s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
