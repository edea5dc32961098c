// The word-count crash scenario both guarantees are tested with (test/e2e/streams*.test.ts): two
// instances of `npm run example -- word-count` count 10,000 lines, one is SIGKILLed mid-stream and
// restarted under its instance id, and the run ends once every word reaches its count.

import { expect } from "vitest";
import { readTopic, until, type ExampleProcess, type jsonApi } from "./examples.js";
import { rng } from "./random.js";

type Api = ReturnType<typeof jsonApi>;

export interface WordCountRun {
  /** Each word's exact count over the lines produced. */
  expected: Map<string, number>;
  lines: number;
  /** Every record of word-counts, partition by partition in offset order, as `isolation` reads them. */
  output: { key: string; value: unknown }[];
}

async function recordsIn(api: Api, topic: string): Promise<number> {
  const d = await api("GET", `/v1/topics/${topic}`);
  return d.partitions.reduce((n: number, p: { high_watermark: number }) => n + p.high_watermark, 0);
}

export async function wordCountThroughAKill(
  api: Api,
  start: (instanceId: string) => ExampleProcess,
  isolation: "read_uncommitted" | "read_committed",
): Promise<WordCountRun> {
  const a = start("wc-a");
  await a.running; // creates text-lines and word-counts
  const b = start("wc-b");
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
    (await recordsIn(api, "word-counts")) >= totalWords / 3 ? true : undefined,
  );
  await a.kill();
  expect((await recordsIn(api, "word-counts")) < totalWords).toBe(true);
  const restarted = start("wc-a");
  await restarted.running;

  // Every word's latest count reaches its exact count (at least once: duplicates may push it higher).
  await until(
    "every word counted",
    async () => {
      const seen = new Map<string, number>();
      for (const r of await readTopic(api, "word-counts", isolation)) seen.set(r.key, r.value as number);
      return [...expected].every(([w, n]) => (seen.get(w) ?? 0) >= n) ? seen : undefined;
    },
    120_000,
  );
  // And the group ends with every line consumed and committed.
  await Promise.all([b.stop(), restarted.stop()]);
  const offsets = await api("GET", "/v1/groups/word-count/offsets");
  const committed = offsets.offsets
    .filter((o: { topic: string }) => o.topic === "text-lines")
    .reduce((n: number, o: { offset: number }) => n + o.offset, 0);
  expect(committed).toBe(lines.length);
  return { expected, lines: lines.length, output: await readTopic(api, "word-counts", isolation) };
}
