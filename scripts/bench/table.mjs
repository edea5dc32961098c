// Renders a results file as the markdown tables docs/performance.md carries.

import { fmt } from "./stats.mjs";
import { renderAttribution } from "./trace.mjs";

const COLS = [
  ["edgelog", "edgelog"],
  ["baseline", "edgelog (baseline build)"],
  ["edgelog_ws", "edgelog, WebSocket tail"],
  ["live", "live DO + SSE (floor)"],
  ["live_ws", "live DO + WebSocket (floor)"],
  ["noop", "no-op route (floor)"],
  ["bare", "bare DO + SQLite (floor)"],
  ["redis", "Redis Streams"],
  ["nats", "NATS JetStream"],
];

export function renderTables(results) {
  const s = results.systems;
  const cols = COLS.filter(([k]) => s[k]);
  const m = results.machine;
  const p = results.params;
  const native = (sys, f) => sys?.[`${f}_native`];
  const pick = (key, f, field) => (sys, k) => {
    if (k === "redis" || k === "nats") return f === "json" || f === undefined ? native(sys, key)?.[field] : undefined;
    return (f ? sys?.[`${key}_${f}`] : sys?.[key])?.[field];
  };
  const rows = [
    ["W1 batched produce, JSON — records/s", pick("w1", "json", "recordsPerSec")],
    ["W1 batched produce, JSON — MB/s (values)", pick("w1", "json", "mbPerSec"), 1],
    ["W1 batched produce, binary batches — records/s", pick("w1", "binary", "recordsPerSec")],
    ["W1 batched produce, binary batches — MB/s (values)", pick("w1", "binary", "mbPerSec"), 1],
    ["W1 via the SDK producer (default linger and batching) — records/s", (sys) => sys?.w1_sdk?.recordsPerSec],
    ["W1 via kafkajs → Kafka gateway (100 per send, 8 in flight) — records/s", (sys) => sys?.w1_kafkajs?.recordsPerSec],
    ["W2 unbatched produce (32 in flight) — records/s", (sys) => sys?.w2?.recordsPerSec],
    ["W3 consume from 0, JSON — records/s", pick("w3", "json", "recordsPerSec")],
    ["W3 consume from 0, binary batches — records/s", pick("w3", "binary", "recordsPerSec")],
    ["W4 end-to-end p50 ms", (sys) => sys?.w4?.p50, 1],
    ["W4 end-to-end p99 ms", (sys) => sys?.w4?.p99, 1],
    ["W4 end-to-end max ms", (sys) => sys?.w4?.max, 1],
    ["W4 records lost (not seen within 5 s)", (sys) => sys?.w4?.lost],
    [`W4 at ${p.w4LowRate}/s (diagnostic) p50 ms`, (sys) => sys?.w4low?.p50, 1],
    [`W4 at ${p.w4LowRate}/s (diagnostic) p99 ms`, (sys) => sys?.w4low?.p99, 1],
    ["W6 2 partitions, JSON — records/s", pick("w6_2", "json", "recordsPerSec")],
    ["W6 4 partitions, JSON — records/s", pick("w6_4", "json", "recordsPerSec")],
    ["W6 2 partitions, binary — records/s", pick("w6_2", "binary", "recordsPerSec")],
    ["W6 4 partitions, binary — records/s", pick("w6_4", "binary", "recordsPerSec")],
  ];
  const out = [];
  out.push(
    `Date ${m.date.slice(0, 10)} · ${m.nproc} × ${m.cpu} · ${m.memoryGiB} GiB · Node ${m.node} · workerd ${m.workerd} (Miniflare ${m.miniflare})` +
      (s.redis ? ` · ${s.redis.version.split(" ").slice(0, 3).join(" ")}` : "") +
      (s.nats ? ` · ${s.nats.version}` : ""),
  );
  out.push(
    `${p.quick ? "QUICK MODE (1 run, small workloads) · " : "Median of 3 runs (min–max) · "}` +
      `W1 ${p.w1.toLocaleString("en-US")} records × ${p.valueBytes} B in requests of ${p.batch}, ${p.w1InFlight} in flight · ` +
      `W2 ${p.w2.toLocaleString("en-US")} · W4 ${p.w4Rate}/s for ${p.w4Seconds} s · W6 ${p.w6.toLocaleString("en-US")}`,
  );
  out.push("");
  out.push(`| Workload | ${cols.map(([, n]) => n).join(" | ")} |`);
  out.push(`|---|${cols.map(() => "---:").join("|")}|`);
  for (const [label, get, digits = 0] of rows) {
    const cells = cols.map(([k]) => fmt(get(s[k], k), digits));
    if (cells.every((c) => c === "—")) continue;
    out.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  const w5 = s.edgelog?.w5;
  if (w5) {
    out.push("");
    out.push(
      `W5 fetch of 100 records (JSON) on a ${w5.logRecords.toLocaleString("en-US")}-record log (${w5.archivedBytes ? `offset 0 in R2 segments, ${(w5.archivedBytes / 2 ** 20).toFixed(0)} MiB archived; tail hot` : "hot tier only"}${p.quick ? "; quick mode: small log" : ""}):`,
    );
    out.push("");
    out.push("| | p50 ms | p99 ms |");
    out.push("|---|---:|---:|");
    out.push(`| offset 0, read again and again (warm) | ${fmt(w5.headP50, 2)} | ${fmt(w5.headP99, 2)} |`);
    if (w5.coldP50)
      out.push(`| archived offsets each read once (cold) | ${fmt(w5.coldP50, 2)} | ${fmt(w5.coldP99, 2)} |`);
    out.push(`| tail | ${fmt(w5.tailP50, 2)} | ${fmt(w5.tailP99, 2)} |`);
    out.push(`| ratio of p50s, warm (larger / smaller; target ≤ 1.2) | ${fmt(w5.ratio, 2)} | |`);
    if (w5.coldRatio) out.push(`| ratio of p50s, cold ÷ tail | ${fmt(w5.coldRatio, 2)} | |`);
  }
  out.push("");
  out.push(...ratios(s).map((r) => `- ${r}`));
  for (const [key, rate] of [
    ["w4low", p.w4LowRate],
    ["w4", p.w4Rate],
  ]) {
    const lines = renderAttribution(s.edgelog?.[key]?.trace, rate);
    if (lines.length > 0) out.push("", ...lines);
  }
  return out.join("\n");
}

/** edgelog against its targets (docs/performance.md) and floors, from medians. */
function ratios(s) {
  const e = s.edgelog;
  if (!e) return [];
  const med = (x) => x?.median;
  const r = (a, b) => (a && b ? (a / b).toFixed(2) + "×" : "—");
  const lines = [];
  if (s.redis)
    lines.push(
      `W1 JSON vs Redis Streams: ${r(med(e.w1_json?.recordsPerSec), med(s.redis.w1_native?.recordsPerSec))} (target ≥ 1.5×)`,
    );
  if (s.nats)
    lines.push(
      `W1 JSON vs NATS JetStream: ${r(med(e.w1_json?.recordsPerSec), med(s.nats.w1_native?.recordsPerSec))} (target ≥ 1.5×)`,
    );
  if (s.bare)
    lines.push(
      `W1 binary vs bare-DO floor: ${r(med(e.w1_binary?.recordsPerSec), med(s.bare.w1_binary?.recordsPerSec))} (target ≥ 0.8×)`,
    );
  if (s.bare)
    lines.push(`W1 JSON vs bare-DO floor: ${r(med(e.w1_json?.recordsPerSec), med(s.bare.w1_binary?.recordsPerSec))}`);
  if (s.noop)
    lines.push(
      `W1 JSON vs no-op route: ${r(med(e.w1_json?.recordsPerSec), med(s.noop.w1_json?.recordsPerSec))}; binary vs no-op: ${r(med(e.w1_binary?.recordsPerSec), med(s.noop.w1_binary?.recordsPerSec))}`,
    );
  if (s.noop && s.bare)
    lines.push(
      `W2 vs no-op route: ${r(med(e.w2?.recordsPerSec), med(s.noop.w2?.recordsPerSec))}; vs bare DO: ${r(med(e.w2?.recordsPerSec), med(s.bare.w2?.recordsPerSec))}`,
    );
  if (s.live) {
    for (const [key, label] of [
      ["w4low", "at 100/s"],
      ["w4", "at 1,000/s"],
    ]) {
      lines.push(
        `W4 ${label} vs live floor: p50 ${r(med(e[key]?.p50), med(s.live[key]?.p50))}, p99 ${r(med(e[key]?.p99), med(s.live[key]?.p99))}` +
          (key === "w4low" ? " (targets ≤ 1.5× each)" : ""),
      );
    }
  }
  if (s.live_ws && s.edgelog_ws) {
    for (const [key, label] of [
      ["w4low", "at 100/s"],
      ["w4", "at 1,000/s"],
    ]) {
      lines.push(
        `W4 ${label}, WebSocket tail vs WebSocket floor: p50 ${r(med(s.edgelog_ws[key]?.p50), med(s.live_ws[key]?.p50))}, p99 ${r(med(s.edgelog_ws[key]?.p99), med(s.live_ws[key]?.p99))}`,
      );
    }
  }
  if (e.w4 && e.w4low) lines.push(`W4 p99 at 1,000/s vs at 100/s: ${r(med(e.w4.p99), med(e.w4low.p99))} (target ≤ 3×)`);
  // The same ratio for the floors says whether the platform itself saturates at 1,000 requests/s here.
  for (const k of ["live", "live_ws", "edgelog_ws"]) {
    const f = s[k];
    if (f?.w4 && f?.w4low) lines.push(`${f.name}: p99 at 1,000/s vs at 100/s: ${r(med(f.w4.p99), med(f.w4low.p99))}`);
  }
  if (s.baseline)
    lines.push(
      `W4 at 100/s vs baseline build: p50 ${r(med(e.w4low?.p50), med(s.baseline.w4low?.p50))}, p99 ${r(med(e.w4low?.p99), med(s.baseline.w4low?.p99))}; at 1,000/s: p50 ${r(med(e.w4?.p50), med(s.baseline.w4?.p50))}, p99 ${r(med(e.w4?.p99), med(s.baseline.w4?.p99))}`,
    );
  if (s.redis) lines.push(`W4 p99 vs Redis XREAD BLOCK p99: ${r(med(e.w4?.p99), med(s.redis.w4?.p99))} (target ≤ 2×)`);
  if (e.w5)
    lines.push(
      `W5 tail/head, warm: ${med(e.w5.ratio)?.toFixed(2)} (target ≤ 1.2)` +
        (e.w5.coldRatio ? `; cold ÷ tail: ${med(e.w5.coldRatio)?.toFixed(2)}` : ""),
    );
  return lines;
}
