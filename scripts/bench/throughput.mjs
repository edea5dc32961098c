// `node scripts/bench/throughput.mjs --baseline <checkout> [--runs 5] [--w1 200000] [--w2 10000]
// [--w5 1000000] [--peers]`: produce throughput and W5 of this tree beside a baseline checkout's
// build (e.g. `git worktree add --detach ../base main`) in one session: both served by Miniflare
// at once, runs alternating which goes first, `uptime` logged beside each run, medians and the
// ratio this/baseline. Rows: W1 JSON and binary, W2, the SDK producer and kafkajs through the
// gateway (W1's records), the platform floors (no-op route, bare DO), Redis Streams with --peers,
// and W5 warm (the same archived range again) and cold (archived ranges never read before).

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildAll, ROOT } from "./build.mjs";
import { closedLoop, expectOk } from "./load.mjs";
import { kafkajsProduce, sdkProduce, startGateway } from "./sdk-paths.mjs";
import { percentiles, summarize } from "./stats.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";
import { produceBatched, produceUnbatched } from "./workloads.mjs";

const { values: opt } = parseArgs({
  options: {
    baseline: { type: "string" },
    runs: { type: "string" },
    w1: { type: "string" },
    w2: { type: "string" },
    w5: { type: "string" },
    peers: { type: "boolean" },
    only: { type: "string" },
  },
});
if (!opt.baseline) throw new Error("--baseline <checkout of the tree to compare with> is required");
const RUNS = Number(opt.runs ?? 5);
const W1 = Number(opt.w1 ?? 200_000);
const W2 = Number(opt.w2 ?? 10_000);
const W5 = Number(opt.w5 ?? 1_000_000);
const W5_SAMPLES = 40;
const only = opt.only ? new Set(opt.only.split(",")) : null;
const common = { valueBytes: 100, batchSize: 100 };
const W1_LOAD = { ...common, concurrency: 8, runs: 1 };
const log = (...m) => console.error(...m);
const uptime = () =>
  execFileSync("uptime")
    .toString()
    .trim()
    .replace(/^.*load average/, "load average");

