// KafkaStreams (the embedded runtime with in-memory stores) inside workerd, calling the Worker
// in-process: a topology that cannot work fails at start; a task that moves to another instance is
// restored from its changelog; a record no serde can read stops or is skipped, as configured.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  EdgelogError,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  type Topology,
} from "../../src/streams/index.js";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";

const inProcess: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));
const quiet = { warn: () => {}, error: () => {} };
const config = (applicationId: string, extra: Partial<StreamsConfig> = {}): StreamsConfig => ({
  applicationId,
  url: "http://edgelog.test",
  fetch: inProcess,
  logger: quiet,
  maxWaitMs: 20,
  // Heartbeats every third of a second, so reassignments show within the test's time.
  sessionTimeoutMs: 1_000,
  ...extra,
});

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
  const app = new KafkaStreams(topology, cfg);
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
    const streams = new KafkaStreams(
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
    const a = new KafkaStreams(wordCount(input, output), config(app, { instanceId: "a", commitIntervalMs: 0 }));
    await a.start();
    await reaches(output, 2, count(first));
    expect(a.store("counts").approximateNumEntries()).toBe(10);

    // A second instance joins: one of the two count tasks moves to it, with its state.
    const b = new KafkaStreams(wordCount(input, output), config(app, { instanceId: "b", commitIntervalMs: 0 }));
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

    const failing = new KafkaStreams(b.build(), config(uniqueTopic("app")));
    await failing.start();
    await expect(failing.done()).rejects.toThrow(new RegExp(`cannot deserialize the record at ${input}/0 offset 0`));
    expect(failing.state).toBe("ERROR");

    const b2 = new StreamsBuilder();
    b2.stream<string, { n: number }>(input)
      .mapValues((v) => v.n)
      .to(output);
    const skipping = new KafkaStreams(
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
