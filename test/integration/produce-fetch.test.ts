import { describe, expect, it } from "vitest";
import { CONTENT_TYPE_RECORD_BATCH } from "../../src/protocol/constants.js";
import { partitionForKey } from "../../src/protocol/murmur2.js";
import { crc32c } from "../../src/protocol/crc32c.js";
import { decodeRecords, encodeBatch, validateBatches } from "../../src/protocol/record-batch.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";

const enc = new TextEncoder();

describe("produce and fetch round trips", () => {
  it("round-trips JSON values, keys, headers and timestamps", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const values = [{ a: 1, nested: { b: [1, "two", null] } }, "a string", 42, true, [1, 2], null];
    const records = values.map((value, i) => ({
      key: `k${i}`,
      value,
      headers: { trace: `t${i}`, empty: "", nul: null },
      timestamp: 1_700_000_000_000 + i,
    }));
    const p = await produce(topic, records);
    expect(p.status).toBe(200);
    expect(p.body.records).toEqual(
      records.map((_, i) => ({ partition: 0, offset: i, timestamp: 1_700_000_000_000 + i })),
    );

    const f = await fetchRecords(topic, 0, 0);
    expect(f.status).toBe(200);
    expect(f.body.next_offset).toBe(values.length);
    expect(f.body.high_watermark).toBe(values.length);
    expect(f.body.log_start_offset).toBe(0);
    expect(f.body.records).toEqual(
      records.map((r, i) => ({
        offset: i,
        timestamp: r.timestamp,
        key: r.key,
        value: r.value,
        headers: { trace: `t${i}`, empty: "", nul: null },
      })),
    );
  });

  it("round-trips string and binary formats, binary keys, and non-JSON values losslessly", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const bin = new Uint8Array([0, 255, 1, 128, 10]);
    const b64 = btoa(String.fromCharCode(...bin));
    await produce(topic, [{ key: "s", value: "plain text, not JSON" }], { format: "string" });
    await produce(topic, [{ key_b64: b64, value: b64 }], { format: "binary" });

    const asString = await fetchRecords(topic, 0, 0, "&format=string");
    expect(asString.body.records[0]).toMatchObject({ key: "s", value: "plain text, not JSON" });
    expect(asString.body.records[1]).toMatchObject({ key_b64: b64, value_b64: b64 });

    const asBinary = await fetchRecords(topic, 0, 0, "&format=binary");
    expect(asBinary.body.records[0].value).toBe(btoa("plain text, not JSON"));
    expect(asBinary.body.records[1]).toMatchObject({ key_b64: b64, value: b64 });

    const asJson = await fetchRecords(topic, 0, 0);
    expect(asJson.body.records[0].value_b64).toBe(btoa("plain text, not JSON"));
    expect(asJson.body.records[0].value).toBeUndefined();
  });

  it("takes and returns raw RecordBatch v2 on the partition route", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 2);
    const b1 = encodeBatch([
      {
        key: enc.encode("k"),
        value: enc.encode('{"x":1}'),
        headers: [{ key: "h", value: enc.encode("v") }],
        timestamp: 1000,
      },
      { key: null, value: null, timestamp: 1001 },
    ]);
    const b2 = encodeBatch([{ key: null, value: enc.encode('"third"'), timestamp: 1002 }]);
    const body = new Uint8Array(b1.length + b2.length);
    body.set(b1);
    body.set(b2, b1.length);
    const r = await call("POST", `/v1/topics/${topic}/partitions/1/records`, body, {
      "content-type": CONTENT_TYPE_RECORD_BATCH,
    });
    expect(r.status).toBe(200);
    expect(r.body.batches).toEqual([
      { base_offset: 0, last_offset: 1, log_start_offset: 0, timestamp: -1 },
      { base_offset: 2, last_offset: 2, log_start_offset: 0, timestamp: -1 },
    ]);

    const json = await fetchRecords(topic, 1, 0);
    expect(json.body.records).toEqual([
      { offset: 0, timestamp: 1000, key: "k", value: { x: 1 }, headers: { h: "v" } },
      { offset: 1, timestamp: 1001, key: null, value: null },
      { offset: 2, timestamp: 1002, key: null, value: "third" },
    ]);

    // Raw batches come back whole, even when the offset points into the middle of one.
    const raw = await call("GET", `/v1/topics/${topic}/partitions/1/records?offset=1`, undefined, {
      accept: CONTENT_TYPE_RECORD_BATCH,
    });
    expect(raw.headers.get("content-type")).toBe(CONTENT_TYPE_RECORD_BATCH);
    expect(raw.headers.get("Edgelog-High-Watermark")).toBe("3");
    expect(raw.headers.get("Edgelog-Log-Start-Offset")).toBe("0");
    expect(raw.headers.get("Edgelog-Next-Offset")).toBe("3");
    const headers = validateBatches(raw.body);
    expect(headers.map((h) => h.baseOffset)).toEqual([0, 2]);
    expect(decodeRecords(raw.body.subarray(0, headers[0]!.size)).map((x) => x.offset)).toEqual([0, 1]);

    // JSON records produced on the topic route come back as raw batches too.
    await produce(topic, [{ value: "json-made", partition: 1 }]);
    const raw2 = await call("GET", `/v1/topics/${topic}/partitions/1/records?offset=3`, undefined, {
      accept: CONTENT_TYPE_RECORD_BATCH,
    });
    const recs = decodeRecords(raw2.body);
    expect(recs.map((x) => [x.offset, new TextDecoder().decode(x.value!)])).toEqual([[3, '"json-made"']]);
  });

  it("makes a client batch's header agree with its records on CreateTime topics, as Kafka's validator does", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const batch = encodeBatch([
      { key: null, value: enc.encode("1"), timestamp: 5_000 },
      { key: null, value: enc.encode("2"), timestamp: 7_000 },
    ]);
    // A lying header: LogAppendTime bit set and a maxTimestamp far in the future, CRC made to match.
    const view = new DataView(batch.buffer, batch.byteOffset);
    view.setInt16(21, view.getInt16(21) | 0x08);
    view.setBigInt64(35, 9_999_999_999_999n);
    view.setUint32(17, crc32c(batch, 21));
    const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, batch, {
      "content-type": CONTENT_TYPE_RECORD_BATCH,
    });
    expect(r.status).toBe(200);
    const f = await fetchRecords(topic, 0, 0);
    expect(f.body.records.map((x: any) => x.timestamp)).toEqual([5_000, 7_000]);
    const at = await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=6000`);
    expect(at.body).toEqual({ offset: 1, timestamp: 7_000 });
    const raw = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`, undefined, {
      accept: CONTENT_TYPE_RECORD_BATCH,
    });
    const [h] = validateBatches(raw.body);
    expect([h!.maxTimestamp, h!.attributes & 0x08]).toEqual([7_000, 0]);
  });

  it("stamps LogAppendTime topics with the broker's time", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 1, { "message.timestamp.type": "LogAppendTime" });
    const before = Date.now();
    const p = await produce(topic, [
      { value: 1, timestamp: 5 },
      { value: 2, timestamp: 6 },
    ]);
    const ts = p.body.records[0].timestamp;
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(p.body.records[1].timestamp).toBe(ts);
    const f = await fetchRecords(topic, 0, 0);
    expect(f.body.records.map((r: any) => r.timestamp)).toEqual([ts, ts]);
    const raw = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`, undefined, {
      accept: CONTENT_TYPE_RECORD_BATCH,
    });
    expect(validateBatches(raw.body)).toHaveLength(1); // CRC still valid after the rewrite
  });

  it("acks=0 answers 202 before the write, and the write still lands", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const r = await produce(topic, [{ value: "fire" }, { value: "forget" }], { acks: 0 });
    expect(r.status).toBe(202);
    expect(r.body.records).toEqual([{ partition: 0 }, { partition: 0 }]);
    const f = await fetchRecords(topic, 0, 0, "&wait_ms=2000");
    expect(f.body.records.map((x: any) => x.value)).toEqual(["fire", "forget"]);
  });

  it("accepts acks 1, -1 and all (one replica: all is the leader)", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    for (const acks of [1, -1, "all"]) expect((await produce(topic, [{ value: acks }], { acks })).status).toBe(200);
  });

  it("splits a large request into batches under max.message.bytes, offsets dense and in order", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 1, { "max.message.bytes": 4096 });
    const records = Array.from({ length: 100 }, (_, i) => ({ value: "x".repeat(200) + i }));
    const p = await produce(topic, records);
    expect(p.status).toBe(200);
    expect(p.body.records.map((r: any) => r.offset)).toEqual(records.map((_, i) => i));
    const raw = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`, undefined, {
      accept: CONTENT_TYPE_RECORD_BATCH,
    });
    const batches = validateBatches(raw.body);
    expect(batches.length).toBeGreaterThan(5);
    for (const b of batches) expect(b.size).toBeLessThanOrEqual(4096);
    const f = await fetchRecords(topic, 0, 0, "&max_records=1000");
    expect(f.body.records.map((r: any) => r.value)).toEqual(records.map((r) => r.value));
  });
});