/** The baseline's Worker, its client and gateway builds, copied inside this tree (Miniflare resolves modules below its cwd). */
async function buildBaseline(dir) {
  const { buildAll: buildThere } = await import(join(dir, "scripts/bench/build.mjs"));
  const built = await buildThere();
  execFileSync("node", ["scripts/build.mjs"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  const out = join(ROOT, ".tmp/bench-baseline");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(built.worker, ".."), join(out, "worker"), { recursive: true });
  return {
    worker: join(out, "worker/index.js"),
    client: join(dir, "dist/client.js"),
    gateway: join(dir, "dist/gateway.mjs"),
  };
}

execFileSync("node", ["scripts/build.mjs"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
const current = await buildAll();
const hot = await import(current.hot);
const base = await buildBaseline(opt.baseline);
log(`baseline from ${opt.baseline} built`);

const trees = {
  this: { worker: current.worker, client: join(ROOT, "dist/client.js"), gateway: join(ROOT, "dist/gateway.mjs") },
  baseline: base,
};
const systems = {};
for (const [name, t] of Object.entries(trees)) {
  const { system, floors } = await startEdgelog({ worker: t.worker, hot, ...common });
  systems[name] = {
    system,
    floors,
    client: await import(t.client),
    gateway: await startGateway(t.gateway, system.url),
  };
}

let redis;
if (opt.peers) {
  const { startRedis } = await import("./systems/redis.mjs");
  redis = await startRedis(common);
}

/** Each workload: name → (tree) → records/s. Floors and peers run once per run, not per tree. */
const workloads = {
  w1_json: (s) => produceBatched(s.system, { ...W1_LOAD, total: W1, format: "json" }),
  w1_binary: (s) => produceBatched(s.system, { ...W1_LOAD, total: W1, format: "binary" }),
  w2: (s) => produceUnbatched(s.system, { total: W2, concurrency: 32, runs: 1 }),
  sdk: async (s) => {
    const topic = await s.system.createLog(`bench-sdk-${Date.now().toString(36)}`, 1);
    return {
      recordsPerSec: summarize([
        (await sdkProduce(s.client, s.system.url, topic, { total: W1, valueBytes: 100 })).recordsPerSec,
      ]),
    };
  },
  kafkajs: async (s) => {
    const topic = await s.system.createLog(`bench-kjs-${Date.now().toString(36)}`, 1);
    const r = await kafkajsProduce(s.gateway.broker, topic, {
      total: W1,
      valueBytes: 100,
      batchSize: 100,
      concurrency: 8,
    });
    return { recordsPerSec: summarize([r.recordsPerSec]) };
  },
};
const floorWorkloads = {
  noop_json: () => produceBatched(systems.this.floors.noop, { ...W1_LOAD, total: W1, format: "json" }),
  noop_binary: () => produceBatched(systems.this.floors.noop, { ...W1_LOAD, total: W1, format: "binary" }),
  bare_binary: () => produceBatched(systems.this.floors.bare, { ...W1_LOAD, total: W1, format: "binary" }),
  bare_w2: () => produceUnbatched(systems.this.floors.bare, { total: W2, concurrency: 32, runs: 1 }),
  ...(redis ? { redis_w1: () => produceBatched(redis, { ...W1_LOAD, total: W1, format: "native" }) } : {}),
};

const results = {};
const push = (key, v) => (results[key] ??= []).push(v);
const loads = [];
try {
  // Warm-up, unmeasured: JIT, object creation, the gateway's connections.
  for (const s of Object.values(systems)) {
    await produceBatched(s.system, { ...W1_LOAD, total: 10_000, format: "json" });
    await produceBatched(s.system, { ...W1_LOAD, total: 10_000, format: "binary" });
  }
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? ["this", "baseline"] : ["baseline", "this"];
    loads.push(uptime());
    log(`run ${run + 1}/${RUNS} (${loads.at(-1)})`);
    for (const [w, f] of Object.entries(workloads)) {
      if (only && !only.has(w)) continue;
      for (const tree of order) {
        const r = await f(systems[tree]);
        push(`${w}/${tree}`, r.recordsPerSec.median);
        log(`  ${w} ${tree}: ${Math.round(r.recordsPerSec.median)} records/s  [${uptime()}]`);
      }
    }
    for (const [w, f] of Object.entries(floorWorkloads)) {
      if (only && !only.has(w)) continue;
      const r = await f();
      push(w, r.recordsPerSec.median);
      log(`  ${w}: ${Math.round(r.recordsPerSec.median)} records/s`);
    }
  }
  if (!only || only.has("w5")) await w5();
} finally {
  for (const s of Object.values(systems)) {
    s.gateway.stop();
    await s.system.stop();
  }
  await redis?.stop();
}

/**
 * W5 on each tree: a W5-sized log whose head is in R2, then alternating samples: warm (offset 0
 * again, as W5 always measured) and cold (archived offsets spread over the head, each read once),
 * beside the hot tail.
 */
async function w5() {
  const logs = {};
  for (const [tree, s] of Object.entries(systems)) {
    const sys = s.system;
    const t = await sys.createLog(`bench-w5-${tree}-${Date.now().toString(36)}`, 1, sys.archiveConfig(W5));
    await sys.fill(t, 0, W5, 100, 100, 2, closedLoop);
    let archived = 0;
    for (let last = -1; ; await new Promise((r) => setTimeout(r, 1000))) {
      archived = await sys.archivedBytes(t, 0);
      if (archived > 0 && archived === last) break;
      last = archived;
    }
    const d = JSON.parse((await expectOk("GET", `${sys.url}/v1/topics/${t}`)).body).partitions[0];
    const hw = await sys.highWatermark(t, 0);
    // Archived records, from the tiers' byte shares; the cold samples spread over them.
    const archivedRecords = Math.floor((hw * d.archived_bytes) / (d.archived_bytes + d.bytes));
    logs[tree] = { t, hw, archivedRecords };
    log(`  W5 ${tree}: ${hw} records, ${(archived / 2 ** 20).toFixed(0)} MiB archived (~${archivedRecords} records)`);
    await sys.fetchLatency(t, 0, 0, 100);
    await sys.fetchLatency(t, 0, hw - 100, 100);
  }
  const perRun = Math.floor(W5_SAMPLES);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? ["this", "baseline"] : ["baseline", "this"];
    const load = uptime();
    for (const tree of order) {
      const { t, hw, archivedRecords } = logs[tree];
      const sys = systems[tree].system;
      const stride = Math.floor((archivedRecords - 200) / (perRun * RUNS));
      const s = { warm: [], cold: [], tail: [] };
      for (let i = 0; i < perRun; i++) {
        s.warm.push(await sys.fetchLatency(t, 0, 0, 100));
        s.cold.push(await sys.fetchLatency(t, 0, 100 + (run * perRun + i) * stride, 100));
        s.tail.push(await sys.fetchLatency(t, 0, hw - 100, 100));
      }
      const p = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, percentiles(v)]));
      for (const k of ["warm", "cold", "tail"]) push(`w5_${k}_p50/${tree}`, p[k].p50);
      push(`w5_warm_ratio/${tree}`, p.warm.p50 / p.tail.p50);
      push(`w5_cold_ratio/${tree}`, p.cold.p50 / p.tail.p50);
      log(
        `  W5 ${tree}: warm ${p.warm.p50.toFixed(2)} cold ${p.cold.p50.toFixed(2)} tail ${p.tail.p50.toFixed(2)} ms p50 [${load}]`,
      );
    }
  }
}

