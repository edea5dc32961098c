// The sinks' own logic: how http-sink batches, retries (Retry-After first) and isolates refused
// records; r2-sink's object keys; and its Parquet files, read back by an independent reader
// (parquet-wasm, Apache Arrow's Rust implementation) rather than the writer's own project.

import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm/node";
import { describe, expect, it } from "vitest";
import { HttpSink, retryAfterMs } from "../../src/connect/sinks/http-sink.js";
import { JSON_LINES, parquet } from "../../src/connect/sinks/object-format.js";
import { objectKey } from "../../src/connect/sinks/r2-sink.js";
import type { SinkRecord } from "../../src/connect/sinks/task.js";
import { validateConnector } from "../../src/connect/connector-config.js";

function record(offset: number, value: unknown, over: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: "orders",
    partition: 1,
    key: `k${offset}`,
    value: value as SinkRecord["value"],
    timestamp: Date.UTC(2026, 4, 17, 23, 59) + offset,
    headers: [{ key: "h", value: "v" }],
    original: { topic: "orders", partition: 1, offset },
    raw: { key: null, value: null, headers: [], timestamp: null },
    ...over,
  };
}

const facts = { httpAllowedHosts: ["sink.test"], exactlyOnceSource: false, r2Bindings: [], queueProducers: [] };

function httpSink(config: Record<string, string>, answer: (body: string, attempt: number) => Response) {
  const v = validateConnector(
    { name: "s", "connector.class": "http-sink", topics: "orders", "http.api.url": "http://sink.test/in", ...config },
    facts,
  );
  expect(v.errors).toEqual({});
  const requests: { body: string; headers: Record<string, string> }[] = [];
  const errant: { offset: number; message: string }[] = [];
  const waits: number[] = [];
  const sink = new HttpSink({
    values: v.connector!.values,
    allowedHosts: facts.httpAllowedHosts,
    report: async (r, e) => {
      errant.push({ offset: r.original.offset, message: (e as Error).message });
    },
    fetch: async (_url, init) => {
      const body = String(init!.body);
      requests.push({ body, headers: init!.headers as Record<string, string> });
      return answer(body, requests.length);
    },
    sleep: async (ms) => {
      waits.push(ms);
    },
    maxDelayMs: 60_000,
  });
  return { sink, requests, errant, waits };
}

const ok = () => new Response("ok");

describe("http-sink", () => {
  it("sends full batches at once and the rest on flush, as JSON lines of envelopes with an idempotency key", async () => {
    const { sink, requests } = httpSink({ "batch.max.size": "2" }, ok);
    await sink.put([record(0, { a: 0 }), record(1, { a: 1 }), record(2, { a: 2 })]);
    expect(requests).toHaveLength(1);
    await sink.flush([], async () => {});
    expect(requests).toHaveLength(2);
    const lines = requests[0]!.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      topic: "orders",
      partition: 1,
      offset: 0,
      key: "k0",
      value: { a: 0 },
      headers: { h: "v" },
      timestamp: Date.UTC(2026, 4, 17, 23, 59),
    });
    expect(requests[0]!.headers["content-type"]).toBe("application/x-ndjson");
    expect(requests[0]!.headers["Idempotency-Key"]).toBe("orders/1/0-1");
    expect(requests[1]!.headers["Idempotency-Key"]).toBe("orders/1/2-2");
  });

  it("sends a JSON array with the configured headers when asked", async () => {
    const { sink, requests } = httpSink(
      { "batch.json.as.array": "true", headers: "Authorization:Bearer abc|X-Source:edgelog" },
      ok,
    );
    await sink.put([record(5, "text")]);
    await sink.flush([], async () => {});
    expect(JSON.parse(requests[0]!.body)).toHaveLength(1);
    expect(requests[0]!.headers).toMatchObject({
      "content-type": "application/json",
      Authorization: "Bearer abc",
      "X-Source": "edgelog",
    });
  });

  it("retries 5xx with doubling backoff, and waits what Retry-After says", async () => {
    const { sink, requests, waits, errant } = httpSink({ "retry.backoff.ms": "100" }, (_b, n) =>
      n === 1
        ? new Response("busy", { status: 503 })
        : n === 2
          ? new Response("slow down", { status: 429, headers: { "retry-after": "2" } })
          : n === 3
            ? new Response("again", { status: 500 })
            : ok(),
    );
    await sink.put([record(0, 1)]);
    await sink.flush([], async () => {});
    expect(requests).toHaveLength(4);
    expect(waits).toEqual([100, 2_000, 400]);
    expect(errant).toEqual([]);
  });

  it("makes records errant once max.retries is spent", async () => {
    const { sink, requests, errant } = httpSink(
      { "max.retries": "2", "retry.backoff.ms": "1" },
      () => new Response("x", { status: 502 }),
    );
    await sink.put([record(0, 1)]);
    await sink.flush([], async () => {});
    expect(requests).toHaveLength(3);
    expect(errant).toEqual([{ offset: 0, message: expect.stringMatching(/HTTP 502/) }]);
  });

  it("isolates the records a 4xx refuses: their batch-mates are delivered, they alone are errant", async () => {
    const delivered: number[] = [];
    const { sink, errant } = httpSink({ "batch.max.size": "8" }, (body) => {
      const offsets = body
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).offset as number);
      if (offsets.includes(5)) return new Response("bad record", { status: 400 });
      delivered.push(...offsets);
      return ok();
    });
    await sink.put(Array.from({ length: 8 }, (_, i) => record(i, i)));
    expect(delivered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(errant).toEqual([{ offset: 5, message: expect.stringMatching(/HTTP 400/) }]);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});

describe("r2-sink objects", () => {
  it("keys objects by the first record: topic/partition/date (record time, UTC)/startOffset", () => {
    expect(objectKey("lake", record(42, 1), "jsonl")).toBe("lake/orders/1/2026-05-17/00000000000000000042.jsonl");
  });

  it("writes JSON lines of envelopes", () => {
    const text = new TextDecoder().decode(JSON_LINES.encode([record(0, { a: 1 }), record(1, null)]));
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).value),
    ).toEqual([{ a: 1 }, null]);
  });

  for (const codec of ["snappy", "none"] as const) {
    it(`writes Parquet (${codec}) that an independent reader reads back row for row`, () => {
      const records = [
        record(7, { a: 1, nested: { b: [1, 2] } }),
        record(8, null, { key: null, timestamp: null }),
        record(9, "text"),
      ];
      const bytes = parquet(codec).encode(records);
      const table = tableFromIPC(readParquet(bytes).intoIPCStream());
      expect(table.schema.fields.map((f) => f.name)).toEqual([
        "topic",
        "partition",
        "offset",
        "timestamp",
        "key",
        "value",
        "headers",
      ]);
      const rows = table.toArray().map((r) => r.toJSON());
      expect(rows.map((r) => Number(r.offset))).toEqual([7, 8, 9]);
      expect(rows.map((r) => r.partition)).toEqual([1, 1, 1]);
      expect(rows.map((r) => (r.value === null ? null : JSON.parse(r.value)))).toEqual([
        { a: 1, nested: { b: [1, 2] } },
        null,
        "text",
      ]);
      expect(rows.map((r) => (r.key === null ? null : JSON.parse(r.key)))).toEqual(["k7", null, "k9"]);
      expect(rows[0]!.timestamp).toBe(Date.UTC(2026, 4, 17, 23, 59) + 7);
      expect(rows[1]!.timestamp).toBeNull();
      expect(JSON.parse(rows[2]!.headers)).toEqual({ h: "v" });
    });
  }
});