describe("partitioning", () => {
  it("puts every record of a key in the partition Kafka's Java client picks", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 6);
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const records = keys.flatMap((key) => [0, 1, 2].map((n) => ({ key, value: { key, n } })));
    const p = await produce(topic, records);
    expect(p.status).toBe(200);
    const placed = new Map<string, Set<number>>();
    p.body.records.forEach((r: any, i: number) => {
      const key = records[i]!.key;
      if (!placed.has(key)) placed.set(key, new Set());
      placed.get(key)!.add(r.partition);
    });
    for (const key of keys) expect([...placed.get(key)!]).toEqual([partitionForKey(enc.encode(key), 6)]);
    // Kafka reference: toPositive(murmur2("foobar")) % 6, from murmur2("foobar") = -790332482.
    expect(partitionForKey(enc.encode("foobar"), 6)).toBe((-790332482 & 0x7fffffff) % 6);
    // Every partition's log holds exactly its keys, in produce order.
    for (let part = 0; part < 6; part++) {
      const f = await fetchRecords(topic, part, 0, "&max_records=1000");
      for (const r of f.body.records) expect(partitionForKey(enc.encode(r.key), 6)).toBe(part);
      const ns = new Map<string, number[]>();
      for (const r of f.body.records) ns.set(r.key, [...(ns.get(r.key) ?? []), r.value.n]);
      for (const seq of ns.values()) expect(seq).toEqual([0, 1, 2]);
    }
  });

  it("sends a request's null-key records to one partition and rotates between requests", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 4);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      const p = await produce(topic, [{ value: i }, { value: i }, { value: i }]);
      const parts = new Set(p.body.records.map((r: any) => r.partition));
      expect(parts.size).toBe(1);
      seen.push([...parts][0] as number);
    }
    expect(new Set(seen).size).toBe(4);
  });

  it("honours an explicit partition", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 3);
    const p = await produce(topic, [
      { key: "a", value: 1, partition: 2 },
      { value: 2, partition: 0 },
    ]);
    expect(p.body.records.map((r: any) => r.partition)).toEqual([2, 0]);
    const route = await call("POST", `/v1/topics/${topic}/partitions/1/records`, {
      records: [{ key: "zzz", value: 3 }],
    });
    expect(route.body.records[0].partition).toBe(1);
  });
});

describe("ordering", () => {
  it("keeps each producer's order within a partition under concurrent producers", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 2);
    const producers = 8;
    const perProducer = 25;
    await Promise.all(
      Array.from({ length: producers }, async (_, id) => {
        for (let n = 0; n < perProducer; n++) {
          const r = await produce(topic, [
            { key: `p${id}`, value: { id, n } },
            { key: `p${id}`, value: { id, n, second: true } },
          ]);
          expect(r.status).toBe(200);
        }
      }),
    );
    const byProducer = new Map<number, number[]>();
    let total = 0;
    for (const part of [0, 1]) {
      const f = await fetchRecords(topic, part, 0, "&max_records=10000");
      expect(f.body.records.map((r: any) => r.offset)).toEqual(f.body.records.map((_: unknown, i: number) => i));
      total += f.body.records.length;
      for (const r of f.body.records) byProducer.set(r.value.id, [...(byProducer.get(r.value.id) ?? []), r.value.n]);
    }
    expect(total).toBe(producers * perProducer * 2);
    for (const seq of byProducer.values())
      expect(seq).toEqual(Array.from({ length: perProducer * 2 }, (_, i) => i >> 1));
  });
});
