import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { CONTENT_TYPE_RECORD_BATCH } from "../../src/protocol/constants.js";
import { readBatchHeader } from "../../src/protocol/record-batch.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";
import { archivedKeys, describePartition, settle } from "../support/archive.js";

const BATCHES = 12;
const PER_BATCH = 5;
const TOTAL = BATCHES * PER_BATCH;
const T0 = Date.now() - 3_600_000;

function record(i: number) {
  return {
    key: `k${i % 7}`,
    value: { i, pad: "x".repeat(20 + (i % 5)) },
    headers: { n: String(i) },
    timestamp: T0 + i * 1000,
  };
}

async function produceAll(topic: string) {
  for (let b = 0; b < BATCHES; b++) {
    const r = await produce(
      topic,
      Array.from({ length: PER_BATCH }, (_, j) => ({ ...record(b * PER_BATCH + j), partition: 0 })),
    );
    expect(r.status).toBe(200);
  }
}

/** The log kept in SQLite: the default segment.bytes (1 GiB) is never reached. */
async function hotLog(): Promise<string> {
  const topic = uniqueTopic("hot");
  await createTopic(topic, 1, { "retention.ms": -1 });
  await produceAll(topic);
  expect((await describePartition(topic)).archived_bytes).toBe(0);
  return topic;
}

/** The same log rolled to R2: small segments by size, then the head by segment.ms, so no byte is left hot. */
async function archivedLog(): Promise<string> {
  const topic = uniqueTopic("archived");
  await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
  await produceAll(topic);
  expect((await call("PATCH", `/v1/topics/${topic}`, { config: { "segment.ms": 1 } })).status).toBe(200);
  await settle(await partitionOf(topic, 0));
  const d = await describePartition(topic);
  expect(d.bytes).toBe(0);
  expect(d.segments).toBeGreaterThan(3);
  return topic;
}

async function rawFetch(topic: string, offset: number, query = "") {
  return call("GET", `/v1/topics/${topic}/partitions/0/records?offset=${offset}${query}`, undefined, {
    accept: CONTENT_TYPE_RECORD_BATCH,
  });
}

