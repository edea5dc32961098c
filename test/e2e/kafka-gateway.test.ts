// Unmodified Kafka clients (kcat/librdkafka and kafkajs) against the gateway in front of a real
// wrangler dev: handshake, produce/consume, idempotence, groups, admin, offset reset, member death.

import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { readBatchHeader } from "../../src/protocol/record-batch.js";
import { kcat, startKcat, until } from "../support/kcat.js";
import { useKafkaGateway } from "../support/kafka-gateway.js";

// The shared "open" server has short group session bounds: a killed member's partitions move within seconds.
const gw = useKafkaGateway();
const { name, http, createTopic } = gw;

const kafka = () =>
  new Kafka({ brokers: [gw.broker], clientId: "kjs-test", logLevel: logLevel.NOTHING, retry: { retries: 3 } });

describe("handshake", () => {
  it("kcat negotiates ApiVersions v3 and keeps every feature it needs enabled", async () => {
    const r = await kcat(["-b", gw.broker, "-L", "-d", "protocol,feature"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Sent ApiVersionRequest (v3");
    // Features tied to older brokers (MsgVer1, ThrottleTime v1-2, SaslHandshake) may go; these must not.
    for (const f of ["MsgVer2", "BrokerBalancedConsumer", "ZSTD", "IdempotentProducer", "OffsetTime"]) {
      expect(r.stderr).toContain(`Enabling feature ${f}`);
      expect(r.stderr).not.toContain(`Disabling feature ${f}`);
    }
    expect(r.stdout).toContain(`broker 0 at ${gw.broker} (controller)`);
  });
});

describe("kcat produce and consume", () => {
  it("reads back exactly the bytes it wrote (keys, values, headers) with CRC checks on", async () => {
    const topic = await createTopic(3);
    const lines = Array.from({ length: 40 }, (_, i) => `key-${i % 7}\tvalue ${i} ünïcødé ${"x".repeat(i * 13)}`);
    const p = await kcat(
      ["-b", gw.broker, "-P", "-t", topic, "-K", "\t", "-H", "source=kcat", "-X", "partitioner=murmur2_random"],
      lines.join("\n") + "\n",
    );
    expect(p.code, p.stderr).toBe(0);
    const c = await kcat([
      "-b",
      gw.broker,
      "-C",
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-X",
      "check.crcs=true",
      "-f",
      "%k\t%s\t%h\n",
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).not.toMatch(/CRC|Bad message/i);
    const got = c.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(got.map(([k, v]) => `${k}\t${v}`).sort()).toEqual([...lines].sort());
    expect(new Set(got.map((g) => g[2]))).toEqual(new Set(["source=kcat"]));
  });

  it("places keyed records with murmur2_random exactly where edgelog's own router puts them", async () => {
    const kafkaTopic = await createTopic(5);
    const httpTopic = await createTopic(5);
    const keys = Array.from({ length: 30 }, (_, i) => `user-${i * 31}`);
    const p = await kcat(
      ["-b", gw.broker, "-P", "-t", kafkaTopic, "-K", ":", "-X", "partitioner=murmur2_random"],
      keys.map((k) => `${k}:v`).join("\n") + "\n",
    );
    expect(p.code, p.stderr).toBe(0);
    const c = await kcat(["-b", gw.broker, "-C", "-t", kafkaTopic, "-o", "beginning", "-e", "-f", "%k %p\n"]);
    const kafkaPartition = new Map(
      c.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(" ") as [string, string]),
    );
    const reply = await http("POST", `/v1/topics/${httpTopic}/records`, {
      records: keys.map((key) => ({ key, value: "v" })),
    });
    const httpPartition = new Map(keys.map((k, i) => [k, String(reply.records[i].partition)]));
    expect(kafkaPartition).toEqual(httpPartition);
    expect(new Set(httpPartition.values()).size).toBeGreaterThan(1);
  });

  it("an idempotent kcat producer acquires a producer id and its batches carry it", async () => {
    const topic = await createTopic(1);
    const p = await kcat(
      ["-b", gw.broker, "-P", "-t", topic, "-X", "enable.idempotence=true", "-d", "eos"],
      "a\nb\nc\n",
    );
    expect(p.code, p.stderr).toBe(0);
    const pid = /Acquired PID\{Id:(\d+),Epoch:(\d+)\}/.exec(p.stderr);
    expect(pid, p.stderr).not.toBeNull();
    const raw = await fetch(`${gw.url}/v1/topics/${topic}/partitions/0/records?offset=0`, {
      headers: { accept: "application/vnd.edgelog.record-batch" },
    });
    const header = readBatchHeader(new Uint8Array(await raw.arrayBuffer()));
    expect([header.producerId, header.producerEpoch]).toEqual([Number(pid![1]), Number(pid![2])]);
  });

  it("resets an out-of-range offset per auto.offset.reset", async () => {
    const topic = await createTopic(1);
    await http("POST", `/v1/topics/${topic}/records`, { records: Array.from({ length: 5 }, (_, i) => ({ value: i })) });
    const c = await kcat([
      "-b",
      gw.broker,
      "-C",
      "-t",
      topic,
      "-p",
      "0",
      "-o",
      "500",
      "-e",
      "-X",
      "auto.offset.reset=earliest",
      "-f",
      "%o=%s\n",
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/out of range/i);
    expect(c.stdout.trim().split("\n")).toEqual(["0=0", "1=1", "2=2", "3=3", "4=4"]);
  });
});

describe("kafkajs", () => {
  it("an idempotent producer's batches keep their producer id, and a group consumer reads and commits everything", async () => {
    const topic = await createTopic(3);
    const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = await producer.send({
      topic,
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
    expect(sent.every((s) => s.errorCode === 0)).toBe(true);
    const raw = await fetch(`${gw.url}/v1/topics/${topic}/partitions/${sent[0]!.partition}/records?offset=0`, {
      headers: { accept: "application/vnd.edgelog.record-batch" },
    });
    const header = readBatchHeader(new Uint8Array(await raw.arrayBuffer()));
    expect(header.producerId).toBeGreaterThanOrEqual(0);
    expect(header.baseSequence).toBe(0);

    const group = name("kg");
    const consumer = kafka().consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    let join: any;
    consumer.on(consumer.events.GROUP_JOIN, (e) => (join = e.payload));
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until("30 records consumed", () => seen.length >= 30);
    await until("offsets committed", async () => {
      const committed = (await http("GET", `/v1/groups/${group}/offsets`)).offsets;
      return committed.reduce((s: number, o: any) => s + o.offset, 0) === 30;
    });
    await consumer.disconnect();
    expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
    expect(join.isLeader).toBeFalsy();
    expect(join.memberAssignment[topic].sort()).toEqual([0, 1, 2]);
    const admin = kafka().admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const hw = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(
      hw.map((p) => [p.partition, p.high]).sort(),
    );
  });

  it("a GZIP producer's records are stored uncompressed: kafkajs and edgelog's JSON fetch both read them", async () => {
    const topic = await createTopic(1);
    const producer = kafka().producer();
    await producer.connect();
    const messages = Array.from({ length: 50 }, (_, i) => ({
      key: `k${i}`,
      value: `gzip value ${i} `.repeat(10),
      headers: { n: String(i) },
    }));
    const sent = await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();
    expect(sent.every((s) => s.errorCode === 0)).toBe(true);
    const json = await http("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&max_records=100&format=string`);
    expect(json.records.map((r: any) => [r.key, r.value, r.headers.n])).toEqual(
      messages.map((m, i) => [m.key, m.value, String(i)]),
    );
    const consumer = kafka().consumer({ groupId: name("gz") });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await until("50 records consumed", () => seen.length >= 50);
    await consumer.disconnect();
    expect(seen).toEqual(messages.map((m) => m.value));
  });

  it("admin creates (once), describes and deletes topics, and names a bad topic", async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const topic = name("adm");
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(false);
      expect(await admin.listTopics()).toContain(topic);
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(md.topics[0]!.partitions.map((p) => [p.partitionId, p.leader])).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
      ]);
      await admin.deleteTopics({ topics: [topic] });
      expect(await admin.listTopics()).not.toContain(topic);
      await expect(admin.createTopics({ topics: [{ topic: "bad/name" }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: "INVALID_TOPIC_EXCEPTION" })],
      });
    } finally {
      await admin.disconnect();
    }
  });
});

describe("kcat consumer groups", () => {
  const group = (id: string, topic: string, extra: string[] = []) => [
    "-b",
    gw.broker,
    "-G",
    id,
    "-u",
    "-X",
    "auto.offset.reset=earliest",
    "-X",
    "heartbeat.interval.ms=500",
    "-f",
    "%p@%o\n",
    ...extra,
    topic,
  ];

  async function members(g: string): Promise<Record<string, number[]>> {
    const d = await http("GET", `/v1/groups/${g}`);
    return Object.fromEntries(
      d.members.map((m: any) => [m.member_id, m.assignment.flatMap((a: any) => a.partitions).sort()]),
    );
  }

  it("two members share a 4-partition topic, one leaves, every record is consumed once and committed", async () => {
    const topic = await createTopic(4);
    const g = name("g2");
    const produce = (from: number, to: number) =>
      kcat(
        ["-b", gw.broker, "-P", "-t", topic, "-K", ":", "-X", "partitioner=murmur2_random"],
        Array.from({ length: to - from }, (_, i) => `k${from + i}:v${from + i}`).join("\n") + "\n",
      );
    await produce(0, 40);
    const a = startKcat(group(g, topic, ["-X", "client.id=kcatA"]));
    await until(
      "A alone holds all 4 partitions",
      async () => Object.values(await members(g)).some((p) => p.length === 4),
      30_000,
    );
    const b = startKcat(group(g, topic, ["-X", "client.id=kcatB"]));
    try {
      const twoWay = await until(
        "two members with 2 partitions each",
        async () => {
          const m = Object.values(await members(g));
          return m.length === 2 && m.every((p) => p.length === 2) ? m : null;
        },
        30_000,
      );
      expect(twoWay!.flat().sort()).toEqual([0, 1, 2, 3]);
      await produce(40, 60);
      const lines = () => (a.stdout() + b.stdout()).trim().split("\n").filter(Boolean);
      await until("60 records consumed", () => lines().length >= 60);
      await b.stop("SIGTERM");
      await until(
        "the remaining member holds all 4 again",
        async () => {
          const m = Object.values(await members(g));
          return m.length === 1 && m[0]!.length === 4;
        },
        30_000,
      );
      await produce(60, 70);
      await until("70 records consumed", () => lines().length >= 70);
      await a.stop("SIGTERM");
      const all = lines();
      expect(all).toHaveLength(70);
      expect(new Set(all).size).toBe(70);
      expect(b.stdout().trim()).not.toBe("");
      const desc = await http("GET", `/v1/groups/${g}`);
      for (const p of desc.partitions) expect(p.committed_offset).toBe(p.high_watermark);
      expect(a.stderr() + b.stderr()).not.toMatch(/UNKNOWN_PROTOCOL|Illegal generation|ILLEGAL_GENERATION/i);
    } finally {
      await a.stop("SIGKILL");
      await b.stop("SIGKILL");
    }
  });

  it("a killed member's partitions move to the survivor after its session timeout", async () => {
    const topic = await createTopic(2);
    const g = name("g3");
    const opts = ["-X", "session.timeout.ms=3000"];
    const a = startKcat(group(g, topic, opts));
    await until("A holds both partitions", async () => Object.values(await members(g)).some((p) => p.length === 2));
    const b = startKcat(group(g, topic, opts));
    try {
      await until("one partition each", async () => {
        const m = Object.values(await members(g));
        return m.length === 2 && m.every((p) => p.length === 1);
      });
      await b.stop("SIGKILL");
      const killedAt = Date.now();
      await until("the survivor holds both partitions", async () => {
        const m = Object.values(await members(g));
        return m.length === 1 && m[0]!.length === 2;
      });
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1500);
      await http("POST", `/v1/topics/${topic}/records`, {
        records: [0, 1].map((p) => ({ value: `after-${p}`, partition: p })),
      });
      await until("the survivor reads both partitions", () => ["0@0", "1@0"].every((x) => a.stdout().includes(x)));
    } finally {
      await a.stop("SIGKILL");
      await b.stop("SIGKILL");
    }
  });
});
