// The streams examples against a real wrangler dev, run as a user runs them (npm run example):
// word-count over 10,000 lines with two instances, one SIGKILLed mid-stream and restarted; and
// page-views-by-region's final windowed results against a reference computed here.

import { afterEach, expect, it } from "vitest";
import { jsonApi, readTopic, runExample, until, type ExampleProcess } from "../support/examples.js";
import { rng } from "../support/random.js";
import { useServer } from "../support/server.js";

const server = useServer();
const running: ExampleProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

function start(name: string, instanceId: string): ExampleProcess {
  const p = runExample(name, { EDGELOG_URL: server().url, EDGELOG_INSTANCE_ID: instanceId });
  running.push(p);
  return p;
}

const api = jsonApi(() => server().url);
const readAll = (topic: string) => readTopic(api, topic);

async function recordsIn(topic: string): Promise<number> {
  const d = await api("GET", `/v1/topics/${topic}`);
  return d.partitions.reduce((n: number, p: { high_watermark: number }) => n + p.high_watermark, 0);
}

it("word-count: two instances, one killed mid-stream and restarted, never count a word short", async () => {
  const a = start("word-count", "wc-a");
  await a.running; // creates text-lines and word-counts
  const b = start("word-count", "wc-b");
  await b.running;

  // 10,000 lines of mixed case, some produced as JSON strings and some as plain text.
  const random = rng(22);
  const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}`);
  const lines = Array.from({ length: 10_000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 5) }, () => {
      const w = vocabulary[Math.floor(random() * vocabulary.length)]!;
      return random() < 0.2 ? w.toUpperCase() : w;
    }).join(random() < 0.5 ? " " : "  \t"),
  );
  const expected = new Map<string, number>();
  for (const l of lines) for (const w of l.toLowerCase().split(/\s+/)) expected.set(w, (expected.get(w) ?? 0) + 1);
  const totalWords = [...expected.values()].reduce((x, y) => x + y, 0);
  for (let i = 0; i < lines.length; i += 1000) {
    const format = (i / 1000) % 2 === 0 ? "json" : "string";
    await api("POST", "/v1/topics/text-lines/records", {
      format,
      records: lines.slice(i, i + 1000).map((value) => ({ value })),
    });
  }

  // Kill one instance mid-stream (output partly written), then restart it under the same instance id.
  await until("a third of the counts written", async () =>
    (await recordsIn("word-counts")) >= totalWords / 3 ? true : undefined,
  );
  await a.kill();
  expect((await recordsIn("word-counts")) < totalWords).toBe(true);
  const restarted = start("word-count", "wc-a");
  await restarted.running;

  // At least once: every word's latest count reaches its exact count (duplicates may push it higher).
  const latest = await until("every word counted", async () => {
    const seen = new Map<string, number>();
    for (const r of await readAll("word-counts")) seen.set(r.key, r.value as number);
    return [...expected].every(([w, n]) => (seen.get(w) ?? 0) >= n) ? seen : undefined;
  });
  expect(new Set(latest.keys())).toEqual(new Set(expected.keys()));
  for (const [w, n] of expected) expect(latest.get(w)!, w).toBeGreaterThanOrEqual(n);
  // And the group ends with every line consumed and committed.
  await Promise.all([b.stop(), restarted.stop()]);
  const offsets = await api("GET", "/v1/groups/word-count/offsets");
  const committed = offsets.offsets
    .filter((o: { topic: string }) => o.topic === "text-lines")
    .reduce((n: number, o: { offset: number }) => n + o.offset, 0);
  expect(committed).toBe(lines.length);
});

it("page-views-by-region: final one-minute counts per region, joined with the regions table, equal a reference", async () => {
  // One input partition keeps the reference exact: the windows' task sees records in produce order.
  await api("POST", "/v1/topics", { name: "page-views", partitions: 1 });
  const app = start("page-views-by-region", "pv-1");
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
