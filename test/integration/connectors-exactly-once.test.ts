// Exactly-once sources (KIP-618) inside workerd: with exactly.once.source.support enabled (this
// project's EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT), an http-source writes each delivery and its
// source offset in one transaction. Crashes are a source task's transport losing or holding a
// request (the commit's reply lost, the commit never sent), then a new task over the same storage.
// And a sink's exactly-once DLQ: its records and the task's offset commit in one transaction.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Transport } from "../../src/client/transport.js";
import { validateConnector } from "../../src/connect/connector-config.js";
import { TransactionalDlq } from "../../src/connect/runtime/dlq-transaction.js";
import { SinkRunner } from "../../src/connect/runtime/sink-runner.js";
import type { SinkRecord } from "../../src/connect/sinks/task.js";
import type { SourceTask } from "../../src/connect/sources/source-task.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { EXACTLY_ONCE_FACTS, exactlyOnceSource } from "../support/source-task.js";

/** Every record of partition 0 under the isolation given. */
async function values(topic: string, isolation: "read_committed" | "read_uncommitted", format = "json") {
  const r = await fetchRecords(topic, 0, 0, `&isolation=${isolation}&max_records=1000&format=${format}`);
  expect(r.status).toBe(200);
  return r.body.records.map((x: any) => x.value);
}

/** A fault: what the transport does with every request whose path ends with `suffix` (retries too). */
type Fault = { suffix: string; act: "lose-reply" | "drop" | { hold: Promise<void>; reached: { at: boolean } } };

function transport(faults: Fault[]): Transport {
  return new Transport({
    url: "http://edgelog.test",
    retry: { maxElapsedMs: 300 },
    fetch: async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      const fault = faults.find((f) => new URL(req.url).pathname.endsWith(f.suffix));
      if (fault?.act === "drop") throw new TypeError("network connection lost (request never sent)");
      if (fault && typeof fault.act === "object") {
        fault.act.reached.at = true;
        await fault.act.hold;
      }
      const res = await exports.default.fetch(req);
      if (fault?.act === "lose-reply") throw new TypeError("network connection lost (reply lost)");
      return res;
    },
  });
}

/** A source task of connector `name` over the storage of object `storage` (one per test: its restarts share it). */
function taskIn(storage: string, name: string, topic: string) {
  const source = exactlyOnceSource(name, topic, storage);
  return {
    /** Runs a task with `faults` inside the object, as a restarted object would build it. */
    run: <T>(faults: Fault[], fn: (task: SourceTask) => Promise<T>) => source.run(() => transport(faults), fn),
    delivery: source.delivery,
  };
}

