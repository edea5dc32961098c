// Kafka's transactional clients through the gateway, unmodified, against a real wrangler dev:
// kafkajs's producer.transaction() + sendOffsets in a consume-transform-produce loop that is
// exactly once under read_committed (an aborted first attempt included), an aborted transaction
// a read_committed kafkajs consumer never sees; librdkafka's transactional producer
// (python3-confluent-kafka) committing and aborting with consumer offsets, read back under both
// isolation levels, and fenced by a second producer with its transactional.id.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { Kafka, logLevel, type Consumer } from "kafkajs";
import { describe, expect, it } from "vitest";
import { until } from "../support/kcat.js";
import { useKafkaGateway } from "../support/kafka-gateway.js";

/** librdkafka's own RD_KAFKA_RESP_ERR__FENCED, written out. */
const LIBRDKAFKA_FENCED = -144;

const gw = useKafkaGateway();
const { name, http, createTopic } = gw;

/** Every data record's value over HTTP, all partitions, under an isolation level. */
async function values(topic: string, partitions: number, isolation: string): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const r = await http(
      "GET",
      `/v1/topics/${topic}/partitions/${p}/records?offset=0&format=string&max_records=1000&isolation=${isolation}`,
    );
    out.push(...r.records.map((x: { value: string }) => x.value));
  }
  return out.sort();
}

const kafka = (clientId: string) =>
  new Kafka({
    brokers: [gw.broker],
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  });

/** A kafkajs consumer reading every record of `topic` from the beginning, in a fresh group. */
async function readAll(topic: string, expected: number, readUncommitted: boolean): Promise<string[]> {
  const consumer = kafka("kjs-reader").consumer({ groupId: name("reader"), readUncommitted, maxWaitTimeInMs: 200 });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until(`${expected} records read`, () => seen.length >= expected, 30_000);
  } finally {
    await consumer.disconnect();
  }
  return seen.sort();
}

describe("kafkajs", () => {
  it("consume-transform-produce with transaction() and sendOffsets is exactly once under read_committed", async () => {
    const input = await createTopic(2);
    const output = await createTopic(2);
    const group = name("ctp");
    const plain = kafka("kjs-input").producer();
    await plain.connect();
    const inputs = Array.from({ length: 20 }, (_, i) => `in-${i}`);
    await plain.send({ topic: input, messages: inputs.map((value, i) => ({ key: `k${i}`, value })) });
    await plain.disconnect();

    const producer = kafka("kjs-txn").producer({
      transactionalId: name("ctp-txn"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const consumer: Consumer = kafka("kjs-ctp").consumer({
      groupId: group,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    let aborted = 0;
    let committed = 0;
    try {
      await consumer.subscribe({ topic: input, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const txn = await producer.transaction();
          await txn.send({
            topic: output,
            messages: batch.messages.map((m) => ({ key: m.key, value: `${m.value}-out` })),
          });
          await txn.sendOffsets({
            consumerGroupId: group,
            topics: [
              {
                topic: batch.topic,
                partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
              },
            ],
          });
          // The first attempt fails after writing: its records and offsets must vanish, and the
          // batch comes again from the committed offset.
          if (aborted === 0) {
            await txn.abort();
            aborted++;
            throw new Error("first attempt fails on purpose");
          }
          await txn.commit();
          committed += batch.messages.length;
        },
      });
      await until("every input record transformed", () => committed >= inputs.length, 30_000);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
    const expected = inputs.map((v) => `${v}-out`).sort();
    expect(await readAll(output, expected.length, false)).toEqual(expected);
    // The aborted attempt is in the log: read_uncommitted shows it, read_committed never does.
    expect((await values(output, 2, "read_uncommitted")).length).toBeGreaterThan(expected.length);
    expect(await values(output, 2, "read_committed")).toEqual(expected);
    // The group's offsets moved with the committed transactions: the whole input.
    const offsets = (await http("GET", `/v1/groups/${group}/offsets`)).offsets;
    const ends = await Promise.all(
      [0, 1].map(async (p) => (await http("GET", `/v1/topics/${input}/partitions/${p}/offsets?at=latest`)).offset),
    );
    expect(offsets.map((o: { partition: number; offset: number }) => [o.partition, o.offset]).sort()).toEqual([
      [0, ends[0]],
      [1, ends[1]],
    ]);
  });

  it("an aborted transaction is never seen by a read_committed consumer; read_uncommitted sees it", async () => {
    const topic = await createTopic(1);
    const producer = kafka("kjs-abort").producer({
      transactionalId: name("abort-txn"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const doomed = await producer.transaction();
      await doomed.send({ topic, messages: [{ value: "aborted-1" }, { value: "aborted-2" }] });
      await doomed.abort();
      const kept = await producer.transaction();
      await kept.send({ topic, messages: [{ value: "committed-1" }] });
      await kept.commit();
    } finally {
      await producer.disconnect();
    }
    expect(await readAll(topic, 1, false)).toEqual(["committed-1"]);
    expect(await readAll(topic, 3, true)).toEqual(["aborted-1", "aborted-2", "committed-1"]);
    // ListOffsets under read_committed: the last stable offset, past both markers (2 records, abort, 1 record, commit).
    const admin = kafka("kjs-admin").admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets(topic)).toEqual([expect.objectContaining({ partition: 0, offset: "5" })]);
    } finally {
      await admin.disconnect();
    }
  });
});

/** Runs one scenario of test/support/librdkafka_txn.py with Debian's Python and its confluent_kafka. */
function librdkafka(...args: string[]): Promise<Record<string, any>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", [join(import.meta.dirname, "../support/librdkafka_txn.py"), ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`librdkafka_txn.py ${args[0]} exited ${code}: ${stderr}${stdout}`));
      resolve(
        stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      );
    });
  });
}

