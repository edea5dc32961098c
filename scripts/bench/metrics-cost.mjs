// `node scripts/bench/metrics-cost.mjs [--runs 5] [--records 200000] [--baseline REF]`: what the
// metrics cost W1 (batched produce, JSON and binary): this tree's Worker against a build of REF
// (default: where this branch left main), both served by Miniflare in the same session, runs
// alternating between them, medians and the ratio this/baseline per format.

import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { buildAll, buildCommit, ROOT } from "./build.mjs";
import { summarize } from "./stats.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";
import { produceBatched } from "./workloads.mjs";

const { values: opt } = parseArgs({
  options: { runs: { type: "string" }, records: { type: "string" }, baseline: { type: "string" } },
});
const RUNS = Number(opt.runs ?? 5);
const RECORDS = Number(opt.records ?? 200_000);
const ref = opt.baseline ?? execFileSync("git", ["merge-base", "HEAD", "main"], { cwd: ROOT }).toString().trim();
const log = (...m) => console.error(...m);
const common = { valueBytes: 100, batchSize: 100, concurrency: 8, runs: 1 };

// This tree's build goes to OUT; the baseline's to its own directory.
const current = await buildAll();
const hot = await import(current.hot);
const baseline = buildCommit(ref);
log(`baseline ${ref.slice(0, 12)} built`);

const systems = {
  metrics: (await startEdgelog({ worker: current.worker, hot, ...common })).system,
  baseline: (await startEdgelog({ worker: baseline.worker, hot, ...common, durableObjects: baseline.durableObjects }))
    .system,
};
const results = { metrics: { json: [], binary: [] }, baseline: { json: [], binary: [] } };
try {
  // Warm-up, unmeasured.
  for (const sys of Object.values(systems))
    for (const format of ["json", "binary"]) await produceBatched(sys, { ...common, total: 10_000, format });
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so neither always runs on the fresher machine.
    const order = run % 2 === 0 ? ["metrics", "baseline"] : ["baseline", "metrics"];
    for (const format of ["json", "binary"]) {
      for (const name of order) {
        const r = await produceBatched(systems[name], { ...common, total: RECORDS, format });
        results[name][format].push(r.recordsPerSec.median);
        log(`run ${run + 1} ${format} ${name}: ${Math.round(r.recordsPerSec.median)} records/s`);
      }
    }
  }
} finally {
  for (const sys of Object.values(systems)) await sys.stop();
}

const out = {};
for (const format of ["json", "binary"]) {
  const m = summarize(results.metrics[format]);
  const b = summarize(results.baseline[format]);
  const ratios = results.metrics[format].map((v, i) => v / results.baseline[format][i]);
  out[format] = { metrics: m, baseline: b, ratioOfMedians: m.median / b.median, pairedRatios: summarize(ratios) };
  console.log(
    `W1 ${format}: with metrics ${Math.round(m.median)} records/s (${Math.round(m.min)}–${Math.round(m.max)}), ` +
      `baseline ${Math.round(b.median)} (${Math.round(b.min)}–${Math.round(b.max)}), ` +
      `ratio ${(m.median / b.median).toFixed(3)} (paired runs: median ${out[format].pairedRatios.median.toFixed(3)}, ` +
      `${out[format].pairedRatios.min.toFixed(3)}–${out[format].pairedRatios.max.toFixed(3)})`,
  );
}
console.log(JSON.stringify({ ref, runs: RUNS, records: RECORDS, ...out }));
