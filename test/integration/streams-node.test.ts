// KafkaStreams (the embedded runtime with in-memory stores) inside workerd, calling the Worker
// in-process: a topology that cannot work fails at start; a task that moves to another instance is
// restored from its changelog; a record no serde can read stops or is skipped, as configured; under
// exactly_once nothing of an aborted transaction is read.

import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  EdgelogError,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  type Topology,
} from "../../src/streams/index.js";
import { Edgelog } from "../../src/client/index.js";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";

const inProcess: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));
const quiet = { warn: () => {}, error: () => {} };
const config = (applicationId: string, extra: Partial<StreamsConfig> = {}): StreamsConfig => ({
  applicationId,
  url: "http://edgelog.test",
  fetch: inProcess,
  logger: quiet,
  maxWaitMs: 20,
  // Heartbeats every second, so reassignments show within the test's time.
  sessionTimeoutMs: 3_000,
  ...extra,
});

/** Instances a test started are closed after it, passed or failed (their loops must not outlive it). */
const running: KafkaStreams[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close().catch(() => undefined)));
});

function streamsApp(topology: Topology, cfg: StreamsConfig): KafkaStreams {
  const s = new KafkaStreams(topology, cfg);
  running.push(s);
  return s;
}

function wordCount(input: string, output: string): Topology {
  const b = new StreamsBuilder();
  b.stream<string | null, string>(input, { valueSerde: Serdes.Text() })
    .flatMapValues((l) => l.split(" "))
    .groupBy((_k, w) => w)
    .count({ name: "counts" })
    .toStream()
    .to(output);
  return b.build();
}

async function startFails(topology: Topology, cfg: StreamsConfig, code: string, message: RegExp) {
  const app = streamsApp(topology, cfg);
  const e = await app.start().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EdgelogError);
  expect((e as EdgelogError).code).toBe(code);
  expect((e as EdgelogError).message).toMatch(message);
  expect(app.state).toBe("ERROR");
}

async function latest(topic: string, partitions: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let p = 0; p < partitions; p++) {
    const r = await call("GET", `/v1/topics/${topic}/partitions/${p}/records?offset=0&max_records=10000`);
    for (const rec of r.body.records) out.set(rec.key, rec.value);
  }
  return out;
}

async function reaches(topic: string, partitions: number, expected: Map<string, number>) {
  for (;;) {
    const got = await latest(topic, partitions);
    if ([...expected].every(([w, n]) => (got.get(w) ?? 0) >= n)) return got;
    await scheduler.wait(20);
  }
}

const count = (lines: string[]) => {
  const m = new Map<string, number>();
  for (const l of lines) for (const w of l.split(" ")) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
};

describe("KafkaStreams at start", () => {
  it("fails with a clear error when joined topics are not co-partitioned, a topic is missing, or an internal topic has the wrong size", async () => {
    const clicks = uniqueTopic("clicks");
    const users = uniqueTopic("users");
    await createTopic(clicks, 3);
    await createTopic(users, 4);
    const join = new StreamsBuilder();
    join
      .stream(clicks)
      .join(join.table(users), (c, u) => [c, u])
      .to(clicks);
    await startFails(
      join.build(),
      config(uniqueTopic("app")),
      "INVALID_TOPOLOGY",
      new RegExp(`${clicks} \\(3 partitions\\), ${users} \\(4 partitions\\).*not co-partitioned`),
    );

    const missing = uniqueTopic("missing");
    await startFails(
      wordCount(missing, clicks),
      config(uniqueTopic("app")),
      "UNKNOWN_TOPIC_OR_PARTITION",
      new RegExp(`source topic ${missing} does not exist`),
    );
    await startFails(
      wordCount(clicks, missing),
      config(uniqueTopic("app")),
      "UNKNOWN_TOPIC_OR_PARTITION",
      new RegExp(`output topic ${missing} does not exist`),
    );

    const app = uniqueTopic("app");
    await createTopic(`${app}-counts-changelog`, 1);
    await startFails(
      wordCount(clicks, users),
      config(app),
      "INVALID_TOPOLOGY",
      new RegExp(`internal topic ${app}-counts-changelog has 1 partitions but the topology needs 3`),
    );
  });

  it("creates the topics listed in createTopics, and its internal topics with the partitions they need", async () => {
    const input = uniqueTopic("in");
    const output = uniqueTopic("out");
    const app = uniqueTopic("app");
    const streams = streamsApp(
      wordCount(input, output),
      config(app, { createTopics: { [input]: { partitions: 3 }, [output]: {} } }),
    );
    await streams.start();
    await streams.close();
    const sizes = await Promise.all(
      [input, output, `${app}-counts-repartition`, `${app}-counts-changelog`].map((t) =>
        call("GET", `/v1/topics/${t}`),
      ),
    );
    expect(sizes.map((r) => r.body.partition_count)).toEqual([3, 1, 3, 3]);
    expect(sizes[3]!.body.config["cleanup.policy"]).toBe("compact");
    expect(streams.state).toBe("NOT_RUNNING");
  });
});

