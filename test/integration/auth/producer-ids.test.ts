// Idempotent producer ids belong to the token that got them: another token writing with one would
// take its sequence numbers and have the owner's records answered as duplicates and dropped.

import { describe, expect, it } from "vitest";
import { CONTENT_TYPE_RECORD_BATCH } from "../../../src/protocol/constants.js";
import { encodeBatch } from "../../../src/protocol/record-batch.js";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";

const enc = new TextEncoder();

async function topicWithWriters() {
  const topic = uniqueTopic("pid");
  expect((await call("POST", "/v1/topics", { name: topic, partitions: 1 }, asAdmin)).status).toBe(201);
  const owner = await createToken([{ resource: `topic:${topic}`, operations: ["produce", "consume"] }]);
  const other = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
  const producer = (await callAs(owner.token, "POST", "/v1/producers")).body as { id: string; epoch: number };
  return { topic, owner, other, producer };
}

async function highWatermark(topic: string): Promise<number> {
  return (await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=latest`, undefined, asAdmin)).body.offset;
}

describe("a producer id", () => {
  it("is refused (403) in another token's JSON produce, and the owner's record is then stored, not a duplicate", async () => {
    const { topic, owner, other, producer } = await topicWithWriters();
    const spoof = await callAs(other.token, "POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "spoof" }],
      producer: { id: producer.id, epoch: 0, sequence: 0 },
    });
    expect(spoof.status, JSON.stringify(spoof.body)).toBe(403);
    expect(spoof.body.error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
    expect(spoof.body.error.message).toContain(producer.id);
    expect(await highWatermark(topic)).toBe(0);

    const real = await callAs(owner.token, "POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "real" }],
      producer: { id: producer.id, epoch: 0, sequence: 0 },
    });
    expect(real.status, JSON.stringify(real.body)).toBe(200);
    expect(real.body.records[0]).toMatchObject({ offset: 0 });
    expect(real.body.records[0].duplicate).toBeUndefined();
    const read = await callAs(owner.token, "GET", `/v1/topics/${topic}/partitions/0/records?offset=0`);
    expect(read.body.records.map((r: { value: string }) => r.value)).toEqual(["real"]);
  });

  it("is refused (403) in another token's raw record batches; the admin may use any id", async () => {
    const { topic, other, producer } = await topicWithWriters();
    const batch = (seq: number) =>
      encodeBatch([{ key: null, value: enc.encode(`v${seq}`), timestamp: Date.now() }], {
        producerId: Number(producer.id),
        producerEpoch: 0,
        baseSequence: seq,
      });
    const path = `/v1/topics/${topic}/partitions/0/records`;
    const headers = { "content-type": CONTENT_TYPE_RECORD_BATCH };
    const spoof = await callAs(other.token, "POST", path, batch(0), headers);
    expect(spoof.status, JSON.stringify(spoof.body)).toBe(403);
    expect(spoof.body.error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
    expect(await highWatermark(topic)).toBe(0);
    const byAdmin = await call("POST", path, batch(0), { ...headers, ...asAdmin });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(200);
    expect(await highWatermark(topic)).toBe(1);
  });

  it("is random within Kafka's int64, not the next number: a decimal string of a positive safe integer", async () => {
    const { token } = await createToken([{ resource: "topic:*", operations: ["produce"] }]);
    const ids: bigint[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await callAs(token, "POST", "/v1/producers");
      expect(r.status).toBe(201);
      expect(r.body.id).toMatch(/^[1-9]\d*$/);
      expect(Number.isSafeInteger(Number(r.body.id))).toBe(true);
      ids.push(BigInt(r.body.id));
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Sequential ids (1, 2, 3…) let any token guess another's; random 53-bit ones sit far apart.
    const sorted = [...ids].sort((a, b) => (a < b ? -1 : 1));
    const gaps = sorted.slice(1).map((id, i) => id - sorted[i]!);
    expect(
      gaps.every((g) => g > 1_000_000n),
      gaps.join(","),
    ).toBe(true);
  });
});
