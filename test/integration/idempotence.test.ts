import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PartitionLog } from "../../src/log/partition-log.js";
import { CONTENT_TYPE_RECORD_BATCH } from "../../src/protocol/constants.js";
import { partitionForKey } from "../../src/protocol/murmur2.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";

const enc = new TextEncoder();

async function newProducer(): Promise<{ id: string; epoch: number }> {
  const r = await call("POST", "/v1/producers");
  expect(r.status).toBe(201);
  return r.body;
}

async function hw(topic: string, p = 0): Promise<number> {
  return (await call("GET", `/v1/topics/${topic}/partitions/${p}/offsets?at=latest`)).body.offset;
}

describe("producer ids", () => {
  it("hands out fresh ids at epoch 0 and bumps the epoch on re-initialisation", async () => {
    const a = await newProducer();
    const b = await newProducer();
    expect(a.epoch).toBe(0);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^\d+$/);
    const again = await call("POST", "/v1/producers", { id: a.id });
    expect(again.body).toEqual({ id: a.id, epoch: 1 });
  });

  it("rejects re-initialising an id that was never issued", async () => {
    const r = await call("POST", "/v1/producers", { id: "987654321" });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("UNKNOWN_PRODUCER_ID");
  });
});

describe("idempotent produce", () => {
  it("writes a retried request once and answers with the original offsets", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producer = await newProducer();
    await produce(topic, [{ value: "before" }]);
    const body = { records: [{ value: "a" }, { value: "b" }], producer: { ...producer, sequence: 0 } };
    const first = await call("POST", `/v1/topics/${topic}/records`, body);
    expect(first.status).toBe(200);
    expect(first.body.records.map((r: any) => r.offset)).toEqual([1, 2]);
    const retry = await call("POST", `/v1/topics/${topic}/records`, body);
    expect(retry.status).toBe(200);
    expect(retry.body.records.map((r: any) => [r.offset, r.duplicate])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(await hw(topic)).toBe(3);
    const next = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "c" }],
      producer: { ...producer, sequence: 2 },
    });
    expect(next.body.records[0].offset).toBe(3);
    const f = await fetchRecords(topic, 0, 0);
    expect(f.body.records.map((r: any) => r.value)).toEqual(["before", "a", "b", "c"]);
  });

  it("recognises a retry of any of the last five batches, even after the object restarts", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producer = await newProducer();
    const send = (seq: number) =>
      call("POST", `/v1/topics/${topic}/partitions/0/records`, {
        records: [{ value: seq }],
        producer: { ...producer, sequence: seq },
      });
    for (let seq = 0; seq < 6; seq++) expect((await send(seq)).status).toBe(200);
    await abortAllDurableObjects();
    for (let seq = 1; seq < 6; seq++) {
      const r = await send(seq);
      expect(r.body.records[0]).toMatchObject({ offset: seq, duplicate: true });
    }
    // Older than the retained window: no longer recognisable, so it is a sequence error, not a write.
    const old = await send(0);
    expect(old.status).toBe(409);
    expect(old.body.error.code).toBe("OUT_OF_ORDER_SEQUENCE_NUMBER");
    expect(await hw(topic)).toBe(6);
  });

  it("rejects a sequence gap with 409 OUT_OF_ORDER_SEQUENCE_NUMBER and writes nothing", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producer = await newProducer();
    await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: 0 }],
      producer: { ...producer, sequence: 0 },
    });
    const gap = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: 5 }],
      producer: { ...producer, sequence: 5 },
    });
    expect(gap.status).toBe(409);
    expect(gap.body.error.code).toBe("OUT_OF_ORDER_SEQUENCE_NUMBER");
    expect(gap.body.records[0].error.code).toBe("OUT_OF_ORDER_SEQUENCE_NUMBER");
    expect(await hw(topic)).toBe(1);
  });

  it("fences the old epoch once the id is re-initialised", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const old = await newProducer();
    await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "old" }],
      producer: { ...old, sequence: 0 },
    });
    const bumped = (await call("POST", "/v1/producers", { id: old.id })).body;
    const fresh = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "new" }],
      producer: { ...bumped, sequence: 0 },
    });
    expect(fresh.status).toBe(200);
    const zombie = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "zombie" }],
      producer: { ...old, sequence: 1 },
    });
    expect(zombie.status).toBe(409);
    expect(zombie.body.error.code).toBe("INVALID_PRODUCER_EPOCH");
    const future = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: "x" }],
      producer: { ...bumped, epoch: 9, sequence: 0 },
    });
    expect(future.body.error.code).toBe("INVALID_PRODUCER_EPOCH");
    expect((await fetchRecords(topic, 0, 0)).body.records.map((r: any) => r.value)).toEqual(["old", "new"]);
  });

  it("fences at the partition too, when the router has not heard of the newer epoch", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const p = await newProducer();
    const bumped = (await call("POST", "/v1/producers", { id: p.id })).body;
    const stub = await partitionOf(topic, 0);
    const t = (await call("GET", `/v1/topics/${topic}`)).body;
    const ref = { id: t.id, name: topic, partition: 0, version: t.version, config: t.config };
    const batch = (epoch: number, seq: number) =>
      encodeBatch([{ key: null, value: enc.encode(`${epoch}`), timestamp: 1 }], {
        producerId: Number(p.id),
        producerEpoch: epoch,
        baseSequence: seq,
      });
    expect((await stub.append(ref, batch(bumped.epoch, 0))).ok).toBe(true);
    const stale = await stub.append(ref, batch(0, 1));
    expect(stale).toMatchObject({ ok: false, error: { code: "INVALID_PRODUCER_EPOCH" } });
    const newEpochMidway = await stub.append(ref, batch(bumped.epoch + 1, 3));
    expect(newEpochMidway).toMatchObject({ ok: false, error: { code: "OUT_OF_ORDER_SEQUENCE_NUMBER" } });
  });

  it("numbers sequences per partition on the topic route with producer.sequences", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 3);
    const producer = await newProducer();
    const keys = ["a", "b", "c", "d", "e", "f"];
    const parts = keys.map((k) => partitionForKey(enc.encode(k), 3));
    const sent = new Map<number, number>();
    const request = (round: number) => {
      const sequences: Record<string, number> = {};
      for (const p of new Set(parts)) sequences[p] = sent.get(p) ?? 0;
      return { records: keys.map((key) => ({ key, value: { key, round } })), producer: { ...producer, sequences } };
    };
    for (let round = 0; round < 3; round++) {
      const body = request(round);
      const r = await call("POST", `/v1/topics/${topic}/records`, body);
      expect(r.status).toBe(200);
      const retry = await call("POST", `/v1/topics/${topic}/records`, body);
      expect(retry.body.records.map((x: any) => x.offset)).toEqual(r.body.records.map((x: any) => x.offset));
      expect(retry.body.records.every((x: any) => x.duplicate)).toBe(true);
      for (const p of parts) sent.set(p, (sent.get(p) ?? 0) + 1);
    }
    let total = 0;
    for (const p of [0, 1, 2]) total += await hw(topic, p);
    expect(total).toBe(keys.length * 3);
  });

  it("deduplicates raw batches carrying a producer id, as Kafka clients send them", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const p = await newProducer();
    const batch = encodeBatch(
      [
        { key: null, value: enc.encode("1"), timestamp: 1 },
        { key: null, value: enc.encode("2"), timestamp: 2 },
      ],
      { producerId: Number(p.id), producerEpoch: 0, baseSequence: 0 },
    );
    const post = () =>
      call("POST", `/v1/topics/${topic}/partitions/0/records`, batch.slice(), {
        "content-type": CONTENT_TYPE_RECORD_BATCH,
      });
    expect((await post()).body.batches[0]).toMatchObject({ base_offset: 0, last_offset: 1 });
    expect((await post()).body.batches[0]).toMatchObject({ base_offset: 0, last_offset: 1 });
    expect(await hw(topic)).toBe(2);
    const unknown = encodeBatch([{ key: null, value: enc.encode("1"), timestamp: 1 }], {
      producerId: 99999999,
      producerEpoch: 0,
      baseSequence: 0,
    });
    const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, unknown, {
      "content-type": CONTENT_TYPE_RECORD_BATCH,
    });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("UNKNOWN_PRODUCER_ID");
  });

  it("forgets idle producers after producer.id.expiration.ms, from the object's alarm", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producer = await newProducer();
    await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: 1 }],
      producer: { ...producer, sequence: 0 },
    });
    const stub = await partitionOf(topic, 0);
    const armed = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    // The alarm keeps fresh producers...
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const count = () => runInDurableObject(stub, (_o, state) => PartitionLog.open(state.storage).producerCount);
    expect(await count()).toBe(1);
    // ...and the sweep drops those idle past the expiration (clock moved 8 days on).
    await runInDurableObject(stub, (_o, state) =>
      PartitionLog.open(state.storage).expireProducers(Date.now() + 8 * 86_400_000, 7 * 86_400_000),
    );
    expect(await count()).toBe(0);
  });
});

