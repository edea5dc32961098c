// snappy, lz4 and zstd from unmodified Kafka clients (kcat -z, kafkajs with codecs registered)
// through the gateway into a real wrangler dev: stored inflated, read back byte-exact by Kafka
// clients and as JSON over HTTP.

import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { beforeAll, describe, expect, it } from "vitest";
import { registerKafkajsCodecs } from "../support/kafkajs-codecs.js";
import { kcat, until } from "../support/kcat.js";
import { useKafkaGateway } from "../support/kafka-gateway.js";

const gw = useKafkaGateway();
const createTopic = (prefix: string) => gw.createTopic(1, prefix);

beforeAll(async () => {
  await registerKafkajsCodecs();
});

async function jsonRecords(topic: string): Promise<{ key: string; value: string }[]> {
  const res = await fetch(`${gw.url}/v1/topics/${topic}/partitions/0/records?offset=0&max_records=500&format=string`);
  return ((await res.json()) as any).records;
}

// Compressible values (librdkafka sends a batch uncompressed when compressing does not shrink it).
const values = Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(3, "0")}-${"abcdefghij".repeat(20)} ünï`);

describe.each(["snappy", "lz4", "zstd"] as const)("%s", (codec) => {
  it("kcat -z: the producer compresses, kcat reads the same bytes back, HTTP reads them as JSON", async () => {
    const topic = await createTopic(`kz-${codec}`);
    const lines = values.map((v, i) => `k${i}\t${v}`);
    const p = await kcat(
      ["-b", gw.broker, "-P", "-t", topic, "-K", "\t", "-z", codec, "-d", "msg"],
      `${lines.join("\n")}\n`,
    );
    expect(p.code, p.stderr).toBe(0);
    // librdkafka's own log lines for the batches it sent (it may split the 60 records when the
    // first line is read before the rest): every batch compressed with this codec, 60 in all.
    const sent = [...p.stderr.matchAll(/Produce MessageSet with (\d+) message\(s\) \(.*?, (\w+)\)$/gm)];
    expect(sent.length, p.stderr).toBeGreaterThan(0);
    expect(
      sent.map((m) => m[2]),
      p.stderr,
    ).toEqual(sent.map(() => codec));
    expect(
      sent.reduce((sum, m) => sum + Number(m[1]), 0),
      p.stderr,
    ).toBe(60);
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
      "%k\t%s\n",
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trimEnd().split("\n")).toEqual(lines);
    expect((await jsonRecords(topic)).map((r) => `${r.key}\t${r.value}`)).toEqual(lines);
  });

  it("kafkajs with the codec registered: produced compressed, consumed and read as JSON byte-exact", async () => {
    const topic = await createTopic(`kj-${codec}`);
    const kafka = new Kafka({ brokers: [gw.broker], clientId: "codecs-e2e", logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const type = { snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD }[codec];
    const sent = await producer.send({
      topic,
      compression: type,
      messages: values.map((v, i) => ({ key: `k${i}`, value: Buffer.from(v) })),
    });
    await producer.disconnect();
    expect(sent.every((s) => s.errorCode === 0)).toBe(true);
    expect((await jsonRecords(topic)).map((r) => [r.key, r.value])).toEqual(values.map((v, i) => [`k${i}`, v]));
    const consumer = kafka.consumer({ groupId: `${topic}-g` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Buffer[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!) });
    await until(`${values.length} records consumed`, () => seen.length >= values.length);
    await consumer.disconnect();
    expect(seen.map((b) => b.toString())).toEqual(values);
  });
});