// One read spec, run against each tier (STYLE.md habit 7): a reader cannot tell where data lives.
for (const [tier, setup] of [
  ["hot (SQLite)", hotLog],
  ["archived (R2)", archivedLog],
] as const) {
  describe(`reads from the ${tier} tier`, () => {
    it("returns every record with its offset, key, value, headers and timestamp, page by page", async () => {
      const topic = await setup();
      const seen: any[] = [];
      let offset = 0;
      while (offset < TOTAL) {
        const f = await fetchRecords(topic, 0, offset, "&max_records=7");
        expect(f.status).toBe(200);
        expect(f.body.records.length).toBeGreaterThan(0);
        expect(f.body.records.length).toBeLessThanOrEqual(7);
        expect(f.body.high_watermark).toBe(TOTAL);
        seen.push(...f.body.records);
        offset = f.body.next_offset;
      }
      expect(seen).toEqual(
        Array.from({ length: TOTAL }, (_, i) => {
          const r = record(i);
          return { offset: i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
        }),
      );
    });

    it("starts mid-batch: JSON replies from the offset, raw replies with the whole batch", async () => {
      const topic = await setup();
      const f = await fetchRecords(topic, 0, 23, "&max_records=3");
      expect(f.body.records.map((r: any) => r.offset)).toEqual([23, 24, 25]);
      const raw = await rawFetch(topic, 23, "&max_bytes=1");
      expect(raw.status).toBe(200);
      // One whole batch even though max_bytes is 1: the batch holding 23 starts at 20.
      expect(raw.headers.get("Edgelog-Next-Offset")).toBe("25");
      expect(new DataView(raw.body.buffer, raw.body.byteOffset).getUint32(4)).toBe(20);
    });

    it("finds offsets by timestamp, and earliest/latest", async () => {
      const topic = await setup();
      const at = (q: string) => call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=${q}`);
      expect((await at(String(T0 + 41_500))).body).toEqual({ offset: 42, timestamp: T0 + 42_000 });
      expect((await at(String(T0))).body).toEqual({ offset: 0, timestamp: T0 });
      expect((await at(String(T0 + 10_000_000))).body.offset).toBe(TOTAL);
      expect((await at("earliest")).body.offset).toBe(0);
      expect((await at("latest")).body.offset).toBe(TOTAL);
    });

    it("rejects offsets outside the log the same way", async () => {
      const topic = await setup();
      const f = await fetchRecords(topic, 0, TOTAL + 1);
      expect(f.status).toBe(416);
      expect(f.body).toMatchObject({
        error: { code: "OFFSET_OUT_OF_RANGE" },
        log_start_offset: 0,
        high_watermark: TOTAL,
      });
    });
  });
}

describe("archived reads", () => {
  it("return byte-for-byte the batches a hot read returns", async () => {
    const [hot, archived] = [await hotLog(), await archivedLog()];
    const all = async (topic: string) => {
      const parts: Uint8Array[] = [];
      let offset = 0;
      while (offset < TOTAL) {
        const r = await rawFetch(topic, offset, "&max_bytes=700");
        parts.push(r.body);
        offset = Number(r.headers.get("Edgelog-Next-Offset"));
      }
      return Buffer.concat(parts);
    };
    expect((await all(archived)).equals(await all(hot))).toBe(true);
  });

  it("cross the hot/archive boundary in one fetch and in a paged scan", async () => {
    const topic = uniqueTopic("boundary");
    const t = await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
    await produceAll(topic);
    await settle(await partitionOf(topic, 0));
    const d = await describePartition(topic);
    expect(d.archived_bytes).toBeGreaterThan(0);
    expect(d.bytes).toBeGreaterThan(0);
    // From inside the last archived segment, one fetch runs on into the hot log.
    const lastBase = Number((await archivedKeys(t.id)).at(-1)!.slice(-24, -4));
    const one = await fetchRecords(topic, 0, lastBase + 1, `&max_records=${TOTAL}`);
    expect(one.body.records.map((r: any) => r.offset)).toEqual(
      Array.from({ length: TOTAL - lastBase - 1 }, (_, i) => lastBase + 1 + i),
    );
    expect(one.body.next_offset).toBe(TOTAL);
    // A consumer paging from 0 sees every offset once, in order.
    const seen: number[] = [];
    for (let offset = 0; offset < TOTAL; ) {
      const f = await fetchRecords(topic, 0, offset, `&max_records=${TOTAL}`);
      seen.push(...f.body.records.map((r: any) => r.offset));
      offset = f.body.next_offset;
    }
    expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });

  it("report a damaged or missing R2 object as a retriable storage error, and the rest still reads", async () => {
    const topic = uniqueTopic("damaged");
    const t = await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
    await produceAll(topic);
    await settle(await partitionOf(topic, 0));
    const keys = await archivedKeys(t.id);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const [first, second] = keys as [string, string];
    const secondBase = Number(second.slice(-24, -4));

    // Flip one byte inside the first segment's first batch (a record byte, covered by the CRC).
    const obj = await env.ARCHIVE.get(first);
    const bytes = new Uint8Array(await obj!.arrayBuffer());
    bytes[100] = bytes[100]! ^ 0xff;
    await env.ARCHIVE.put(first, bytes);
    const bad = await fetchRecords(topic, 0, 0);
    expect(bad.status).toBe(503);
    expect(bad.body.error).toMatchObject({ code: "KAFKA_STORAGE_ERROR", retriable: true });
    expect(bad.body.error.message).toContain("CRC");
    expect(bad.body.records).toBeUndefined();

    await env.ARCHIVE.delete(second);
    const missing = await fetchRecords(topic, 0, secondBase);
    expect(missing.status).toBe(503);
    expect(missing.body.error).toMatchObject({ code: "KAFKA_STORAGE_ERROR", retriable: true });
    expect(missing.body.error.message).toContain("missing");

    // Segments after them, and the hot log, are untouched.
    const third = Number(keys[2]?.slice(-24, -4) ?? NaN);
    if (!Number.isNaN(third)) expect((await fetchRecords(topic, 0, third)).body.records[0].offset).toBe(third);
    const tail = await fetchRecords(topic, 0, TOTAL - 2);
    expect(tail.status).toBe(200);
    expect(tail.body.records.map((r: any) => r.offset)).toEqual([TOTAL - 2, TOTAL - 1]);
  });
});

describe("damaged archives", () => {
  /** A log of at least three archived segments; returns the topic, its id and the segments' keys and base offsets. */
  async function segmented() {
    const topic = uniqueTopic("damage");
    const t = await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
    await produceAll(topic);
    await settle(await partitionOf(topic, 0));
    const keys = await archivedKeys(t.id);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    return { topic, keys, bases: keys.map((k) => Number(k.slice(-24, -4))) };
  }

  async function objectBytes(key: string): Promise<Uint8Array> {
    return new Uint8Array(await (await env.ARCHIVE.get(key))!.arrayBuffer());
  }

  /** Flips one record byte of the batch at `batchIndex` in an archived object (the CRC covers it). */
  async function flipByteInBatch(key: string, batchIndex: number) {
    const bytes = await objectBytes(key);
    let pos = 0;
    for (let i = 0; i < batchIndex; i++) pos += readBatchHeader(bytes, pos).size;
    const at = pos + readBatchHeader(bytes, pos).size - 1;
    bytes[at] = bytes[at]! ^ 0xff;
    await env.ARCHIVE.put(key, bytes);
  }

  const offsets = (f: { body: any }) => f.body.records.map((r: any) => r.offset);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it("a truncated R2 object is a retriable storage error, not a 500", async () => {
    const { topic, keys, bases } = await segmented();
    const bytes = await objectBytes(keys[1]!);
    await env.ARCHIVE.put(keys[1]!, bytes.subarray(0, bytes.length >> 1));
    // Its last offset: the ranged read starts past the truncated object's end.
    const last = bases[2]! - 1;
    for (const f of [
      await fetchRecords(topic, 0, last),
      await rawFetch(topic, last),
      await fetchRecords(topic, 0, bases[1]!),
    ]) {
      expect(f.status).toBe(503);
      expect(f.body).not.toBeInstanceOf(Uint8Array);
      expect(f.body.error).toMatchObject({ code: "KAFKA_STORAGE_ERROR", retriable: true });
    }
    // Offsets in the intact segment before it still read, up to the damage.
    const before = await fetchRecords(topic, 0, 0);
    expect(before.status).toBe(200);
    expect(before.body.records[0].offset).toBe(0);
  });

  it("offsets before a damaged segment read up to it; the damaged offsets alone fail", async () => {
    const { topic, keys, bases } = await segmented();
    await flipByteInBatch(keys[1]!, 0);
    const [first, second] = [bases[0]!, bases[1]!];

    const json = await fetchRecords(topic, 0, first);
    expect(json.status).toBe(200);
    expect(offsets(json)).toEqual(range(first, second));
    expect(json.body.next_offset).toBe(second);

    const raw = await rawFetch(topic, first);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("Edgelog-Next-Offset")).toBe(String(second));

    const multi = await call("POST", "/v1/fetch", { partitions: [{ topic, partition: 0, offset: first }] });
    expect(multi.status).toBe(200);
    expect(multi.body.partitions[0].records.map((r: any) => r.offset)).toEqual(range(first, second));
    expect(multi.body.partitions[0].next_offset).toBe(second);

    // The consumer moves on to the damaged offset, and only there hears about the damage.
    const bad = await fetchRecords(topic, 0, second);
    expect(bad.status).toBe(503);
    expect(bad.body.error).toMatchObject({ code: "KAFKA_STORAGE_ERROR", retriable: true });
    const badMulti = await call("POST", "/v1/fetch", { partitions: [{ topic, partition: 0, offset: second }] });
    expect(badMulti.body.partitions[0].error).toMatchObject({ code: "KAFKA_STORAGE_ERROR", retriable: true });
  });

  it("a damaged batch inside a segment ends the reply at the batch before it", async () => {
    const { topic, keys, bases } = await segmented();
    const bytes = await objectBytes(keys[0]!);
    const h0 = readBatchHeader(bytes, 0);
    // The segment holds several batches of PER_BATCH records; damage its second.
    expect(h0.size).toBeLessThan(bytes.length);
    await flipByteInBatch(keys[0]!, 1);
    const second = h0.baseOffset + h0.lastOffsetDelta + 1;
    expect(second).toBeLessThan(bases[1]!);

    const json = await fetchRecords(topic, 0, 0);
    expect(json.status).toBe(200);
    expect(offsets(json)).toEqual(range(0, second));
    expect(json.body.next_offset).toBe(second);
    expect((await fetchRecords(topic, 0, second)).status).toBe(503);
  });
});
