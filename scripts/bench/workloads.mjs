// W1–W6 written once against the system interface, so every system runs the same code.

import { loadavg } from "node:os";
import { closedLoop, openLoop, stampedValue } from "./load.mjs";
import { percentiles, summarize } from "./stats.mjs";
import { attribute, hopRecords } from "./trace.mjs";

let seq = 0;
const fresh = (w) => `bench-${w}-${Date.now().toString(36)}-${seq++}`;

/** Runs `once` `runs` times and summarizes each numeric field it returns across the runs. */
async function repeat(runs, once) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(i));
  return summarizeRuns(results);
}

function summarizeRuns(results) {
  const out = {};
  for (const k of Object.keys(results[0])) {
    if (typeof results[0][k] === "number") out[k] = summarize(results.map((r) => r[k]));
  }
  return { ...out, last: results.at(-1) };
}

/** W1 and W6: `total` records in requests of `batchSize` records, spread over `partitions`. */
export function produceBatched(sys, { total, batchSize, concurrency, runs, valueBytes, format, partitions = 1 }) {
  return repeat(runs, async () => {
    const t = await sys.createLog(fresh("w1"), partitions);
    const requests = Math.ceil(total / batchSize);
    const secs = await closedLoop(requests, concurrency, (i) => sys.produceBatch(t, i % partitions, format));
    const records = requests * batchSize;
    return { recordsPerSec: records / secs, mbPerSec: (records * valueBytes) / secs / 1e6, topic: t, records };
  });
}

/** W2: one record per request, `concurrency` in flight. */
export function produceUnbatched(sys, { total, concurrency, runs }) {
  return repeat(runs, async () => {
    const t = await sys.createLog(fresh("w2"), 1);
    const secs = await closedLoop(total, concurrency, () => sys.produceOne(t, 0));
    return { recordsPerSec: total / secs };
  });
}

/** W3: read a log written by W1 back from its start. */
export function consume(sys, { topic, total, runs, format }) {
  return repeat(runs, async () => {
    const start = performance.now();
    const seen = await sys.consume(topic, 0, total, format);
    return { recordsPerSec: seen / ((performance.now() - start) / 1000) };
  });
}

/**
 * W4: `rate` records/s for `seconds`, one per request, each stamped with its send time; a live
 * subscriber stamps arrival. Latency is arrival minus send, both on this process's clock.
 */
export function endToEnd(sys, { rate, seconds, runs, valueBytes }) {
  return repeat(runs, () => endToEndOnce(sys, { rate, seconds, valueBytes }));
}

/**
 * W4 for several systems with their runs interleaved (run 1 of each, then run 2 of each, …), so
 * a machine shared with other work loads them alike; one summary per system, in order.
 */
export async function endToEndInterleaved(systems, { rate, seconds, runs, valueBytes }, log = console.error) {
  const per = systems.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, sys] of systems.entries()) {
      const r = await endToEndOnce(sys, { rate, seconds, valueBytes });
      per[j].push(r);
      // The load average beside each run: on a shared machine it says which runs to trust.
      log(
        `  ${sys.name} run ${i + 1} at ${rate}/s: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, lost ${r.lost}; load ${loadavg()
          .map((x) => x.toFixed(2))
          .join(" ")}`,
      );
    }
  }
  // A traced system's records of every run, pooled: the per-hop attribution (trace.mjs).
  return per.map((runs) => {
    const out = summarizeRuns(runs);
    if (runs[0].hops) out.trace = attribute(runs.flatMap((r) => r.hops));
    return out;
  });
}

async function endToEndOnce(sys, { rate, seconds, valueBytes }) {
  const t = await sys.createLog(fresh("w4"), 1);
  const latencies = [];
  const arrivals = [];
  const total = Math.round(rate * seconds);
  let done;
  const all = new Promise((r) => (done = r));
  const sub = await sys.subscribe(t, 0, (sentAt, now, offset) => {
    latencies.push(now - sentAt);
    if (sys.trace) arrivals.push({ offset, sent: sentAt, arrived: now });
    if (latencies.length >= total) done();
  });
  await new Promise((r) => setTimeout(r, 200));
  await openLoop(rate, seconds, () => sys.produceStamped(t, 0, stampedValue(valueBytes)));
  await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
  sub.close();
  const p = percentiles(latencies);
  const hops = sys.trace ? hopRecords(arrivals, await sys.trace(t, 0)) : undefined;
  return { p50: p.p50, p99: p.p99, max: p.max, received: p.count, lost: total - p.count, ...(hops ? { hops } : {}) };
}

/**
 * W5: fetch latency of `maxRecords` at the head and at the tail of a `size`-record log, sampled
 * alternately so both see the same machine noise. The log is built once, binary, in large requests.
 * A system with an archived tier (`archiveConfig(size)`) gets small segments, and sampling starts once
 * the head has rolled to it and rolling has settled: offset 0 is then read from the archive.
 */
export async function flatWithSize(sys, { size, samples, runs, maxRecords }, log = console.error) {
  const t = await sys.createLog(fresh("w5"), 1, sys.archiveConfig?.(size));
  const started = performance.now();
  const written = await sys.fill(t, 0, size, 100, 100, 2, closedLoop);
  log(
    `  W5 log of ${written.toLocaleString("en-US")} records built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  let archived = 0;
  if (sys.archivedBytes) {
    const deadline = performance.now() + 300_000;
    for (let last = -1; performance.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      archived = await sys.archivedBytes(t, 0);
      if (archived > 0 && archived === last) break;
      last = archived;
    }
    if (archived === 0) throw new Error("W5: the log's head never rolled to the archive");
    log(`  W5 archived tier: ${(archived / 2 ** 20).toFixed(0)} MiB in R2 segments (offset 0 is read from there)`);
  }
  const hw = await sys.highWatermark(t, 0);
  // Warm both ends once so neither pays a first-touch cost the other does not.
  await sys.fetchLatency(t, 0, 0, maxRecords);
  await sys.fetchLatency(t, 0, hw - maxRecords, maxRecords);
  // Cold reads: archived offsets spread over the head, each read once in the whole workload, so
  // no cache has them; offset 0, read again and again, is the warm case.
  const archivedRecords = sys.archivedRecords ? await sys.archivedRecords(t, 0) : 0;
  const stride = Math.floor((archivedRecords - 2 * maxRecords) / (samples * runs));
  const result = await repeat(runs, async (run) => {
    const head = [];
    const tail = [];
    const cold = [];
    for (let i = 0; i < samples; i++) {
      head.push(await sys.fetchLatency(t, 0, 0, maxRecords));
      if (stride > maxRecords)
        cold.push(await sys.fetchLatency(t, 0, maxRecords + (run * samples + i) * stride, maxRecords));
      tail.push(await sys.fetchLatency(t, 0, hw - maxRecords, maxRecords));
    }
    const h = percentiles(head);
    const tl = percentiles(tail);
    const c = cold.length ? percentiles(cold) : undefined;
    return {
      headP50: h.p50,
      headP99: h.p99,
      tailP50: tl.p50,
      tailP99: tl.p99,
      ratio: Math.max(tl.p50 / h.p50, h.p50 / tl.p50),
      ...(c ? { coldP50: c.p50, coldP99: c.p99, coldRatio: c.p50 / tl.p50 } : {}),
    };
  });
  return { ...result, logRecords: hw, archivedBytes: archived };
}
