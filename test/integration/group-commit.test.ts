// Concurrent produce requests to one partition are group-committed by the router (src/router/group-commit.ts):
// whatever gets merged, every request must see exactly the outcome it would have seen alone.
import { describe, expect, it } from "vitest";
import { CONTENT_TYPE_RECORD_BATCH } from "../../src/protocol/constants.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { expectOwnOutcomes, type ProduceReply } from "../support/group-commit-checks.js";

const enc = new TextEncoder();

async function newProducer(): Promise<{ id: string; epoch: number }> {
  return (await call("POST", "/v1/producers")).body;
}

const rawBatch = (values: string[]) =>
  encodeBatch(values.map((v) => ({ key: null, value: enc.encode(JSON.stringify(v)), timestamp: Date.now() })));

const postRaw = (topic: string, body: Uint8Array) =>
  call("POST", `/v1/topics/${topic}/partitions/0/records`, body, { "content-type": CONTENT_TYPE_RECORD_BATCH });

async function readAll(topic: string): Promise<{ offset: number; value: unknown }[]> {
  return (await fetchRecords(topic, 0, 0, "&max_records=10000")).body.records;
}

describe("group commit of concurrent produce requests", () => {
  it("gives every request distinct, dense offsets in its own order, and each producer's requests in sequence", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producers = await Promise.all(Array.from({ length: 4 }, newProducer));
    const replies: ProduceReply[] = [];
    const anonymous = Array.from({ length: 24 }, async (_, i) => {
      const values = Array.from({ length: 1 + (i % 4) }, (_, j) => `a${i}.${j}`);
      const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, {
        records: values.map((value) => ({ value })),
      });
      expect(r.status).toBe(200);
      replies.push({ values, offsets: r.body.records.map((x: any) => x.offset) });
    });
    const idempotent = producers.map(async (producer, p) => {
      const mine: number[] = [];
      for (let n = 0; n < 5; n++) {
        const values = [`p${p}.${n}.0`, `p${p}.${n}.1`];
        const r = await produce(
          topic,
          values.map((value) => ({ value, partition: 0 })),
          { producer: { ...producer, sequence: n * 2 } },
        );
        expect(r.status).toBe(200);
        const offsets = r.body.records.map((x: any) => x.offset);
        expect(r.body.records.every((x: any) => x.duplicate === undefined)).toBe(true);
        replies.push({ values, offsets });
        mine.push(...offsets);
      }
      return mine;
    });
    await Promise.all(anonymous);
    expectOwnOutcomes(replies, await Promise.all(idempotent), await readAll(topic));
  });

  it("fails only the bad request when it travels with good ones", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producer = await newProducer();
    await produce(topic, [{ value: "first", partition: 0 }], { producer: { ...producer, sequence: 0 } });
    const corrupt = rawBatch(["corrupt"]);
    corrupt[corrupt.length - 1]! ^= 0xff; // the CRC-32C no longer matches: only the partition's validation sees it
    const good = Array.from({ length: 12 }, (_, i) => postRaw(topic, rawBatch([`g${i}`])));
    const bad = postRaw(topic, corrupt);
    const gap = produce(topic, [{ value: "gap", partition: 0 }], { producer: { ...producer, sequence: 5 } });
    const more = Array.from({ length: 12 }, (_, i) => produce(topic, [{ value: `j${i}`, partition: 0 }]));

    const badReply = await bad;
    expect(badReply.status).toBe(400);
    expect(badReply.body.error.code).toBe("CORRUPT_MESSAGE");
    const gapReply = await gap;
    expect(gapReply.status).toBe(409);
    expect(gapReply.body.error.code).toBe("OUT_OF_ORDER_SEQUENCE_NUMBER");
    for (const r of [...(await Promise.all(good)), ...(await Promise.all(more))]) expect(r.status).toBe(200);

    const values = (await readAll(topic)).map((r) => r.value);
    expect(values.length).toBe(25);
    expect(values).not.toContain("corrupt");
    expect(values).not.toContain("gap");
    expect(new Set(values)).toEqual(
      new Set(["first", ...Array.from({ length: 12 }, (_, i) => [`g${i}`, `j${i}`]).flat()]),
    );
  });

  it("answers an idempotent retry that lands in the same merge as its original with the original's offsets, writing once", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const producer = await newProducer();
    const body = {
      records: [
        { value: "once-a", partition: 0 },
        { value: "once-b", partition: 0 },
      ],
      producer: { ...producer, sequence: 0 },
    };
    const others = Array.from({ length: 8 }, (_, i) => produce(topic, [{ value: `o${i}`, partition: 0 }]));
    const copies = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", `/v1/topics/${topic}/records`, body)),
    );
    await Promise.all(others);
    for (const c of copies) expect(c.status).toBe(200);
    const offsets = copies.map((c) => c.body.records.map((r: any) => r.offset));
    for (const o of offsets) expect(o).toEqual(offsets[0]);
    expect(copies.filter((c) => c.body.records[0].duplicate !== true)).toHaveLength(1);
    const log = await readAll(topic);
    expect(log.filter((r) => r.value === "once-a")).toHaveLength(1);
    expect(log.length).toBe(10);
    expect(log[offsets[0][0]]!.value).toBe("once-a");
  });
});