describe("exactly-once sources (KIP-618)", () => {
  it("validates exactly.once.support and transaction.boundary with per-key errors, creating nothing", async () => {
    const topic = uniqueTopic("eos-v");
    await createTopic(topic, 1);
    const base = { "connector.class": "http-source", topic };
    const bad = await call("POST", "/v1/connectors", {
      name: "eos-bad",
      config: { ...base, "transaction.boundary": "interval", "exactly.once.support": "always" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_CONFIG");
    const errs = Object.fromEntries(bad.body.configs.map((c: any) => [c.name, c.errors]));
    expect(errs["transaction.boundary"][0]).toMatch(/interval is not supported.*use poll/);
    expect(errs["exactly.once.support"][0]).toMatch(/requested|required/);
    expect((await call("GET", "/v1/connectors/eos-bad")).status).toBe(404);
    const connectorBoundary = await call("PUT", "/v1/connector-plugins/http-source/config/validate", {
      ...base,
      name: "eos-v",
      "transaction.boundary": "connector",
    });
    expect(connectorBoundary.body.error_count).toBe(1);
    const ok = await call("PUT", "/v1/connector-plugins/queues-source/config/validate", {
      "connector.class": "queues-source",
      name: "eos-v",
      topic,
      "queue.name": "edgelog-events-test",
      "exactly.once.support": "required",
    });
    expect(ok.body.error_count).toBe(0);
  });

  it("writes a webhook delivery and its source offset in one transaction; a retry is answered, not rewritten", async () => {
    const topic = uniqueTopic("eos-hook");
    await createTopic(topic, 2);
    const name = "eos-hook";
    const created = await call("POST", "/v1/connectors", {
      name,
      config: {
        "connector.class": "http-source",
        topic,
        "ingest.split": "lines",
        "key.pointer": "/k",
        "exactly.once.support": "required",
      },
    });
    expect(created.status).toBe(201);
    const body = '{"k":"a","n":1}\n{"k":"b","n":2}\n{"k":"c","n":3}';
    const post = () =>
      call("POST", `/v1/connectors/${name}/ingest`, body, {
        "content-type": "application/x-ndjson",
        "Idempotency-Key": "d-1",
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.body.records).toHaveLength(3);
    const again = await post();
    expect(again.body).toMatchObject({ duplicate: true, records: first.body.records });

    // The records are committed: read_committed sees each once, on whichever partition its key chose.
    const committed: any[] = [];
    for (const p of [0, 1]) {
      const r = await fetchRecords(topic, p, 0, "&isolation=read_committed");
      committed.push(...r.body.records.map((x: any) => x.value.n));
    }
    expect(committed.sort()).toEqual([1, 2, 3]);
    // The source offset was committed by the same transaction, as group connect-<name>'s offset.
    const offsets = await call("GET", `/v1/groups/connect-${name}/offsets?require_stable=true`);
    expect(offsets.body.offsets).toEqual([
      { topic, partition: 0, offset: 1, metadata: expect.stringContaining('"delivery":"d-1"') },
    ]);
    const described = await call("GET", `/v1/transactions/connect-${name}-0`);
    expect(described.status).toBe(200);
    const source = await call("GET", `/v1/connectors/${name}/offsets`);
    expect(source.body.offsets[0].offset).toEqual({ deliveries: 1, last_delivery: "d-1" });
  });

  it("a crash after the commit, before the delivery is recorded: the retried delivery is not written twice", async () => {
    const topic = uniqueTopic("eos-lost");
    await createTopic(topic, 1);
    const t = taskIn("eos-lost-store", "eos-lost", topic);
    // The commit reaches the coordinator but its reply is lost: the task cannot record the delivery.
    await expect(
      t.run([{ suffix: "/commit", act: "lose-reply" }], (task) => task.write(t.delivery(["x1", "x2"]), "lost-1")),
    ).rejects.toThrow(/committing the delivery failed/);
    expect(await values(topic, "read_committed")).toEqual(["x1", "x2"]);
    // The sender retries against a restarted task: recovery sees the committed offset, answers the retry.
    const retried = await t.run([], (task) => task.write(t.delivery(["x1", "x2"]), "lost-1"));
    expect(retried.duplicate).toBe(true);
    expect(retried.records.map((r) => r.offset)).toEqual([0, 1]);
    const next = await t.run([], (task) => task.write(t.delivery(["x3"]), "lost-2"));
    expect(next.duplicate).toBeUndefined();
    expect(await values(topic, "read_committed")).toEqual(["x1", "x2", "x3"]);
    expect(await t.run([], async (task) => task.offsets()[0]!.offset)).toEqual({
      deliveries: 2,
      last_delivery: "lost-2",
    });
  });

  it("a crash after the write, before the commit: the next task's init aborts it and the retry writes once", async () => {
    const topic = uniqueTopic("eos-open");
    await createTopic(topic, 1);
    const t = taskIn("eos-open-store", "eos-open", topic);
    // The commit is never sent (nor the abort that follows): the transaction stays open.
    await expect(
      t.run(
        [
          { suffix: "/commit", act: "drop" },
          { suffix: "/abort", act: "drop" },
        ],
        (task) => task.write(t.delivery(["y1"]), "open-1"),
      ),
    ).rejects.toThrow();
    expect(await values(topic, "read_uncommitted")).toEqual(["y1"]);
    const retried = await t.run([], (task) => task.write(t.delivery(["y1"]), "open-1"));
    expect(retried.duplicate).toBeUndefined();
    // The first write was aborted by the restarted task's init: read_committed sees y1 once.
    expect(await values(topic, "read_committed")).toEqual(["y1"]);
    expect(await values(topic, "read_uncommitted")).toEqual(["y1", "y1"]);
  });

  it("a zombie task is fenced by the next task's init: its transaction is aborted, never committed", async () => {
    const topic = uniqueTopic("eos-zombie");
    await createTopic(topic, 1);
    const t = taskIn("eos-zombie-store", "eos-zombie", topic);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const reached = { at: false };
    // The zombie writes its records and offset, then stalls before its commit reaches the coordinator.
    const zombie = t
      .run([{ suffix: "/commit", act: { hold, reached } }], (task) => task.write(t.delivery(["old"]), "zombie-1"))
      .then(
        () => null,
        (e: unknown) => e,
      );
    // (Polled: a promise resolved inside the object cannot wake this test's context.)
    while (!reached.at) await scheduler.wait(10);
    expect(await values(topic, "read_uncommitted")).toEqual(["old"]);
    // Its replacement takes the transactional id (fencing it) and writes its own delivery.
    const fresh = await t.run([], (task) => task.write(t.delivery(["new"]), "fresh-1"));
    expect(fresh.records).toHaveLength(1);
    release();
    expect(await zombie).toMatchObject({ code: "PRODUCER_FENCED" });
    expect(await values(topic, "read_committed")).toEqual(["new"]);
    // The zombie's delivery is not remembered: its sender's retry is written (once) by the live task.
    const retry = await t.run([], (task) => task.write(t.delivery(["old"]), "zombie-1"));
    expect(retry.duplicate).toBeUndefined();
    expect(await values(topic, "read_committed")).toEqual(["new", "old"]);
  });
});

describe("a sink's exactly-once dead letter queue", () => {
  it("aborts a crashed task's DLQ records with its uncommitted offsets: the DLQ's committed records hold each once", async () => {
    const topic = uniqueTopic("dlq-in");
    const dlq = uniqueTopic("dlq-out");
    await createTopic(topic, 1);
    await createTopic(dlq, 1);
    const lines = ['{"n":1}', "not json", '{"n":3}'];
    const written = await produce(
      topic,
      lines.map((value) => ({ value })),
      { format: "string" },
    );
    expect(written.status).toBe(200);
    const name = "dlq-eos";
    const v = validateConnector(
      {
        name,
        "connector.class": "http-sink",
        topics: topic,
        "http.api.url": "http://edgelog.test/hook",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.exactly.once": "true",
      },
      { ...EXACTLY_ONCE_FACTS, httpAllowedHosts: ["edgelog.test"] },
    );
    const connector = v.connector!;
    const delivered: SinkRecord[] = [];
    const task = () => {
      const http = transport([]);
      const txn = new TransactionalDlq(http, `connect-${name}-0`, dlq, false);
      const runner = new SinkRunner({
        connector,
        taskId: 0,
        sink: { put: async (rs) => void delivered.push(...rs), flush: async () => undefined },
        dlq: async () => {
          throw new Error("the at-least-once DLQ writer is not used");
        },
        transactionalDlq: txn,
        paused: false,
        sleep: (ms) => scheduler.wait(ms),
      });
      return { runner, http };
    };
    const enc = (t: string) => new TextEncoder().encode(t);
    const batch = {
      topic,
      partition: 0,
      highWatermark: 3,
      records: lines.map((v, offset) => ({
        offset,
        timestamp: 1,
        key: null,
        value: enc(v),
        headers: {},
      })),
    };
    const plain = async () => {
      throw new Error("the offsets must be committed in the DLQ's transaction");
    };
    const group = { groupId: `connect-${name}`, memberId: null, memberEpoch: 0 };
    const tp = [{ topic, partition: 0 }];

    // Task A sends the poison record to the DLQ, then crashes before its commit.
    const a = task();
    await a.runner.claim(tp);
    await a.runner.process(batch);
    expect(await values(dlq, "read_uncommitted", "string")).toEqual(["not json"]);
    // Its replacement fences it (aborting the DLQ record), processes the batch again and commits.
    const b = task();
    await b.runner.claim(tp);
    await b.runner.process(batch);
    expect(await b.runner.commit([{ topic, partition: 0, offset: 3 }], plain, group)).toBeUndefined();
    const committed = await call("GET", `/v1/groups/connect-${name}/offsets`);
    expect(committed.body.offsets).toMatchObject([{ topic, partition: 0, offset: 3 }]);
    expect(await values(dlq, "read_committed", "string")).toEqual(["not json"]);
    expect(await values(dlq, "read_uncommitted", "string")).toEqual(["not json", "not json"]);
    // The zombie's late commit is refused: nothing of it is committed.
    await expect(a.runner.commit([{ topic, partition: 0, offset: 3 }], plain, group)).rejects.toMatchObject({
      code: "PRODUCER_FENCED",
    });
    expect(await values(dlq, "read_committed", "string")).toEqual(["not json"]);
    // The sink itself stays at least once: both tasks delivered the good records.
    expect(delivered.map((r) => r.original.offset)).toEqual([0, 2, 0, 2]);
  });
});
