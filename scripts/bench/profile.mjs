// `node scripts/bench/profile.mjs [json|binary|one] [REF]`: a CPU profile of the edgelog isolate (router and
// PartitionDO share it) over W1 (`one`: W2, one JSON record per request, 32 in flight), taken through workerd's inspector with the DevTools protocol's
// Profiler; writes .tmp/w1-<format>[-REF].cpuprofile (open in Chrome DevTools) and prints the top self
// times, by function and by source module. REF profiles that commit's build instead of this tree's.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws"; // miniflare's own dependency
import { buildAll, buildCommit, ROOT } from "./build.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";
import { produceBatched, produceUnbatched } from "./workloads.mjs";

const format = process.argv[2] ?? "json";
const ref = process.argv[3];
const { worker: here, hot } = await buildAll();
const commit = ref ? buildCommit(ref) : undefined;
const worker = commit?.worker ?? here;
const port = 9329;
const { system } = await startEdgelog({
  worker,
  durableObjects: commit?.durableObjects,
  // Group commit as main runs it, for commits from when `event` was the default.
  vars: { EDGELOG_GROUP_COMMIT_WAKE: "poll" },
  hot: await import(hot),
  valueBytes: 100,
  batchSize: 100,
  inspectorPort: port,
});
const list = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
const target = list.find((t) => (t.title ?? "").includes("edgelog")) ?? list[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r, j) => {
  ws.on("open", r);
  ws.on("error", j);
});
let id = 0;
const pending = new Map();
ws.on("message", (m) => {
  const d = JSON.parse(m);
  if (d.id && pending.has(d.id)) {
    pending.get(d.id)(d);
    pending.delete(d.id);
  }
});
const send = (method, params = {}) =>
  new Promise((r) => {
    const i = ++id;
    pending.set(i, r);
    ws.send(JSON.stringify({ id: i, method, params }));
  });
const withTimeout = (p, ms, what) =>
  Promise.race([p, new Promise((_, j) => setTimeout(() => j(new Error("timeout " + what)), ms))]);
await produceBatched(system, { total: 10000, batchSize: 100, concurrency: 8, runs: 1, valueBytes: 100, format });
await withTimeout(send("Profiler.enable"), 10000, "enable");
await withTimeout(send("Profiler.setSamplingInterval", { interval: 200 }), 10000, "interval");
await withTimeout(send("Profiler.start"), 10000, "start");
const r =
  format === "one"
    ? await produceUnbatched(system, { total: 5000, concurrency: 32, runs: 1 })
    : await produceBatched(system, { total: 50000, batchSize: 100, concurrency: 8, runs: 1, valueBytes: 100, format });
const stop = await withTimeout(send("Profiler.stop"), 30000, "stop");
const prof = stop.result.profile;
const out = join(ROOT, ".tmp", `w1-${format}${commit ? `-${commit.sha}` : ""}.cpuprofile`);
writeFileSync(out, JSON.stringify(prof));
console.error(`profile: ${out}`);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
let total = 0;
prof.samples.forEach((s, i) => {
  const n = byId.get(s);
  const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0));
  total += dt[i] ?? 0;
});
console.log(
  `${format === "one" ? "W2" : `W1 ${format}`} ${r.recordsPerSec.median.toFixed(0)} rec/s; profile ${(total / 1000).toFixed(0)} ms`,
);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
// By source module: esbuild marks where each begins ("// src/router/produce.ts"); natives by name.
const starts = [];
readFileSync(worker, "utf8")
  .split("\n")
  .forEach((line, i) => {
    const m = line.match(/^\/\/ (\S+\.(?:ts|js|mjs))$/);
    if (m) starts.push([i, m[1].replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+)\/.*/, "npm:$1")]);
  });
const moduleAt = (line) => starts.findLast(([at]) => at <= line)?.[1] ?? "(bundle)";
const byModule = new Map();
prof.samples.forEach((s, i) => {
  const { functionName, url, lineNumber } = byId.get(s).callFrame;
  const k = url.endsWith(".js") && !url.startsWith("node-internal") ? moduleAt(lineNumber) : `native ${functionName}`;
  byModule.set(k, (byModule.get(k) ?? 0) + (dt[i] ?? 0));
});
console.log("by module:");
for (const [k, v] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
ws.close();
await system.stop();
process.exit(0);
