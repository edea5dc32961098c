// The streams examples against a real wrangler dev, run as a user runs them (npm run example):
// word-count under at_least_once over 10,000 lines with two instances, one SIGKILLed mid-stream and
// restarted (exactly_once, the example's own choice: streams-exactly-once.test.ts); and
// page-views-by-region's final windowed results against a reference computed here.

import { afterEach, expect, it } from "vitest";
import { jsonApi, readTopic, runExample, until, type ExampleProcess } from "../support/examples.js";
import { wordCountThroughAKill } from "../support/word-count.js";
import { rng } from "../support/random.js";
import { useServer } from "../support/server.js";

const server = useServer();
const running: ExampleProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

function run(name: string, instanceId: string, env: Record<string, string> = {}): ExampleProcess {
  const p = runExample(name, { EDGELOG_URL: server().url, EDGELOG_INSTANCE_ID: instanceId, ...env });
  running.push(p);
  return p;
}

const api = jsonApi(() => server().url);
const readAll = (topic: string) => readTopic(api, topic);

it("word-count at_least_once: two instances, one killed mid-stream and restarted, never count a word short", async () => {
  const start = (id: string) => run("word-count", id, { EDGELOG_PROCESSING_GUARANTEE: "at_least_once" });
  const { expected, output } = await wordCountThroughAKill(api, start, "read_uncommitted");
  const latest = new Map(output.map((r) => [r.key, r.value as number]));
  expect(new Set(latest.keys())).toEqual(new Set(expected.keys()));
  for (const [w, n] of expected) expect(latest.get(w)!, w).toBeGreaterThanOrEqual(n);
});

it("page-views-by-region: final one-minute counts per region, joined with the regions table, equal a reference", async () => {
  // One input partition keeps the reference exact: the windows' task sees records in produce order.
  await api("POST", "/v1/topics", { name: "page-views", partitions: 1 });
  const app = run("page-views-by-region", "pv-1");
  await app.running;
  const regions: Record<string, string> = { eu: "Europe", us: "Americas", ap: "Asia-Pacific" };
  await api("POST", "/v1/topics/regions/records", {
    records: Object.entries(regions).map(([key, name]) => ({ key, value: { name } })),
  });

  const random = rng(7);
  const codes = ["eu", "us", "ap", "sa"]; // "sa" is not in the regions table: joined with null
  const MIN = 60_000;
  const GRACE = 10_000;
  const t0 = 1_767_225_600_000;
  const views: { region: string; t: number; late: boolean }[] = [];
  let max = t0;
  for (let i = 0; i < 600; i++) {
    // Moving forward, sometimes out of order by less than the grace: every such record counts.
    const t = Math.max(t0, max + Math.floor(random() * 2_000) - Math.floor(random() * GRACE * 0.4));
    max = Math.max(max, t);
    views.push({ region: codes[Math.floor(random() * codes.length)]!, t, late: false });
    if (i % 97 === 96) {
      // A record for a window that closed long ago: dropped, whatever the region.
      views.push({ region: codes[i % codes.length]!, t: max - 5 * MIN, late: true });
    }
  }
  // After the data, one record per region far ahead, so every window of the data closes.
  const flush = max + 10 * MIN;
  for (const region of codes) views.push({ region, t: flush, late: false });
  await api("POST", "/v1/topics/page-views/records", {
    records: views.map((v) => ({ value: { region: v.region, page: "/" }, timestamp: v.t })),
  });

  // The reference: counts per (region, minute) of the records in time, except the flush windows.
  const reference = new Map<string, object>();
  for (const v of views) {
    if (v.late || v.t === flush) continue;
    const start = Math.floor(v.t / MIN) * MIN;
    const k = `${v.region}@${start}`;
    const prev = reference.get(k) as { views: number } | undefined;
    reference.set(k, {
      region: v.region,
      window_start: start,
      window_end: start + MIN,
      views: (prev?.views ?? 0) + 1,
      region_name: regions[v.region] ?? null,
    });
  }
  const final = await until("every window's final result", async () => {
    const out = await readAll("page-views-by-region");
    return out.length >= reference.size ? out : undefined;
  });
  const got = new Map(final.map((r) => [`${r.key}@${(r.value as { window_start: number }).window_start}`, r.value]));
  expect(got.size).toBe(final.length); // each window emitted once
  expect(got).toEqual(reference);
});
