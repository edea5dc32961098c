// word-count under exactly_once (the example's own guarantee) against a real wrangler dev: two
// instances count 10,000 lines, one is SIGKILLed mid-stream with its transactions open and restarted.
// What read_committed readers see of word-counts is exact: each word's updates 1, 2, ..., n, once each.

import { afterEach, expect, it } from "vitest";
import { jsonApi, runExample, type ExampleProcess } from "../support/examples.js";
import { useServer } from "../support/server.js";
import { wordCountThroughAKill } from "../support/word-count.js";

const server = useServer();
const running: ExampleProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

const api = jsonApi(() => server().url);

it("word-count exactly_once: through a SIGKILL and restart, every count is exact and no update is repeated", async () => {
  const start = (instanceId: string) => {
    const p = runExample("word-count", { EDGELOG_URL: server().url, EDGELOG_INSTANCE_ID: instanceId });
    running.push(p);
    return p;
  };
  const { expected, output } = await wordCountThroughAKill(api, start, "read_committed");

  // A word's updates all land in one partition, in order: committed, they count 1, 2, ..., n. A
  // duplicate (a record processed twice) or a gap (state lost) would show here.
  const updates = new Map<string, number[]>();
  for (const r of output) (updates.get(r.key) ?? updates.set(r.key, []).get(r.key)!).push(r.value as number);
  expect(new Set(updates.keys())).toEqual(new Set(expected.keys()));
  for (const [w, n] of expected) expect(updates.get(w), w).toEqual(Array.from({ length: n }, (_, i) => i + 1));
});
