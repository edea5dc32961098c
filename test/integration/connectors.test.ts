// Connectors inside workerd: the REST API (validation, lifecycle, offsets), sink tasks on member
// host objects driven by alarms (an http-sink posting into an http-source of this same Worker,
// since outbound fetches come back here), the DLQ and FAILED tasks, r2-sink objects in real R2.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";

const T = "org.apache.kafka.connect.transforms";

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await scheduler.wait(20);
  }
}

async function readAll(topic: string, partitions: number) {
  const out: any[] = [];
  for (let p = 0; p < partitions; p++) {
    let offset = 0;
    for (;;) {
      const r = await fetchRecords(topic, p, offset);
      out.push(...r.body.records.map((x: any) => ({ ...x, partition: p })));
      if (r.body.records.length === 0 || r.body.next_offset >= r.body.high_watermark) break;
      offset = r.body.next_offset;
    }
  }
  return out;
}

const status = async (name: string) => (await call("GET", `/v1/connectors/${name}/status`)).body;

describe("connector REST API", () => {
  it("lists plugins with their config definitions and validates per key", async () => {
    const plugins = await call("GET", "/v1/connector-plugins");
    expect(plugins.body.map((p: any) => p.class).sort()).toEqual([
      "http-sink",
      "http-source",
      "queues-sink",
      "queues-source",
      "r2-sink",
    ]);
    const all = await call("GET", "/v1/connector-plugins?connectorsOnly=false");
    expect(all.body.some((p: any) => p.class === `${T}.InsertField$Value` && p.type === "transformation")).toBe(true);
    const defs = await call("GET", "/v1/connector-plugins/r2-sink/config");
    expect(defs.body.find((d: any) => d.name === "flush.size")).toMatchObject({ type: "INT", default_value: "1000" });

    const v = await call("PUT", "/v1/connector-plugins/http-sink/config/validate", {
      name: "x",
      topics: "a",
      "http.api.url": "http://169.254.169.254/",
      "batch.max.size": "lots",
    });
    expect(v.status).toBe(200);
    expect(v.body.error_count).toBe(2);
    const errs = Object.fromEntries(v.body.configs.map((c: any) => [c.value.name, c.value.errors]));
    expect(errs["http.api.url"][0]).toMatch(/not in EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS/);
    expect(errs["batch.max.size"][0]).toMatch(/Not a number/);
    expect((await call("PUT", "/v1/connector-plugins/ftp-sink/config/validate", {})).status).toBe(404);
  });

  it("refuses an invalid config with each field's errors and creates nothing", async () => {
    const name = uniqueTopic("bad");
    const r = await call("POST", "/v1/connectors", {
      name,
      config: { "connector.class": "http-sink", topics: "t", "http.api.url": "file:///etc/passwd", "tasks.max": 0 },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_CONFIG");
    expect(r.body.configs.map((c: any) => c.name).sort()).toEqual(["http.api.url", "tasks.max"]);
    const unknown = await call("POST", "/v1/connectors", { name, config: { "connector.class": "NoSuchConnector" } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.configs.map((c: any) => c.name)).toContain("connector.class");
    expect((await call("GET", `/v1/connectors/${name}`)).status).toBe(404);
    expect((await call("GET", "/v1/connectors")).body).not.toContain(name);
  });

  it("runs an http-source: pause, resume, stop, offsets, delete", async () => {
    const topic = uniqueTopic("hooks");
    await createTopic(topic, 2);
    const name = uniqueTopic("src");
    const created = await call("POST", "/v1/connectors", {
      name,
      config: { "connector.class": "http-source", topic, "key.pointer": "/user", "ingest.split": "array" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name, type: "source", tasks: [{ connector: name, task: 0 }] });
    expect(
      (await call("POST", "/v1/connectors", { name, config: { "connector.class": "http-source", topic } })).body.error
        .code,
    ).toBe("CONNECTOR_ALREADY_EXISTS");
    expect(await status(name)).toMatchObject({ connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] });

    const events = [
      { user: "ada", n: 1 },
      { user: "bob", n: 2 },
    ];
    const sent = await call("POST", `/v1/connectors/${name}/ingest`, events, { "idempotency-key": "d-1" });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.records).toHaveLength(2);
    // The same delivery again is answered without writing twice.
    const again = await call("POST", `/v1/connectors/${name}/ingest`, events, { "idempotency-key": "d-1" });
    expect(again.body).toMatchObject({ duplicate: true, records: sent.body.records });
    const stored = await readAll(topic, 2);
    expect(stored.map((r) => r.value).sort((a, b) => a.n - b.n)).toEqual(events);
    expect(stored.map((r) => r.key).sort()).toEqual(["ada", "bob"]);
    const bad = await call("POST", `/v1/connectors/${name}/ingest`, "{not json", {
      "content-type": "application/json",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_RECORD");

    expect((await call("PUT", `/v1/connectors/${name}/pause`)).status).toBe(202);
    expect((await status(name)).tasks[0].state).toBe("PAUSED");
    const paused = await call("POST", `/v1/connectors/${name}/ingest`, events);
    expect(paused.status).toBe(503);
    expect(paused.body.error.code).toBe("CONNECTOR_NOT_RUNNING");
    expect(paused.headers.get("retry-after")).toBe("5");
    expect((await call("PUT", `/v1/connectors/${name}/resume`)).status).toBe(202);

    // Offsets change only while stopped (KIP-875).
    const offsets = await call("GET", `/v1/connectors/${name}/offsets`);
    expect(offsets.body.offsets).toEqual([
      { partition: { "http-source": name }, offset: { deliveries: 1, last_delivery: "d-1" } },
    ]);
    expect((await call("DELETE", `/v1/connectors/${name}/offsets`)).body.error.code).toBe("CONNECTOR_NOT_STOPPED");
    expect((await call("PUT", `/v1/connectors/${name}/stop`)).status).toBe(204);
    expect(await status(name)).toMatchObject({ connector: { state: "STOPPED" }, tasks: [] });
    const reset = await call("DELETE", `/v1/connectors/${name}/offsets`);
    expect(reset.body.message).toMatch(/reset successfully/);
    expect((await call("GET", `/v1/connectors/${name}/offsets`)).body.offsets).toEqual([]);

    expect((await call("GET", `/v1/connectors/${name}/topics`)).body).toEqual({ [name]: { topics: [topic] } });
    expect((await call("GET", "/v1/connectors?expand=status")).body[name].status.connector.state).toBe("STOPPED");
    expect((await call("DELETE", `/v1/connectors/${name}`)).status).toBe(204);
    expect((await call("GET", `/v1/connectors/${name}/status`)).status).toBe(404);
    expect((await call("GET", "/v1/connectors")).body).not.toContain(name);
  });
});

describe("sink tasks on member hosts", () => {
  it("an http-sink delivers every record, in batches, to an http-source (this Worker) and commits", async () => {
    const input = uniqueTopic("in");
    const output = uniqueTopic("out");
    await createTopic(input, 3);
    await createTopic(output, 1);
    const source = uniqueTopic("loop-src");
    const sink = uniqueTopic("loop-sink");
    expect(
      (
        await call("POST", "/v1/connectors", {
          name: source,
          config: { "connector.class": "http-source", topic: output, "ingest.split": "lines" },
        })
      ).status,
    ).toBe(201);
    const records = Array.from({ length: 120 }, (_, i) => ({ key: `k${i % 9}`, value: { i } }));
    expect((await produce(input, records)).status).toBe(200);
    const created = await call("POST", "/v1/connectors", {
      name: sink,
      config: {
        "connector.class": "http-sink",
        topics: input,
        "http.api.url": `http://edgelog.test/v1/connectors/${source}/ingest`,
        "batch.max.size": 25,
        "tasks.max": 2,
        "offset.flush.interval.ms": 0,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const delivered = await until("all records at the source's topic", async () => {
      const got = await readAll(output, 1);
      return got.length >= records.length ? got : undefined;
    });
    // Each element is the envelope: topic, partition, offset, key, value, headers, timestamp.
    const seen = new Set(delivered.map((r) => `${r.value.partition}/${r.value.offset}`));
    expect(seen.size).toBe(records.length);
    expect(delivered[0].value).toMatchObject({ topic: input, headers: {} });
    expect(delivered.map((r) => r.value.value.i).sort((a: number, b: number) => a - b)).toEqual(
      records.map((_, i) => i),
    );
    const s = await status(sink);
    expect(s.tasks.map((t: any) => t.state)).toEqual(["RUNNING", "RUNNING"]);
    await until("offsets committed", async () => {
      const o = (await call("GET", `/v1/connectors/${sink}/offsets`)).body.offsets;
      const total = o.reduce((n: number, e: any) => n + e.offset.kafka_offset, 0);
      return total === records.length;
    });
    expect((await call("DELETE", `/v1/connectors/${sink}`)).status).toBe(204);
    expect((await call("DELETE", `/v1/connectors/${source}`)).status).toBe(204);
  });

  it("errors.tolerance=none fails the task with its trace; all sends the record to the DLQ with Kafka's headers", async () => {
    const input = uniqueTopic("in");
    const dlq = uniqueTopic("dlq");
    const output = uniqueTopic("out");
    await createTopic(input, 1);
    await createTopic(dlq, 1);
    await createTopic(output, 1);
    const source = uniqueTopic("dlq-src");
    await call("POST", "/v1/connectors", {
      name: source,
      config: { "connector.class": "http-source", topic: output, "ingest.split": "lines" },
    });
    await produce(input, [{ value: { n: "1" } }, { value: { n: "poison" } }, { value: { n: "3" } }]);
    const name = uniqueTopic("cast");
    const config = {
      "connector.class": "http-sink",
      topics: input,
      "http.api.url": `http://edgelog.test/v1/connectors/${source}/ingest`,
      "offset.flush.interval.ms": "0",
      transforms: "num",
      "transforms.num.type": `${T}.Cast$Value`,
      "transforms.num.spec": "n:int32",
    };
    expect((await call("POST", "/v1/connectors", { name, config })).status).toBe(201);
    const failed = await until("the task to fail", async () => {
      const s = await status(name);
      return s.tasks[0]?.state === "FAILED" ? s.tasks[0] : undefined;
    });
    expect(failed.trace).toMatch(/Tolerance exceeded in error handler: TRANSFORMATION/);
    expect(failed.trace).toMatch(/cannot be cast to int32/);

    // Tolerating errors, with a DLQ: the poison record goes there, the others to the sink.
    const tolerant = {
      ...config,
      "errors.tolerance": "all",
      "errors.deadletterqueue.topic.name": dlq,
      "errors.deadletterqueue.context.headers.enable": "true",
    };
    expect((await call("PUT", `/v1/connectors/${name}/config`, tolerant)).status).toBe(200);
    const dead = await until("the DLQ record", async () => {
      const r = await readAll(dlq, 1);
      return r.length > 0 ? r : undefined;
    });
    expect(dead).toHaveLength(1);
    expect(dead[0].value).toEqual({ n: "poison" });
    expect(dead[0].headers).toMatchObject({
      "__connect.errors.topic": input,
      "__connect.errors.partition": "0",
      "__connect.errors.offset": "1",
      "__connect.errors.connector.name": name,
      "__connect.errors.stage": "TRANSFORMATION",
      "__connect.errors.exception.class.name": "org.apache.kafka.connect.errors.DataException",
    });
    const out = await until("the good records", async () => {
      const r = await readAll(output, 1);
      return r.length >= 2 ? r : undefined;
    });
    expect(out.map((r) => r.value.value.n)).toEqual([1, 3]);
    expect((await status(name)).tasks[0].state).toBe("RUNNING");
  });

  it("an r2-sink writes flush.size objects (the rest once rotate.interval.ms passed), keyed topic/partition/date/startOffset, each offset once", async () => {
    const input = uniqueTopic("lake");
    await createTopic(input, 2);
    const ts = Date.UTC(2026, 0, 2);
    const records = Array.from({ length: 50 }, (_, i) => ({ partition: i % 2, value: { i }, timestamp: ts + i }));
    expect((await produce(input, records)).status).toBe(200);
    const name = uniqueTopic("r2");
    const config = {
      "connector.class": "r2-sink",
      topics: input,
      "flush.size": 10,
      "rotate.interval.ms": 1000,
      "topics.dir": `it/${name}`,
    };
    expect((await call("POST", "/v1/connectors", { name, config })).status).toBe(201);
    // 25 records per partition: two full objects at once, the last five once the object is a second old.
    const keys = await until("three objects per partition", async () => {
      const list = await env.ARCHIVE.list({ prefix: `it/${name}/` });
      return list.objects.length >= 3 * 2 ? list.objects.map((o) => o.key).sort() : undefined;
    });
    expect(keys.filter((k) => k.includes(`/${input}/0/`))).toEqual(
      [0, 10, 20].map((o) => `it/${name}/${input}/0/2026-01-02/${String(o).padStart(20, "0")}.jsonl`),
    );
    const offsets: string[] = [];
    for (const k of keys) {
      const text = await (await env.ARCHIVE.get(k))!.text();
      for (const line of text.trim().split("\n")) {
        const e = JSON.parse(line);
        offsets.push(`${e.partition}/${e.offset}`);
      }
    }
    expect(offsets.length).toBe(50);
    expect(new Set(offsets).size).toBe(50);
    await until("offsets committed to the end", async () => {
      const o = (await call("GET", `/v1/connectors/${name}/offsets`)).body.offsets;
      return o.reduce((n: number, e: any) => n + e.offset.kafka_offset, 0) === 50;
    });
  });

  it("an r2-sink writes Parquet objects into real R2", async () => {
    const input = uniqueTopic("pq");
    await createTopic(input, 1);
    await produce(
      input,
      Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, value: { i } })),
    );
    const name = uniqueTopic("r2pq");
    const config = {
      "connector.class": "r2-sink",
      topics: input,
      "flush.size": 4,
      "topics.dir": `pq/${name}`,
      "format.class": "parquet",
    };
    expect((await call("POST", "/v1/connectors", { name, config })).status).toBe(201);
    const obj = await until("a parquet object", async () => {
      const list = await env.ARCHIVE.list({ prefix: `pq/${name}/` });
      return list.objects[0];
    });
    expect(obj.key).toMatch(/\/00000000000000000000\.parquet$/);
    const bytes = new Uint8Array(await (await env.ARCHIVE.get(obj.key))!.arrayBuffer());
    // Parquet files start and end with the magic PAR1 (the rows are read back by tests/unit/connect-formats).
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("PAR1");
    expect(new TextDecoder().decode(bytes.subarray(-4))).toBe("PAR1");
  });

  it("a queues-sink sends to a Queue whose batches a queues-source writes back to a topic", async () => {
    const input = uniqueTopic("qin");
    const output = uniqueTopic("qout");
    await createTopic(input, 1);
    await createTopic(output, 1);
    const big = "x".repeat(130_000);
    await produce(input, [{ value: { n: 1 } }, { value: { n: 2, big } }, { value: { n: 3 } }]);
    const dlq = uniqueTopic("qdlq");
    await createTopic(dlq, 1);
    const src = uniqueTopic("qsrc");
    expect(
      (
        await call("POST", "/v1/connectors", {
          name: src,
          config: { "connector.class": "queues-source", topic: output, "queue.name": "edgelog-events-test" },
        })
      ).status,
    ).toBe(201);
    const sink = uniqueTopic("qsink");
    const created = await call("POST", "/v1/connectors", {
      name: sink,
      config: {
        "connector.class": "queues-sink",
        topics: input,
        "queue.binding": "EVENTS_QUEUE",
        "queue.message.format": "value",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "offset.flush.interval.ms": 0,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const got = await until("the queue's messages in the topic", async () => {
      const r = await readAll(output, 1);
      return r.length >= 2 ? r : undefined;
    });
    expect(got.map((r) => r.value)).toEqual([{ n: 1 }, { n: 3 }]);
    const dead = await until("the oversize message in the DLQ", async () => {
      const r = await readAll(dlq, 1);
      return r.length > 0 ? r : undefined;
    });
    expect(dead[0].value.n).toBe(2);
    await call("DELETE", `/v1/connectors/${sink}`);
    await call("DELETE", `/v1/connectors/${src}`);
  });
});