const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { ...summarize(v), values: v }]));
const med = (k) => summary[k]?.median;
const lines = [];
const fmt = (v, d = 0) => (v === undefined ? "—" : d === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(d));
lines.push(`| workload (median of ${RUNS}) | this | baseline | this ÷ baseline |`, "|---|---:|---:|---:|");
for (const w of [
  ...Object.keys(workloads),
  "w5_warm_p50",
  "w5_cold_p50",
  "w5_tail_p50",
  "w5_warm_ratio",
  "w5_cold_ratio",
]) {
  const a = med(`${w}/this`);
  const b = med(`${w}/baseline`);
  if (a === undefined) continue;
  const d = w.startsWith("w5") ? 2 : 0;
  lines.push(`| ${w} | ${fmt(a, d)} | ${fmt(b, d)} | ${(a / b).toFixed(2)} |`);
}
lines.push("", "| floor / peer | records/s |", "|---|---:|");
for (const w of Object.keys(floorWorkloads)) if (med(w) !== undefined) lines.push(`| ${w} | ${fmt(med(w))} |`);
const ratio = (a, b) => (med(a) && med(b) ? (med(a) / med(b)).toFixed(2) : "—");
lines.push(
  "",
  `- W1 JSON ÷ no-op route (JSON): this ${ratio("w1_json/this", "noop_json")}, baseline ${ratio("w1_json/baseline", "noop_json")}`,
  `- W1 binary ÷ no-op route (binary): this ${ratio("w1_binary/this", "noop_binary")}, baseline ${ratio("w1_binary/baseline", "noop_binary")}`,
  `- W1 binary ÷ bare DO: this ${ratio("w1_binary/this", "bare_binary")}, baseline ${ratio("w1_binary/baseline", "bare_binary")}`,
  `- W2 ÷ bare DO (1 record/request): this ${ratio("w2/this", "bare_w2")}, baseline ${ratio("w2/baseline", "bare_w2")}`,
  ...(redis
    ? [
        `- W1 JSON ÷ Redis Streams: this ${ratio("w1_json/this", "redis_w1")}, baseline ${ratio("w1_json/baseline", "redis_w1")}`,
      ]
    : []),
  `- load averages at each run's start: ${loads.join(" · ")}`,
);
console.log(lines.join("\n"));
mkdirSync(join(ROOT, "bench-results"), { recursive: true });
const file = join(ROOT, "bench-results", `throughput-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  JSON.stringify({ runs: RUNS, w1: W1, w2: W2, w5: W5, baseline: opt.baseline, loads, summary }, null, 1),
);
log(`results in ${file}`);
