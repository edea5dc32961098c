// @kafkajs/confluent-schema-registry, unmodified, against the registry of a real wrangler dev:
// Avro, JSON Schema and Protobuf schemas registered, values encoded by kafkajs through the Kafka
// gateway, decoded by edgelog's HTTP fetch (decode=registry) and by kafkajs; a topic validating
// its values refuses an unframed record and writes nothing. On the shared "open" server.

import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Edgelog } from "../../src/client/index.js";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { requestJson } from "../support/json-http.js";
import { until } from "../support/kcat.js";
import { sharedServer, type SharedServer } from "../support/shared-servers.js";

let server: SharedServer;
let gateway: Gateway;
let kafka: Kafka;

beforeAll(async () => {
  server = await sharedServer("open");
  gateway = await startGateway({ listen: "127.0.0.1:0", upstream: server.url, log: () => {} });
  kafka = new Kafka({
    brokers: [`127.0.0.1:${gateway.port}`],
    clientId: "sr-test",
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
}, 90_000);

afterAll(async () => {
  await gateway?.close();
});

const stamp = Date.now().toString(36);

const http = (method: string, path: string, body?: unknown): Promise<any> =>
  requestJson(server.url, method, path, body);

const CASES = [
  {
    type: SchemaType.AVRO,
    schema: JSON.stringify({
      type: "record",
      name: "Order",
      namespace: "shop",
      fields: [
        { name: "id", type: "string" },
        { name: "qty", type: "int" },
        { name: "note", type: ["null", "string"], default: null },
      ],
    }),
    value: { id: "o-1", qty: 3, note: "gift" },
  },
  {
    type: SchemaType.JSON,
    schema: JSON.stringify({
      type: "object",
      properties: { id: { type: "string" }, qty: { type: "integer" } },
      required: ["id"],
    }),
    value: { id: "o-2", qty: 4 },
  },
  {
    type: SchemaType.PROTOBUF,
    schema:
      'syntax = "proto3";\npackage shop;\nmessage Order { string id = 1; int32 qty = 2; repeated string tags = 3; }\n',
    value: { id: "o-3", qty: 5, tags: ["a", "b"] },
  },
];

describe("@kafkajs/confluent-schema-registry against /registry", () => {
  it("registers each schema type, encodes through the gateway, and decodes by HTTP fetch and by kafkajs", async () => {
    const registry = new SchemaRegistry({ host: `${server.url}/registry` });
    const topics: string[] = [];
    const ids: number[] = [];
    const producer = kafka.producer();
    await producer.connect();
    for (const [i, c] of CASES.entries()) {
      const topic = `sr-${c.type.toLowerCase()}-${stamp}`;
      await http("POST", "/v1/topics", {
        name: topic,
        partitions: 1,
        config: { "confluent.value.schema.validation": true },
      });
      const { id } = await registry.register({ type: c.type, schema: c.schema } as never, {
        subject: `${topic}-value`,
      });
      // Registering the same schema again answers the same id.
      expect(
        (await registry.register({ type: c.type, schema: c.schema } as never, { subject: `${topic}-value` })).id,
      ).toBe(id);
      expect(await registry.getLatestSchemaId(`${topic}-value`)).toBe(id);
      await producer.send({ topic, messages: [{ key: `k${i}`, value: await registry.encode(id, c.value) }] });
      topics.push(topic);
      ids.push(id);
    }
    await producer.disconnect();
    expect(new Set(ids).size).toBe(3);

    // edgelog's JSON fetch decodes each value with its registered schema.
    for (const [i, topic] of topics.entries()) {
      const r = await http("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&decode=registry`);
      expect(r.records.map((x: any) => x.value_schema_id)).toEqual([ids[i]]);
      expect(r.records[0].value).toEqual(CASES[i]!.value);
    }

    // A kafkajs consumer reads the same bytes back and decodes them with the registry client.
    const consumer = kafka.consumer({ groupId: `sr-group-${stamp}`, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    const decoded = new Map<string, unknown>();
    await consumer.run({
      eachMessage: async ({ topic, message }) => void decoded.set(topic, await registry.decode(message.value!)),
    });
    await until("every topic's record decoded", () => decoded.size === topics.length);
    await consumer.disconnect();
    topics.forEach((topic, i) => expect(JSON.parse(JSON.stringify(decoded.get(topic)))).toEqual(CASES[i]!.value));
  });

  it("a topic validating its values refuses a record that is not framed with its subject's id, writing nothing", async () => {
    const topic = `sr-validated-${stamp}`;
    await http("POST", "/v1/topics", {
      name: topic,
      partitions: 1,
      config: { "confluent.value.schema.validation": true },
    });
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const refused = await producer.send({ topic, messages: [{ value: "plain text" }] }).then(
      () => undefined,
      (e: any) => e,
    );
    await producer.disconnect();
    expect(refused?.type ?? refused?.cause?.type ?? String(refused)).toContain("INVALID_RECORD");
    const r = await http("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`);
    expect(r.high_watermark).toBe(0);
  });

  it("the SDK's serializer and kafkajs's read each other's framed values, for each schema type", async () => {
    const sdk = new Edgelog({ url: server.url }).schemaRegistry();
    const kafkajsRegistry = new SchemaRegistry({ host: `${server.url}/registry` });
    for (const c of CASES) {
      const subject = `sdk-${c.type.toLowerCase()}-${stamp}-value`;
      const id = await sdk.register(subject, { schema: c.schema, schemaType: c.type as never });
      const mine = await sdk.serialize(subject, c.value);
      expect(JSON.parse(JSON.stringify(await kafkajsRegistry.decode(Buffer.from(mine))))).toEqual(c.value);
      const theirs = await kafkajsRegistry.encode(id, c.value);
      expect(await sdk.deserialize(new Uint8Array(theirs))).toEqual({ id, value: c.value });
    }
  });
});
