// Queues connectors against a real wrangler dev: wrangler.toml's commented Queues example, switched
// on, runs locally; a queues-sink sends a topic to the queue, the Worker's queue() handler hands its
// batches to a queues-source writing another topic, and a message over 128 KB goes to the DLQ.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { jsonApi, readTopic, until } from "../support/examples.js";
import { useServer } from "../support/server.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** wrangler.toml with its Queues example uncommented, paths made absolute so it can live elsewhere. */
function queuesConfig(): string {
  const lines = readFileSync(join(ROOT, "wrangler.toml"), "utf8").split("\n");
  const start = lines.indexOf("# [[queues.producers]]");
  const end = lines.indexOf("# max_batch_timeout = 1");
  expect(start, "wrangler.toml has the commented Queues example").toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const toml = lines
    .map((l, i) => (i >= start && i <= end ? l.replace(/^# ?/, "") : l))
    .join("\n")
    .replace('main = "src/index.ts"', `main = ${JSON.stringify(join(ROOT, "src/index.ts"))}`)
    .replace('directory = "./dist/assets"', `directory = ${JSON.stringify(join(ROOT, "dist/assets"))}`);
  const dir = mkdtempSync(join(tmpdir(), "edgelog-queues-"));
  const path = join(dir, "wrangler.toml");
  writeFileSync(path, toml);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return path;
}

const server = useServer({ config: queuesConfig() });
const api = jsonApi(() => server().url);

const TOTAL = 300;

it("a queues-sink and a queues-source carry a topic through a local Queue; the oversize message goes to the DLQ", async () => {
  await api("POST", "/v1/topics", { name: "orders", partitions: 2 });
  await api("POST", "/v1/topics", { name: "orders-copy", partitions: 1 });
  await api("POST", "/v1/topics", { name: "orders-dlq", partitions: 1 });
  await api("POST", "/v1/connectors", {
    name: "orders-from-queue",
    config: { "connector.class": "queues-source", topic: "orders-copy", "queue.name": "edgelog-events" },
  });
  const records = Array.from({ length: TOTAL }, (_, n) => ({ key: `k${n % 7}`, value: { n } }));
  records.splice(123, 0, { key: "big", value: { n: -1, pad: "x".repeat(130_000) } as never });
  await api("POST", "/v1/topics/orders/records", { records });
  await api("POST", "/v1/connectors", {
    name: "orders-to-queue",
    config: {
      "connector.class": "queues-sink",
      topics: "orders",
      "queue.binding": "EVENTS_QUEUE",
      "queue.message.format": "value",
      "offset.flush.interval.ms": "500",
      "errors.tolerance": "all",
      "errors.deadletterqueue.topic.name": "orders-dlq",
      "errors.deadletterqueue.context.headers.enable": "true",
    },
  });

  const copied = await until(
    "every message in orders-copy",
    async () => {
      const r = await readTopic(api, "orders-copy");
      return r.length >= TOTAL ? r : undefined;
    },
    60_000,
  );
  const ns = copied.map((r) => (r.value as { n: number }).n).sort((a, b) => a - b);
  expect(ns).toEqual(Array.from({ length: TOTAL }, (_, n) => n));

  const dead = await until("the oversize message in the DLQ", async () => {
    const r = await readTopic(api, "orders-dlq");
    return r.length > 0 ? r : undefined;
  });
  expect(dead).toHaveLength(1);
  const headers = (dead[0] as unknown as { headers: Record<string, string> }).headers;
  expect(dead[0]!.key).toBe("big");
  expect(headers["__connect.errors.stage"]).toBe("TASK_PUT");
  expect(headers["__connect.errors.exception.message"]).toMatch(/128/);

  const status = await api("GET", "/v1/connectors?expand=status");
  expect(status["orders-to-queue"].status.tasks[0].state).toBe("RUNNING");
  expect(status["orders-from-queue"].status.connector.state).toBe("RUNNING");
  const { offsets } = await api("GET", "/v1/connectors/orders-from-queue/offsets");
  expect(offsets[0].offset.deliveries).toBe(TOTAL);
});