describe("KafkaStreams running", () => {
  it("restores a task's store from its changelog when the task moves to another instance", async () => {
    const input = uniqueTopic("in");
    const output = uniqueTopic("out");
    const app = uniqueTopic("app");
    await createTopic(input, 2);
    await createTopic(output, 2);
    const first = Array.from({ length: 50 }, (_, i) => `a${i % 4} b${i % 6}`);
    await produce(
      input,
      first.map((value) => ({ value })),
      { format: "string" },
    );
    const a = streamsApp(wordCount(input, output), config(app, { instanceId: "a", commitIntervalMs: 0 }));
    await a.start();
    await reaches(output, 2, count(first));
    expect(a.store("counts").approximateNumEntries()).toBe(10);

    // A second instance joins: one of the two count tasks moves to it, with its state.
    const b = streamsApp(wordCount(input, output), config(app, { instanceId: "b", commitIntervalMs: 0 }));
    await b.start();
    for (;;) {
      const held = (await call("GET", `/v1/groups/${app}`)).body.members.filter(
        (m: { assignment: unknown[] }) => m.assignment.length > 0,
      );
      if (held.length === 2 && b.store("counts").approximateNumEntries() > 0) break;
      await scheduler.wait(20);
    }
    const second = Array.from({ length: 50 }, (_, i) => `a${i % 4} b${i % 6}`);
    await produce(
      input,
      second.map((value) => ({ value })),
      { format: "string" },
    );
    const total = count([...first, ...second]);
    const counts = await reaches(output, 2, total);
    for (const [w, n] of total) expect(counts.get(w)).toBeGreaterThanOrEqual(n);
    // Between them the two instances hold every word once.
    expect(a.store("counts").approximateNumEntries() + b.store("counts").approximateNumEntries()).toBe(10);
    await Promise.all([a.close(), b.close()]);
  });

  it("answers interactive queries over HTTP, sending a key hosted elsewhere to its instance", async () => {
    const input = uniqueTopic("in");
    const output = uniqueTopic("out");
    const app = uniqueTopic("app");
    await createTopic(input, 2);
    await createTopic(output, 2);
    const lines = Array.from({ length: 30 }, (_, i) => `k${i % 8}`);
    await produce(
      input,
      lines.map((value) => ({ value })),
      { format: "string" },
    );
    const servers = { a: "http://a.example", b: "http://b.example" };
    const a = streamsApp(wordCount(input, output), config(app, { applicationServer: servers.a }));
    const b = streamsApp(wordCount(input, output), config(app, { applicationServer: servers.b }));
    await a.start();
    await b.start();
    const expected = count(lines);
    await reaches(output, 2, expected);
    // Until each instance holds one of the two tasks (the second took its task from the first).
    for (;;) {
      const [na, nb] = [a.store("counts").approximateNumEntries(), b.store("counts").approximateNumEntries()];
      if (na > 0 && nb > 0 && na + nb === expected.size) break;
      await scheduler.wait(20);
    }
    const handler = a.queryHandler({ prefix: "/state" });
    const get = (path: string) => handler(new Request(`${servers.a}/state${path}`));

    const listed = await (await get("/stores")).json();
    expect(listed).toEqual({ stores: [{ name: "counts", type: "keyValue" }] });
    let redirected = 0;
    for (const [word, n] of expected) {
      const r = await get(`/stores/counts/keys/${word}`);
      if (a.store("counts").get(word) !== undefined) {
        expect(r.status).toBe(200);
        expect(await r.json()).toEqual({ key: word, value: n });
      } else {
        // b hosts it: the handler points there (b's own handler answers it).
        expect(r.status).toBe(307);
        expect(r.headers.get("location")).toBe(`${servers.b}/state/stores/counts/keys/${word}`);
        const there = await b.queryHandler({ prefix: "/state" })(new Request(r.headers.get("location")!));
        expect(await there.json()).toEqual({ key: word, value: n });
        redirected++;
      }
    }
    expect(redirected).toBeGreaterThan(0);
    const range = (await (await get("/stores/counts?from=k1&to=k3")).json()) as { entries: { key: string }[] };
    expect(range.entries.every((e: { key: string }) => e.key >= "k1" && e.key <= "k3")).toBe(true);
    const unknown = await get("/stores/nope/keys/x");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("UNKNOWN_STATE_STORE");
    await Promise.all([a.close(), b.close()]);
  });

  it("stops with the record's position on a record its serde cannot read (logAndFail), or skips it (logAndContinue)", async () => {
    const input = uniqueTopic("in");
    const output = uniqueTopic("out");
    await createTopic(input, 1);
    await createTopic(output, 1);
    const b = new StreamsBuilder();
    b.stream<string, { n: number }>(input)
      .mapValues((v) => v.n)
      .to(output);
    await produce(input, [{ value: "{not json" }, { value: '{"n":2}' }], { format: "string" });

    const failing = streamsApp(b.build(), config(uniqueTopic("app")));
    await failing.start();
    await expect(failing.done()).rejects.toThrow(new RegExp(`cannot deserialize the record at ${input}/0 offset 0`));
    expect(failing.state).toBe("ERROR");

    const b2 = new StreamsBuilder();
    b2.stream<string, { n: number }>(input)
      .mapValues((v) => v.n)
      .to(output);
    const skipping = streamsApp(
      b2.build(),
      config(uniqueTopic("app"), { deserializationExceptionHandler: "logAndContinue" }),
    );
    await skipping.start();
    for (;;) {
      const r = await call("GET", `/v1/topics/${output}/partitions/0/records?offset=0`);
      if (r.body.records.length > 0) {
        expect(r.body.records.map((x: { value: unknown }) => x.value)).toEqual([2]);
        break;
      }
      await scheduler.wait(20);
    }
    await skipping.close();
  });
});

