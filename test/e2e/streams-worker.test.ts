// word-count in Worker mode against a real wrangler dev: the Worker entry is edgelog plus the
// example application (examples/streams/worker.ts), whose tasks run in two member-host Durable
// Objects with their stores in SQLite, exactly once (their transactions go through the router
// in-process); interactive queries are answered by those objects.

import { expect, it } from "vitest";
import { jsonApi, readTopic, until } from "../support/examples.js";
import { rng } from "../support/random.js";
import { useServer } from "../support/server.js";

const server = useServer({ main: "examples/streams/worker.ts" });

const api = jsonApi(() => server().url);

async function latestCounts(): Promise<Map<string, number>> {
  return new Map((await readTopic(api, "word-counts", "read_committed")).map((r) => [r.key, r.value as number]));
}

it("counts words exactly once with tasks in Durable Objects, and answers queries from their stores", async () => {
  // The first request (the server's health check) started the application: it creates its topics.
  await until("the application's topics", async () => (await api("GET", "/v1/topics/word-counts")) ?? undefined);
  const random = rng(23);
  const lines = Array.from({ length: 3_000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 5) }, () => `w${Math.floor(random() * 300)}`).join(" "),
  );
  const expected = new Map<string, number>();
  for (const l of lines) for (const w of l.split(" ")) expected.set(w, (expected.get(w) ?? 0) + 1);
  for (let i = 0; i < lines.length; i += 1000) {
    await api("POST", "/v1/topics/text-lines/records", {
      records: lines.slice(i, i + 1000).map((value) => ({ value })),
    });
  }

  const latest = await until("every word counted", async () => {
    const seen = await latestCounts();
    return [...expected].every(([w, n]) => (seen.get(w) ?? 0) >= n) ? seen : undefined;
  });
  // exactly_once: committed, a word's updates are 1, 2, ..., n, each once; uncommitted data is not read.
  expect(latest).toEqual(expected);
  const updates = new Map<string, number[]>();
  for (const r of await readTopic(api, "word-counts", "read_committed"))
    (updates.get(r.key) ?? updates.set(r.key, []).get(r.key)!).push(r.value as number);
  for (const [w, n] of expected) expect(updates.get(w), w).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  // Each task committed through its own transactional id, <applicationId>-<taskId>.
  const txns = await api("GET", "/v1/transactions");
  expect(txns.transactions.map((t: { transactional_id: string }) => t.transactional_id)).toEqual(
    expect.arrayContaining(["word-count-0_0", "word-count-1_0"]),
  );

  // The group's members are the two host objects (static membership by object name).
  const group = await api("GET", "/v1/groups/word-count");
  expect(group.members.map((m: { instance_id: string }) => m.instance_id).sort()).toEqual([
    "streams:word-count:0",
    "streams:word-count:1",
  ]);
  // Interactive queries: a key, and the whole store, merged from both objects' SQLite.
  // While a task moves between the objects its keys answer 503 STATE_STORE_NOT_AVAILABLE (retriable).
  const word = [...expected.keys()][0]!;
  const one = await until("the key's host to answer", () =>
    api("GET", `/streams/word-count/stores/counts/keys/${word}`),
  );
  expect(one).toEqual({ key: word, value: latest.get(word) });
  const all = await until("every task to answer", async () => {
    const r = await api("GET", "/streams/word-count/stores/counts");
    return r.entries.length === latest.size ? r : undefined;
  });
  expect(new Map(all.entries.map((e: { key: string; value: number }) => [e.key, e.value]))).toEqual(latest);
});
