// http-source → topic → r2-sink against a real wrangler dev: webhook deliveries (JSON lines) become
// records, and the r2-sink rolls them into Parquet objects; a SIGKILL of the server mid-run loses
// nothing. The source runs exactly once (KIP-618, exactly.once.source.support enabled) and the sink
// reads read_committed, so the topic's committed records and the objects hold each record exactly
// once, each offset in one object (read back with parquet-wasm in Node).

import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm/node";
import { expect, it } from "vitest";
import { jsonApi, until } from "../support/examples.js";
import { useServer } from "../support/server.js";

const server = useServer({
  main: "test/e2e/workers/r2-reader.ts",
  vars: { EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT: "enabled" },
});
const api = jsonApi(() => server().url);

const DELIVERIES = 30;
const PER_DELIVERY = 100;

/** Posts one webhook delivery until it is answered 200 (the same Idempotency-Key on every try). */
async function deliver(i: number): Promise<void> {
  const body = Array.from({ length: PER_DELIVERY }, (_, j) =>
    JSON.stringify({ user: `u${(i * 7 + j) % 13}`, n: i * PER_DELIVERY + j }),
  ).join("\n");
  await until(`delivery ${i}`, async () => {
    const r = await fetch(`${server().url}/v1/connectors/clicks-in/ingest`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "idempotency-key": `delivery-${i}` },
      body,
    });
    return r.ok ? true : undefined;
  });
}

/** The topic's committed records (read_committed), every partition. */
async function committedRecords(partitions: number): Promise<{ partition: number; offset: number; n: number }[]> {
  const out = [];
  for (let p = 0; p < partitions; p++) {
    let offset = 0;
    for (;;) {
      const r = await api("GET", `/v1/topics/clicks/partitions/${p}/records?offset=${offset}&isolation=read_committed`);
      for (const x of r.records) out.push({ partition: p, offset: x.offset, n: x.value.n });
      if (r.next_offset >= r.last_stable_offset || r.next_offset === offset) break;
      offset = r.next_offset;
    }
  }
  return out;
}

async function objects(): Promise<{ key: string; partition: number; offset: number; n: number }[]> {
  const keys: string[] = await api("GET", "/test/r2/list?prefix=lake/");
  const rows = [];
  for (const key of keys) {
    const bytes = new Uint8Array(
      await (await fetch(`${server().url}/test/r2/object?key=${encodeURIComponent(key)}`)).arrayBuffer(),
    );
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    for (const r of table.toArray()) {
      const row = r.toJSON();
      rows.push({ key, partition: row.partition, offset: Number(row.offset), n: JSON.parse(row.value).n });
    }
  }
  return rows;
}

it("writes webhook deliveries through a topic into Parquet objects in R2, each offset exactly once across a SIGKILL", async () => {
  await api("POST", "/v1/topics", { name: "clicks", partitions: 2 });
  await api("POST", "/v1/connectors", {
    name: "clicks-in",
    config: {
      "connector.class": "http-source",
      topic: "clicks",
      "ingest.split": "lines",
      "key.pointer": "/user",
      "exactly.once.support": "required",
    },
  });
  await api("POST", "/v1/connectors", {
    name: "clicks-lake",
    config: {
      "connector.class": "r2-sink",
      topics: "clicks",
      "topics.dir": "connect/lake",
      "format.class": "parquet",
      "flush.size": "150",
      "rotate.interval.ms": "1000",
      "consumer.override.isolation.level": "read_committed",
    },
  });
  for (let i = 0; i < DELIVERIES / 2; i++) await deliver(i);
  await until("the first objects", async () => ((await objects()).length > 0 ? true : undefined), 60_000);

  // A crash mid-run, while deliveries and objects are in flight.
  const late = Promise.all(Array.from({ length: 3 }, (_, k) => deliver(DELIVERIES / 2 + k)));
  await server().kill();
  await server().restart();
  await late;
  for (let i = DELIVERIES / 2 + 3; i < DELIVERIES; i++) await deliver(i);

  // Exactly once from the webhook to the topic: the committed records hold each delivered record once
  // (a delivery cut by the crash was aborted, or committed and answered as a duplicate on retry).
  const committed = await committedRecords(2);
  expect(committed.map((r) => r.n).sort((a, b) => a - b)).toEqual(
    Array.from({ length: DELIVERIES * PER_DELIVERY }, (_, n) => n),
  );
  const rows = await until(
    "every committed record in an object",
    async () => {
      const r = await objects();
      return r.length >= committed.length ? r : undefined;
    },
    // Well within the group's 45 s session timeout: the restarted task takes its partitions back at once.
    30_000,
  );
  // Exactly once in R2: each committed offset of each partition in one object, and nothing else.
  const seen = new Map<string, number>();
  for (const r of rows) seen.set(`${r.partition}/${r.offset}`, (seen.get(`${r.partition}/${r.offset}`) ?? 0) + 1);
  expect([...seen.values()].filter((c) => c !== 1)).toEqual([]);
  expect([...seen.keys()].sort()).toEqual(committed.map((r) => `${r.partition}/${r.offset}`).sort());
  // Keys name each object's first offset and its record date.
  for (const r of rows) expect(r.key).toMatch(/^connect\/lake\/clicks\/[01]\/\d{4}-\d{2}-\d{2}\/\d{20}\.parquet$/);
});
