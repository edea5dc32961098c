// Connector config validation: per-key errors in Kafka's ConfigInfos shape, the operator's HTTP
// host allowlist, declared bindings, http-source's authentication, and the error-handling keys.

import { describe, expect, it } from "vitest";
import { hostAllowed, parseAllowedHosts } from "../../src/connect/allowlist.js";
import { connectorTopics, validateConnector } from "../../src/connect/connector-config.js";
import { contextHeaders, withRetries } from "../../src/connect/errors.js";
import { RetriableException } from "../../src/connect/record.js";

const facts = {
  httpAllowedHosts: ["hooks.example.com", "127.0.0.1:9000"],
  exactlyOnceSource: false,
  r2Bindings: ["ARCHIVE"],
  queueProducers: [],
};
const sink = {
  name: "to-hooks",
  "connector.class": "http-sink",
  topics: "orders,refunds",
  "http.api.url": "https://hooks.example.com/in",
};

describe("connector config validation", () => {
  it("accepts a valid http-sink and derives its topics", () => {
    const v = validateConnector(sink, facts);
    expect(v.errors).toEqual({});
    expect(v.infos.error_count).toBe(0);
    expect(connectorTopics(v.connector!)).toEqual({ consume: ["orders", "refunds"], produce: [] });
  });

  it("answers every key with its own errors (Kafka's ConfigInfos)", () => {
    const v = validateConnector(
      { ...sink, "tasks.max": "zero", "batch.max.size": "0", "errors.tolerance": "some", "request.method": "GET" },
      facts,
    );
    expect(v.connector).toBeUndefined();
    const errs = (name: string) => v.infos.configs.find((c) => c.value.name === name)!.value.errors;
    expect(errs("tasks.max")[0]).toMatch(/Invalid value zero for configuration tasks.max: Not a number of type INT/);
    expect(errs("batch.max.size")[0]).toMatch(/Value must be at least 1/);
    expect(errs("errors.tolerance")[0]).toMatch(/String must be one of: none, all/);
    expect(errs("request.method")[0]).toMatch(/POST, PUT, PATCH/);
    expect(errs("topics")).toEqual([]);
    expect(v.infos.error_count).toBe(4);
    const url = v.infos.configs.find((c) => c.value.name === "http.api.url")!;
    expect(url.definition).toMatchObject({ name: "http.api.url", type: "STRING", required: true, importance: "HIGH" });
  });

  it("names a missing required key and an unknown class", () => {
    const v = validateConnector({ name: "x", "connector.class": "ftp-sink" }, facts);
    expect(v.errors["connector.class"]![0]).toMatch(/Failed to find any class .* ftp-sink/);
    const w = validateConnector({ name: "x", "connector.class": "http-sink", topics: "t" }, facts);
    expect(w.errors["http.api.url"]![0]).toBe(
      'Missing required configuration "http.api.url" which has no default value.',
    );
  });

  it("accepts Confluent's class name for the HTTP sink", () => {
    const v = validateConnector({ ...sink, "connector.class": "io.confluent.connect.http.HttpSinkConnector" }, facts);
    expect(v.connector?.plugin.class).toBe("http-sink");
  });

  it("refuses http-sink hosts the operator did not allow, and non-http URLs", () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data",
      "http://localhost:9000/",
      "http://127.0.0.1:9001/",
      "file:///etc/passwd",
      "https://user:pw@hooks.example.com/",
    ]) {
      const v = validateConnector({ ...sink, "http.api.url": url }, facts);
      expect(v.errors["http.api.url"], url).toHaveLength(1);
    }
    expect(validateConnector({ ...sink, "http.api.url": "http://127.0.0.1:9000/x" }, facts).errors).toEqual({});
    expect(validateConnector(sink, { ...facts, httpAllowedHosts: [] }).errors["http.api.url"]![0]).toMatch(
      /allows no http-sink hosts/,
    );
  });

  it("matches allowlist entries by host, port and *.suffix", () => {
    const allowed = parseAllowedHosts(" *.hooks.example.com , api.example.com:8443 ");
    expect(hostAllowed("https://a.hooks.example.com/x", allowed)).toBeUndefined();
    expect(hostAllowed("https://hooks.example.com/x", allowed)).toMatch(/not in/);
    expect(hostAllowed("https://evilhooks.example.com/x", allowed)).toMatch(/not in/);
    expect(hostAllowed("https://api.example.com:8443/", allowed)).toBeUndefined();
    expect(hostAllowed("https://api.example.com/", allowed)).toMatch(/not in/);
  });

  it("checks bindings the deployment declares", () => {
    const r2 = validateConnector(
      { name: "r", "connector.class": "r2-sink", topics: "t", "r2.bucket.binding": "LAKE" },
      facts,
    );
    expect(r2.errors["r2.bucket.binding"]![0]).toMatch(/No R2 bucket binding LAKE .*declared: ARCHIVE/);
    const inArchive = validateConnector(
      { name: "r", "connector.class": "r2-sink", topics: "t", "topics.dir": "topics" },
      facts,
    );
    expect(inArchive.errors["topics.dir"]).toHaveLength(1);
    const q = validateConnector(
      { name: "q", "connector.class": "queues-sink", topics: "t", "queue.binding": "Q" },
      facts,
    );
    expect(q.errors["queue.binding"]![0]).toMatch(/No Queue producer binding Q/);
  });

  it("keeps sources at one task and http-source secrets long enough", () => {
    const v = validateConnector(
      { name: "w", "connector.class": "http-source", topic: "events", "tasks.max": "2", "hmac.secret": "short" },
      facts,
    );
    expect(Object.keys(v.errors).sort()).toEqual(["hmac.secret", "tasks.max"]);
    const ok = validateConnector({ name: "w", "connector.class": "http-source", topic: "events" }, facts);
    expect(connectorTopics(ok.connector!)).toEqual({ consume: [], produce: ["events"] });
  });

  it("runs sources exactly once only where the deployment enables it, and only with transaction.boundary=poll", () => {
    const source = { name: "hook", "connector.class": "http-source", topic: "orders" };
    // Kafka's exactly.once.support=required is refused where exactly.once.source.support is off...
    const off = validateConnector({ ...source, "exactly.once.support": "required" }, facts);
    expect(off.errors["exactly.once.support"]![0]).toMatch(/EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled/);
    // ...requested (the default) runs at least once there, exactly once where it is on.
    expect(validateConnector(source, facts).connector!.exactlyOnce).toBe(false);
    const on = { ...facts, exactlyOnceSource: true };
    expect(validateConnector({ ...source, "exactly.once.support": "required" }, on).connector!.exactlyOnce).toBe(true);
    for (const boundary of ["interval", "connector"]) {
      const v = validateConnector({ ...source, "transaction.boundary": boundary }, on);
      expect(v.errors["transaction.boundary"]![0]).toMatch(/not supported.*use poll/);
    }
    expect(validateConnector({ ...source, "transaction.boundary": "poll" }, on).errors).toEqual({});
    // Sinks have neither key, and are never transactional.
    expect(validateConnector(sink, on).connector!.exactlyOnce).toBe(false);
  });

  it("takes errors.deadletterqueue.exactly.once only with a DLQ topic, and never for r2-sink", () => {
    const key = "errors.deadletterqueue.exactly.once";
    expect(validateConnector({ ...sink, [key]: "true" }, facts).errors[key]![0]).toMatch(
      /errors.deadletterqueue.topic.name/,
    );
    const withDlq = { ...sink, [key]: "true", "errors.deadletterqueue.topic.name": "hooks-dlq" };
    expect(validateConnector(withDlq, facts).connector!.errors.dlqExactlyOnce).toBe(true);
    const r2 = {
      name: "lake",
      "connector.class": "r2-sink",
      topics: "orders",
      "errors.deadletterqueue.topic.name": "d",
    };
    expect(validateConnector({ ...r2, [key]: "true" }, facts).errors[key]![0]).toMatch(/r2-sink.*at least once/);
  });

  it("checks the DLQ topic and the transform chain within the same answer", () => {
    const v = validateConnector(
      {
        ...sink,
        "errors.deadletterqueue.topic.name": "orders",
        transforms: "x",
        "transforms.x.type": "org.apache.kafka.connect.transforms.Nope",
      },
      facts,
    );
    expect(v.errors["errors.deadletterqueue.topic.name"]![0]).toMatch(/cannot be one of the topics/);
    expect(v.errors["transforms.x.type"]![0]).toMatch(/could not be found/);
    expect(v.infos.configs.some((c) => c.value.name === "transforms.x.type" && c.value.errors.length === 1)).toBe(true);
  });

  it("hides passwords in validation answers", () => {
    const v = validateConnector(
      { name: "w", "connector.class": "http-source", topic: "e", "hmac.secret": "0123456789abcdef0123" },
      facts,
    );
    expect(v.infos.configs.find((c) => c.value.name === "hmac.secret")!.value.value).toBe("[hidden]");
  });
});

