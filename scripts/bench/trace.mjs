// W4's per-hop attribution (`--trace`): joins each record's send and arrival (this process) with the
// marks edgelog kept on its way (EDGELOG_BENCH_TRACE=on, src/metrics/bench-trace.ts), and says which
// hop the time went to, for the median record and for the slowest 1%.
//
// Every time is put on the wall clock (ms since the epoch). The server's marks are Date.now() in
// workerd, which advances only across I/O and has 1 ms steps: a hop with no I/O inside reads 0, and a
// hop's figure is good to about ±1 ms. The send and arrival are this process's clock, the same machine's.

import { percentiles } from "./stats.mjs";

/** The hops, each from one mark to the next, in path order. */
export const HOPS = [
  ["in", "client send → router receives (HTTP in, body read)", "send", "recv"],
  ["route", "router → object append starts (parse, validate, group commit, RPC)", "recv", "append"],
  ["deliver", "append → SSE tail has it (write, output gate, wake, long-poll reply)", "append", "read"],
  ["out", "SSE tail → subscriber (enqueue, HTTP out, client parse)", "read", "arrive"],
];

/**
 * Per-record hop times from one run: `arrivals` are {offset, sent, arrived} in performance.now()
 * ms of this process, `marks` the server's by offset. Records without every mark are left out.
 */
export function hopRecords(arrivals, marks) {
  const origin = performance.timeOrigin;
  const out = [];
  for (const a of arrivals) {
    const m = marks[a.offset];
    if (!m || m.recv === undefined || m.append === undefined || m.read === undefined) continue;
    const at = { ...m, send: origin + a.sent, arrive: origin + a.arrived };
    const rec = { total: a.arrived - a.sent, woken: m.wake !== undefined, acked: (m.acked ?? NaN) - m.append };
    for (const [hop, , from, to] of HOPS) rec[hop] = at[to] - at[from];
    out.push(rec);
  }
  return out;
}

/**
 * p50/p99 of each hop over all records, and the hops' shares of the slowest 1% (records at or over
 * the p99 of the total): where W4's p99 goes.
 */
export function attribute(records) {
  if (records.length === 0) return undefined;
  const total = percentiles(records.map((r) => r.total));
  const tail = records.filter((r) => r.total >= total.p99);
  const hops = {};
  for (const [hop, label] of HOPS) {
    const p = percentiles(records.map((r) => r[hop]));
    const tailMs = tail.reduce((n, r) => n + r[hop], 0) / tail.length;
    hops[hop] = {
      label,
      p50: p.p50,
      p99: p.p99,
      tailMs,
      tailShare: tailMs / (tail.reduce((n, r) => n + r.total, 0) / tail.length),
    };
  }
  return {
    records: records.length,
    total: { p50: total.p50, p99: total.p99 },
    tailRecords: tail.length,
    // A record the SSE read found without parking arrived while the tail was busy with the last event.
    parkedShare: records.filter((r) => r.woken).length / records.length,
    tailParkedShare: tail.filter((r) => r.woken).length / tail.length,
    ackedP50: percentiles(records.map((r) => r.acked).filter(Number.isFinite)).p50,
    hops,
  };
}

/** The attribution as a markdown table (docs/performance.md#latency). */
export function renderAttribution(a, rate) {
  if (!a) return [];
  const f = (v) => v.toFixed(1);
  return [
    `Per-hop trace of edgelog's W4 at ${rate}/s (${a.records.toLocaleString("en-US")} records; total p50 ${f(a.total.p50)} ms, p99 ${f(a.total.p99)} ms; the slowest 1% = ${a.tailRecords} records):`,
    "",
    "| hop | p50 ms | p99 ms | mean ms in the slowest 1% | share of the slowest 1% |",
    "|---|---:|---:|---:|---:|",
    ...HOPS.map(([hop]) => {
      const h = a.hops[hop];
      return `| ${h.label} | ${f(h.p50)} | ${f(h.p99)} | ${f(h.tailMs)} | ${(h.tailShare * 100).toFixed(0)}% |`;
    }),
    "",
    `Reads parked at the tail and woken by the append: ${(a.parkedShare * 100).toFixed(0)}% of all records, ${(a.tailParkedShare * 100).toFixed(0)}% of the slowest 1% (the rest were found by a read that started after the append: the tail was still busy with the previous event). The producer's own append call (append → router has the reply) p50: ${f(a.ackedP50)} ms.`,
  ];
}