describe("librdkafka (python3-confluent-kafka)", () => {
  it("commits a consume-transform-produce transaction with send_offsets_to_transaction and aborts the next", async () => {
    const input = await createTopic(1);
    const output = await createTopic(2);
    const group = name("rd-ctp");
    await http("POST", `/v1/topics/${input}/records`, {
      records: Array.from({ length: 5 }, (_, i) => ({ value: `in-${i}` })),
    });
    const events = await librdkafka("ctp", gw.broker, input, output, group, name("rd-txn"));
    expect(events.filter((e) => e.event === "delivery-error")).toEqual([]);
    expect(events.find((e) => e.event === "consumed")).toEqual({ event: "consumed", count: 5 });
    expect(events.find((e) => e.event === "committed")?.offsets).toEqual([[input, 0, 5]]);
    expect(events.at(-1)).toEqual({ event: "aborted" });

    // The input went in over HTTP as JSON strings: librdkafka copies their bytes, quotes included.
    const expected = Array.from({ length: 5 }, (_, i) => `rd-"in-${i}"`).sort();
    const committed = (await librdkafka("read", gw.broker, output, "read_committed"))[0]!;
    expect([committed.values.sort(), committed.complete]).toEqual([expected, true]);
    const everything = (await librdkafka("read", gw.broker, output, "read_uncommitted"))[0]!;
    expect(everything.values.sort()).toEqual([...expected, "rd-aborted-0", "rd-aborted-1", "rd-aborted-2"].sort());
    // The offsets committed inside the transaction are the group's.
    const offsets = (await http("GET", `/v1/groups/${group}/offsets`)).offsets;
    expect(offsets.map((o: { partition: number; offset: number }) => [o.partition, o.offset])).toEqual([[0, 5]]);
  });

  it("a second producer with the same transactional.id fences the first", async () => {
    const output = await createTopic(1);
    const events = await librdkafka("fence", gw.broker, output, name("rd-fenced"));
    const fenced = events.find((e) => e.event === "fenced");
    expect(events.map((e) => e.event)).toEqual(["second-initialised", "fenced", "successor-committed"]);
    // librdkafka turns the coordinator's PRODUCER_FENCED (INVALID_PRODUCER_EPOCH at the versions
    // before KIP-588 that it sends) into its fatal _FENCED error, -144, naming the broker's error.
    expect([fenced!.code, fenced!.fatal]).toEqual([LIBRDKAFKA_FENCED, true]);
    expect(fenced!.message).toMatch(/fenced/i);
    expect(await values(output, 1, "read_committed")).toEqual(["successor"]);
  });
});
