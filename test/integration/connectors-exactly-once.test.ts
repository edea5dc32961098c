// Exactly-once sources (KIP-618) inside workerd: with exactly.once.source.support enabled (this
// project's EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT), an http-source writes each delivery and its
// source offset in one transaction. Crashes are a source task's transport losing or holding a
// request (the commit's reply lost, the commit never sent), then a new task over the same storage.

import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Transport } from "../../src/client/transport.js";
import { validateConnector } from "../../src/connect/connector-config.js";
import { ingestRecords } from "../../src/connect/sources/http-source.js";
import { SourceTask } from "../../src/connect/sources/source-task.js";
import { call, createTopic, fetchRecords, uniqueTopic } from "../support/api.js";

const facts = { httpAllowedHosts: [], exactlyOnceSource: true, r2Bindings: [], queueProducers: [] };

/** Every record of partition 0 under the isolation given. */
async function values(topic: string, isolation: "read_committed" | "read_uncommitted") {
  const r = await fetchRecords(topic, 0, 0, `&isolation=${isolation}&max_records=1000`);
  expect(r.status).toBe(200);
  return r.body.records.map((x: any) => x.value);
}

/** A fault: what the transport does with every request whose path ends with `suffix` (retries too). */
type Fault = { suffix: string; act: "lose-reply" | "drop" | { hold: Promise<void> } };

function transport(faults: Fault[]): Transport {
  return new Transport({
    url: "http://edgelog.test",
    retry: { maxElapsedMs: 300 },
    fetch: async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      const fault = faults.find((f) => new URL(req.url).pathname.endsWith(f.suffix));
      if (fault?.act === "drop") throw new TypeError("network connection lost (request never sent)");
      if (fault && typeof fault.act === "object") await fault.act.hold;
      const res = await exports.default.fetch(req);
      if (fault?.act === "lose-reply") throw new TypeError("network connection lost (reply lost)");
      return res;
    },
  });
}

/** A source task of connector `name` over the storage of object `storage` (one per test: its restarts share it). */
function taskIn(storage: string, name: string, topic: string) {
  const v = validateConnector({ name, "connector.class": "http-source", topic, "ingest.split": "lines" }, facts);
  const connector = v.connector!;
  expect(connector.exactlyOnce).toBe(true);
  const ids = { transactionalId: `connect-${name}-0`, group: `connect-${name}`, topic };
  const stub = env.CONNECTOR.get(env.CONNECTOR.idFromName(storage));
  return {
    /** Runs a task with `faults` inside the object, as a restarted object would build it. */
    run: <T>(faults: Fault[], fn: (task: SourceTask) => Promise<T>) =>
      runInDurableObject(stub, (_o, state) =>
        fn(new SourceTask(state.storage.sql, transport(faults), connector, { "http-source": name }, ids)),
      ),
    delivery: (lines: string[]) =>
      ingestRecords(
        connector.values,
        { body: new TextEncoder().encode(lines.join("\n")), headers: { "content-type": "text/plain" } },
        Date.now(),
      ),
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
    // The zombie writes, then stalls before its commit reaches the coordinator.
    const zombie = t.run([{ suffix: "/commit", act: { hold } }], (task) => task.write(t.delivery(["old"]), "zombie-1"));
    await expectEventually(async () => (await values(topic, "read_uncommitted")).includes("old"));
    // Its replacement takes the transactional id (fencing it) and writes its own delivery.
    const fresh = await t.run([], (task) => task.write(t.delivery(["new"]), "fresh-1"));
    expect(fresh.records).toHaveLength(1);
    release();
    await expect(zombie).rejects.toMatchObject({ code: "PRODUCER_FENCED" });
    expect(await values(topic, "read_committed")).toEqual(["new"]);
    // The zombie's delivery is not remembered: its sender's retry is written (once) by the live task.
    const retry = await t.run([], (task) => task.write(t.delivery(["old"]), "zombie-1"));
    expect(retry.duplicate).toBeUndefined();
    expect(await values(topic, "read_committed")).toEqual(["new", "old"]);
  });
});

async function expectEventually(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await scheduler.wait(20);
  }
}
