// http-source → topic → r2-sink against a real wrangler dev: webhook deliveries (JSON lines) become
// records, and the r2-sink rolls them into Parquet objects; a SIGKILL of the server mid-run loses
// nothing, and the objects hold each offset exactly once (read back with parquet-wasm in Node).

import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm/node";
import { expect, it } from "vitest";
import { jsonApi, until } from "../support/examples.js";
import { useServer } from "../support/server.js";

const server = useServer({ main: "test/e2e/workers/r2-reader.ts" });
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
    config: { "connector.class": "http-source", topic: "clicks", "ingest.split": "lines", "key.pointer": "/user" },
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

  const topic = await api("GET", "/v1/topics/clicks");
  const hw = topic.partitions.map((p: { high_watermark: number }) => p.high_watermark);
  const total = hw.reduce((a: number, b: number) => a + b, 0);
  // At least once from the webhook to the topic (a delivery cut by the crash may be written twice).
  expect(total).toBeGreaterThanOrEqual(DELIVERIES * PER_DELIVERY);
  const rows = await until(
    "every offset in an object",
    async () => {
      const r = await objects();
      return r.length >= total ? r : undefined;
    },
    // Well within the group's 45 s session timeout: the restarted task takes its partitions back at once.
    30_000,
  );
  // Exactly once in R2: each offset of each partition in one object, none missing.
  const seen = new Map<string, number>();
  for (const r of rows) seen.set(`${r.partition}/${r.offset}`, (seen.get(`${r.partition}/${r.offset}`) ?? 0) + 1);
  expect([...seen.values()].filter((c) => c !== 1)).toEqual([]);
  for (let p = 0; p < hw.length; p++)
    for (let o = 0; o < hw[p]; o++) expect(seen.has(`${p}/${o}`), `${p}/${o}`).toBe(true);
  // Every delivered record is there.
  const ns = new Set(rows.map((r) => r.n));
  for (let n = 0; n < DELIVERIES * PER_DELIVERY; n++) expect(ns.has(n), `record ${n}`).toBe(true);
  // Keys name each object's first offset and its record date.
  for (const r of rows) expect(r.key).toMatch(/^connect\/lake\/clicks\/[01]\/\d{4}-\d{2}-\d{2}\/\d{20}\.parquet$/);
});
