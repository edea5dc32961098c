// `node scripts/bench/bisect.mjs [--runs 5] [--records 100000] [--formats binary,json] [--in-flight 8] [--batch-size 100]
// [--var NAME=value] REF REF…`: W1 (batched produce) of several commits' Workers in one session, to
// find which commit moved it. Each commit is built as `wrangler deploy` bundles it (buildCommit:
// any commit, older ones lack these scripts) and served by its own Miniflare with the classes its
// wrangler.toml binds; runs interleave with the order rotated, the bare-DO floor runs once per run,
// `uptime` is logged beside each. Besides records/s it reports each workerd's CPU per record
// (/proc), which a machine shared with other work disturbs far less than throughput.
// "." is this tree's build. Ratios are against the first REF.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildAll, buildCommit } from "./build.mjs";
import { summarize } from "./stats.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";
import { produceBatched } from "./workloads.mjs";

const { values: opt, positionals: refs } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: "string" },
    records: { type: "string" },
    formats: { type: "string" },
    "in-flight": { type: "string" },
    // --batch-size 1 --in-flight 32: W2's shape (one record per request), to bisect the per-request path.
    "batch-size": { type: "string" },
    var: { type: "string", multiple: true },
  },
});
if (refs.length === 0) throw new Error('name the commits to compare ("." is this tree)');
const RUNS = Number(opt.runs ?? 5);
const RECORDS = Number(opt.records ?? 100_000);
const FORMATS = (opt.formats ?? "binary,json").split(",");
// Group commit polls on main; commits from when `event` was the default are measured the same way.
const vars = { EDGELOG_GROUP_COMMIT_WAKE: "poll", ...Object.fromEntries((opt.var ?? []).map((v) => v.split("="))) };
const W1 = {
  valueBytes: 100,
  batchSize: Number(opt["batch-size"] ?? 100),
  concurrency: Number(opt["in-flight"] ?? 8),
  runs: 1,
};
const log = (...m) => console.error(...m);
const load = () =>
  execFileSync("uptime")
    .toString()
    .trim()
    .replace(/^.*load average: /, "");

/** workerd processes this one started (Miniflare's children). */
function workerds() {
  try {
    return readdirSync("/proc").filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.includes("(workerd)") && stat.split(") ")[1].split(" ")[1] === String(process.pid);
      } catch {
        return false;
      }
    });
  } catch {
    return []; // no /proc: throughput only
  }
}
/** CPU ms (user + system) a process has used, or NaN. */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return NaN;
  }
}

const current = await buildAll();
const hot = await import(current.hot);
const trees = [];
let floors;
try {
  for (const ref of refs) {
    const b = ref === "." ? { sha: "this tree", worker: current.worker } : buildCommit(ref);
    const before = new Set(workerds());
    const started = await startEdgelog({ worker: b.worker, hot, durableObjects: b.durableObjects, vars, ...W1 });
    floors ??= started.floors;
    trees.push({
      name: ref === "." ? "." : b.sha,
      system: started.system,
      pid: workerds().find((p) => !before.has(p)),
    });
    log(`${ref} (${b.sha}) started`);
  }
  const results = {};
  const push = (k, v) => (results[k] ??= []).push(v);
  // Warm-up, unmeasured: JIT, object creation.
  for (const t of trees) for (const format of FORMATS) await produceBatched(t.system, { ...W1, total: 10_000, format });
  await produceBatched(floors.bare, { ...W1, total: 10_000, format: "binary" });
  // As a full run orders them: every run of one format, then the next.
  for (const format of FORMATS) {
    for (let run = 0; run < RUNS; run++) {
      const k = run % trees.length;
      const order = [...trees.slice(k), ...trees.slice(0, k)];
      if (run % 2) order.reverse();
      log(`${format} run ${run + 1}/${RUNS} (load ${load()})`);
      if (format === FORMATS[0]) {
        // The floors share the first commit's workerd, idle meanwhile.
        const c0 = cpuMs(trees[0].pid);
        const r = await produceBatched(floors.bare, { ...W1, total: RECORDS, format: "binary" });
        const cpu = ((cpuMs(trees[0].pid) - c0) * 1000) / RECORDS;
        push("bare", r.recordsPerSec.median);
        push("bare cpu", cpu);
        log(`  bare DO: ${Math.round(r.recordsPerSec.median)} records/s, ${cpu.toFixed(1)} µs CPU/record`);
      }
      for (const t of order) {
        const c0 = cpuMs(t.pid);
        const r = await produceBatched(t.system, { ...W1, total: RECORDS, format });
        const cpu = ((cpuMs(t.pid) - c0) * 1000) / RECORDS;
        push(`${format} ${t.name}`, r.recordsPerSec.median);
        push(`${format} ${t.name} cpu`, cpu);
        log(
          `  ${t.name}: ${Math.round(r.recordsPerSec.median)} records/s, ${cpu.toFixed(1)} µs CPU/record (load ${load()})`,
        );
      }
    }
  }
  report(results);
} finally {
  for (const t of trees) await t.system.stop();
}

function report(results) {
  const bare = summarize(results.bare).median;
  console.log(
    `W1, ${RECORDS} records × 100 B per run, ${W1.batchSize} per request, ${W1.concurrency} in flight, ${RUNS} runs; bare DO (binary) median ` +
      `${Math.round(bare)} records/s, ${summarize(results["bare cpu"]).median.toFixed(1)} µs CPU/record`,
  );
  console.log(
    "| format | commit | records/s median (min–max) | × first | paired × first | × bare DO | µs CPU/record | × first |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const format of FORMATS) {
    const first = results[`${format} ${trees[0].name}`];
    const firstCpu = summarize(results[`${format} ${trees[0].name} cpu`]).median;
    for (const t of trees) {
      const v = results[`${format} ${t.name}`];
      const s = summarize(v);
      // Each run's ratio to the first commit's same run: the two ran minutes apart at most.
      const paired = summarize(v.map((x, i) => x / first[i])).median;
      const cpu = summarize(results[`${format} ${t.name} cpu`]).median;
      console.log(
        `| ${format} | ${t.name} | ${Math.round(s.median)} (${Math.round(s.min)}–${Math.round(s.max)}) | ` +
          `${(s.median / summarize(first).median).toFixed(2)} | ${paired.toFixed(2)} | ${(s.median / bare).toFixed(2)} | ` +
          `${cpu.toFixed(1)} | ${(cpu / firstCpu).toFixed(2)} |`,
      );
    }
  }
}