describe("bad producer input writes nothing", () => {
  const cases: [string, (p: { id: string; epoch: number }) => unknown, number, string][] = [
    ["a negative epoch", (p) => ({ ...p, epoch: -1, sequence: 0 }), 400, "INVALID_REQUEST"],
    ["a fractional sequence", (p) => ({ ...p, sequence: 1.5 }), 400, "INVALID_REQUEST"],
    ["a negative sequence", (p) => ({ ...p, sequence: -1 }), 400, "INVALID_REQUEST"],
    ["a non-numeric id", (p) => ({ ...p, id: "abc", sequence: 0 }), 400, "INVALID_REQUEST"],
    ["both sequence and sequences", (p) => ({ ...p, sequence: 0, sequences: { "0": 0 } }), 400, "INVALID_REQUEST"],
    ["neither sequence nor sequences", (p) => ({ ...p }), 400, "INVALID_REQUEST"],
    ["an id never issued", (p) => ({ ...p, id: "88888888", sequence: 0 }), 404, "UNKNOWN_PRODUCER_ID"],
    ["a sequence that wraps past 2^31-1", (p) => ({ ...p, sequence: 2 ** 31 - 1 }), 400, "INVALID_RECORD"],
    ["sequences missing a written partition", (p) => ({ ...p, sequences: { "1": 0 } }), 400, "INVALID_REQUEST"],
  ];
  for (const [what, producer, status, code] of cases) {
    it(`rejects ${what}: ${status} ${code}`, async () => {
      const topic = uniqueTopic();
      await createTopic(topic, 2);
      const p = await newProducer();
      const r = await call("POST", `/v1/topics/${topic}/records`, {
        records: [
          { value: 1, partition: 0 },
          { value: 2, partition: 0 },
        ],
        producer: producer(p),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect((await hw(topic, 0)) + (await hw(topic, 1))).toBe(0);
    });
  }

  it("rejects producer fields on an acks=0 request", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const p = await newProducer();
    const r = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: 1 }],
      acks: 0,
      producer: { ...p, sequence: 0 },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_REQUEST");
    expect(r.body.error.message).toMatch(/acks/);
    expect(await hw(topic)).toBe(0);
  });

  it("rejects a single sequence for a request spanning partitions", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 2);
    const p = await newProducer();
    const r = await call("POST", `/v1/topics/${topic}/records`, {
      records: [
        { value: 1, partition: 0 },
        { value: 2, partition: 1 },
      ],
      producer: { ...p, sequence: 0 },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/producer.sequences/);
  });
});
