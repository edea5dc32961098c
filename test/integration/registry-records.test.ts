// Records and the schema registry inside workerd: produce-side validation per topic (nothing
// written when refused, on the JSON and the raw-batch routes alike) and decode=registry reads.

import { describe, expect, it } from "vitest";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { encodePayload, parseSchema } from "../../src/schemas/formats.js";
import { frame } from "../../src/schemas/wire.js";
import { toBase64 } from "../../src/util/base64.js";
import { call, createTopic, fetchRecords, uniqueTopic } from "../support/api.js";
import { sr } from "../support/registry.js";

const avro = JSON.stringify({
  type: "record",
  name: "Click",
  fields: [
    { name: "page", type: "string" },
    { name: "ms", type: "long" },
  ],
});
const framed = (id: number, value: unknown) => frame(id, encodePayload(parseSchema("AVRO", avro), value));
const b64 = (bytes: Uint8Array) => toBase64(bytes);

async function validatedTopic(config: Record<string, unknown>) {
  const topic = uniqueTopic("sv");
  await createTopic(topic, 1, config);
  const { id } = (await sr("POST", `/subjects/${topic}-value/versions`, { schema: avro })).body;
  return { topic, id };
}

async function highWatermark(topic: string): Promise<number> {
  return (await fetchRecords(topic, 0, 0)).body.high_watermark;
}

describe("validation on produce", () => {
  it("accepts values framed with an id registered under <topic>-value and refuses the rest, writing nothing", async () => {
    const { topic, id } = await validatedTopic({ "confluent.value.schema.validation": true });
    const good = { value: b64(framed(id, { page: "/", ms: 1 })) };
    expect((await call("POST", `/v1/topics/${topic}/records`, { format: "binary", records: [good] })).status).toBe(200);

    const plain = await call("POST", `/v1/topics/${topic}/records`, { records: [{ value: { page: "/" } }] });
    expect(plain.status).toBe(400);
    expect(plain.body.error.code).toBe("INVALID_RECORD");
    expect(plain.body.error.message).toContain("schema registry frame");

    // An id registered elsewhere, in a request that also holds a good record: the whole request is refused.
    const { id: otherId } = (await sr("POST", `/subjects/${uniqueTopic("elsewhere")}/versions`, { schema: '"string"' }))
      .body;
    const wrong = await call("POST", `/v1/topics/${topic}/records`, {
      format: "binary",
      records: [good, { value: b64(frame(otherId, new Uint8Array([2, 97]))) }],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain(
      `records[1]: the value's schema id ${otherId} is not registered under subject ${topic}-value`,
    );
    // Tombstones carry no schema.
    expect((await call("POST", `/v1/topics/${topic}/records`, { records: [{ key: "k", value: null }] })).status).toBe(
      200,
    );
    expect(await highWatermark(topic)).toBe(2);
  });

  it("checks raw record batches too (the Kafka gateway's path)", async () => {
    const { topic, id } = await validatedTopic({ "confluent.value.schema.validation": "true" });
    const send = (value: Uint8Array) =>
      call(
        "POST",
        `/v1/topics/${topic}/partitions/0/records`,
        encodeBatch([{ key: null, value, timestamp: Date.now() }]),
        {
          "content-type": "application/vnd.edgelog.record-batch",
        },
      );
    expect((await send(new TextEncoder().encode("not framed"))).body.error.code).toBe("INVALID_RECORD");
    expect(await highWatermark(topic)).toBe(0);
    expect((await send(framed(id, { page: "/a", ms: 2 }))).status).toBe(200);
    expect(await highWatermark(topic)).toBe(1);
  });

  it("validates keys against <topic>-key when asked, and nothing when the topic does not ask", async () => {
    const topic = uniqueTopic("kv");
    await createTopic(topic, 1, { "confluent.key.schema.validation": true });
    const refused = await call("POST", `/v1/topics/${topic}/records`, { records: [{ key: "plain", value: 1 }] });
    expect(refused.body.error.message).toContain("the key does not start");
    const { id } = (await sr("POST", `/subjects/${topic}-key/versions`, { schema: '"string"' })).body;
    const key = frame(id, new Uint8Array([6, 97, 98, 99]));
    const ok = await call("POST", `/v1/topics/${topic}/records`, { records: [{ key_b64: b64(key), value: 1 }] });
    expect(ok.status).toBe(200);

    const free = uniqueTopic("free");
    await createTopic(free, 1);
    expect((await call("POST", `/v1/topics/${free}/records`, { records: [{ value: "anything" }] })).status).toBe(200);
  });

  it("is switched on and off with the topic config, which takes only true or false", async () => {
    const topic = uniqueTopic("sw");
    await createTopic(topic, 1);
    const bad = await call("PATCH", `/v1/topics/${topic}`, { config: { "confluent.value.schema.validation": "yes" } });
    expect(bad.body.error.code).toBe("INVALID_CONFIG");
    await call("PATCH", `/v1/topics/${topic}`, { config: { "confluent.value.schema.validation": true } });
    const refused = await call("POST", `/v1/topics/${topic}/records`, { records: [{ value: 1 }] });
    expect(refused.body.error.code).toBe("INVALID_RECORD");
  });
});

describe("decode=registry", () => {
  it("renders framed values as JSON with their schema id, and leaves other values as they are", async () => {
    const topic = uniqueTopic("dec");
    await createTopic(topic, 1);
    const { id } = (await sr("POST", `/subjects/${topic}-value/versions`, { schema: avro })).body;
    const records = [
      { value: b64(framed(id, { page: "/home", ms: 42 })) },
      { value: b64(new TextEncoder().encode('{"plain":true}')) },
    ];
    expect((await call("POST", `/v1/topics/${topic}/records`, { format: "binary", records })).status).toBe(200);

    const decoded = (await fetchRecords(topic, 0, 0, "&decode=registry")).body.records;
    expect(decoded.map((r: any) => [r.value, r.value_schema_id])).toEqual([
      [{ page: "/home", ms: 42 }, id],
      [{ plain: true }, undefined],
    ]);
    // Without decode=registry the framed value is bytes that are not JSON.
    expect((await fetchRecords(topic, 0, 0)).body.records[0].value_b64).toBeDefined();

    const many = await call("POST", "/v1/fetch", {
      partitions: [{ topic, partition: 0, offset: 0 }],
      decode: "registry",
    });
    expect(many.body.partitions[0].records[0].value).toEqual({ page: "/home", ms: 42 });
  });
});