describe("KafkaStreams exactly_once", () => {
  it("reads only committed records: an aborted transaction's input and global-table update are never seen", async () => {
    const [input, regions, output] = ["eos-views", "eos-regions", "eos-joined"].map((t) => uniqueTopic(t));
    await createTopic(input!, 1);
    await createTopic(regions!, 1);
    await createTopic(output!, 1);
    const client = new Edgelog({ url: "http://edgelog.test", fetch: inProcess });
    const producer = client.producer({ transactionalId: uniqueTopic("eos-writer") });
    const write = async (end: "commit" | "abort", topic: string, key: string, value: unknown) => {
      const txn = await producer.transaction();
      await txn.send(topic, { key, value });
      await txn[end]();
    };
    // In log order: the committed name, then an aborted one a read_uncommitted reader would take last.
    await write("commit", regions!, "eu", "Europe");
    await write("abort", regions!, "eu", "never named");
    await write("abort", input!, "ghost", { region: "eu" });
    await write("commit", input!, "real", { region: "eu" });

    const b = new StreamsBuilder();
    const names = b.globalTable<string, string>(regions!);
    b.stream<string, { region: string }>(input!)
      .join(
        names,
        (_k, v) => v.region,
        (v, name) => ({ ...v, name }),
      )
      .to(output!);
    const app = streamsApp(b.build(), config(uniqueTopic("eos-app"), { processingGuarantee: "exactly_once" }));
    await app.start();
    for (;;) {
      const r = await call("GET", `/v1/topics/${output}/partitions/0/records?offset=0&isolation=read_committed`);
      if (r.body.records.length > 0) {
        expect(r.body.records.map((x: { key: string; value: unknown }) => [x.key, x.value])).toEqual([
          ["real", { region: "eu", name: "Europe" }],
        ]);
        break;
      }
      await scheduler.wait(20);
    }
    await app.close();
  });
});