describe("error handling", () => {
  it("retries retriable failures within errors.retry.timeout, honouring a Retry-After within the cap", async () => {
    let now = 0;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      now += ms;
    };
    let calls = 0;
    const op = async () => {
      calls++;
      if (calls < 4) throw new RetriableException("503", calls === 2 ? 5_000 : undefined);
      return "ok";
    };
    expect(await withRetries(op, { retryTimeoutMs: 60_000, retryDelayMaxMs: 2_000 }, sleep, () => now)).toBe("ok");
    expect(waits).toEqual([300, 2_000, 1_200]);
    calls = 0;
    await expect(withRetries(op, { retryTimeoutMs: 0, retryDelayMaxMs: 2_000 }, sleep, () => now)).rejects.toThrow(
      "503",
    );
    expect(calls).toBe(1);
  });

  it("writes Kafka's context header names", () => {
    const h = contextHeaders({
      connector: "c",
      task: 0,
      stage: "TASK_PUT",
      className: "http-sink",
      error: new Error("HTTP 400"),
      position: { topic: "orders", partition: 1, offset: 9 },
    });
    expect(Object.fromEntries(h.map((x) => [x.key, x.value]))).toMatchObject({
      "__connect.errors.topic": "orders",
      "__connect.errors.partition": "1",
      "__connect.errors.offset": "9",
      "__connect.errors.connector.name": "c",
      "__connect.errors.task.id": "0",
      "__connect.errors.stage": "TASK_PUT",
      "__connect.errors.class.name": "http-sink",
      "__connect.errors.exception.class.name": "Error",
      "__connect.errors.exception.message": "HTTP 400",
    });
  });
});
