// Compressed record batches (gzip, snappy, lz4, zstd) inflate on the produce path inside workerd,
// within bounds: each batch within the topic's max.message.bytes, the request within the body
// bound, stopped while inflating (issue 14 item 1, issue 17); what is stored reads back as JSON.

import { describe, expect, it } from "vitest";
import { CONTENT_TYPE_RECORD_BATCH, MAX_REQUEST_BYTES } from "../../src/protocol/constants.js";
import { crc32c } from "../../src/protocol/crc32c.js";
import { ATTRIBUTES_AT, BATCH_HEADER_SIZE, CRC_AT, encodeBatch, LENGTH_AT } from "../../src/protocol/record-batch.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { CODEC_ID, compress, withRecords, type Codec } from "../support/codecs.js";

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A one-record batch whose value is `valueBytes` zeros, its records section gzipped as a Kafka client
 * does it (codec 1 in the attributes, length and CRC fixed): a few KB on the wire.
 */
async function gzipBatch(valueBytes: number): Promise<Uint8Array> {
  const plain = encodeBatch([{ key: null, value: new Uint8Array(valueBytes), timestamp: 1 }]);
  const records = await gzip(plain.subarray(BATCH_HEADER_SIZE));
  const out = new Uint8Array(BATCH_HEADER_SIZE + records.length);
  out.set(plain.subarray(0, BATCH_HEADER_SIZE));
  out.set(records, BATCH_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setInt32(LENGTH_AT, out.length - 12);
  v.setInt16(ATTRIBUTES_AT, v.getInt16(ATTRIBUTES_AT) | 1);
  v.setUint32(CRC_AT, crc32c(out, ATTRIBUTES_AT, out.length));
  return out;
}

const repeat = (batch: Uint8Array, n: number) => {
  const out = new Uint8Array(batch.length * n);
  for (let i = 0; i < n; i++) out.set(batch, i * batch.length);
  return out;
};

const post = (topic: string, body: Uint8Array) =>
  call("POST", `/v1/topics/${topic}/partitions/0/records`, body, { "content-type": CONTENT_TYPE_RECORD_BATCH });

async function highWatermark(topic: string): Promise<number> {
  return (await call("GET", `/v1/topics/${topic}`)).body.partitions[0].high_watermark;
}

// Each test builds and posts a bomb: more than the 20 s default on a loaded machine, so give them a minute.
const BOMB_MS = 60_000;

describe("gzip record batches inflate within bounds", () => {
  it(
    "refuses 20 small batches that each inflate past max.message.bytes with 413, writing nothing",
    async () => {
      const topic = uniqueTopic("bomb");
      await createTopic(topic); // max.message.bytes: the default 1 MiB
      const bomb = repeat(await gzipBatch(1_850_000), 20);
      expect(bomb.length).toBeLessThan(100_000);
      const r = await post(topic, bomb);
      expect(r.status, JSON.stringify(r.body)).toBe(413);
      expect(r.body.error.code).toBe("MESSAGE_TOO_LARGE");
      expect(r.body.error.message).toMatch(/max\.message\.bytes/);
      expect(await highWatermark(topic)).toBe(0);
    },
    BOMB_MS,
  );

  it(
    "refuses batches that each fit but together inflate past the request bound with 413, writing nothing",
    async () => {
      const topic = uniqueTopic("bomb");
      await createTopic(topic);
      const one = await gzipBatch(900_000);
      const n = 20;
      expect(n * 900_000).toBeGreaterThan(MAX_REQUEST_BYTES);
      const r = await post(topic, repeat(one, n));
      expect(r.status, JSON.stringify(r.body)).toBe(413);
      expect(r.body.error.code).toBe("RECORD_LIST_TOO_LARGE");
      expect(r.body.error.message).toContain(String(MAX_REQUEST_BYTES));
      expect(await highWatermark(topic)).toBe(0);
    },
    BOMB_MS,
  );

  it("still stores gzip batches within both bounds, inflated", async () => {
    const topic = uniqueTopic("gz");
    await createTopic(topic);
    const r = await post(topic, repeat(await gzipBatch(500_000), 3));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.batches.map((b: any) => b.base_offset)).toEqual([0, 1, 2]);
    const f = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&format=binary&max_bytes=4000000`);
    expect(f.body.records).toHaveLength(3);
  });
});

/** A zstd frame holding `data` verbatim in raw blocks: valid zstd that workerd can make (it has no zstd compressor). */
function zstdRawFrame(data: Uint8Array): Uint8Array {
  const BLOCK = 128 * 1024;
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50];
  for (let at = 0; at < data.length || at === 0; at += BLOCK) {
    const chunk = data.subarray(at, at + BLOCK);
    const last = at + BLOCK >= data.length ? 1 : 0;
    const header = (chunk.length << 3) | last;
    parts.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, ...chunk);
  }
  return new Uint8Array(parts);
}

const enc = new TextEncoder();

describe.each(["snappy", "lz4", "zstd"] as const)("%s record batches", (codec: Codec) => {
  it("are stored inflated and read back as JSON", async () => {
    const topic = uniqueTopic(codec);
    await createTopic(topic);
    const values = Array.from({ length: 50 }, (_, i) => `m${i}-${"abcdefghij".repeat(20)}`);
    const plain = encodeBatch(
      values.map((v, i) => ({ key: enc.encode(`k${i}`), value: enc.encode(v), timestamp: 1 + i })),
    );
    const records = plain.subarray(BATCH_HEADER_SIZE);
    const packed = codec === "zstd" ? zstdRawFrame(records) : await compress(codec, records);
    const r = await post(topic, withRecords(plain, CODEC_ID[codec], packed));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const f = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&format=string&max_records=100`);
    expect(f.body.records.map((x: any) => x.value)).toEqual(values);
    expect(f.body.records.map((x: any) => x.key)).toEqual(values.map((_, i) => `k${i}`));
  });

  it(
    "bombs are refused with 413 while inflating, writing nothing",
    async () => {
      const topic = uniqueTopic(`${codec}-bomb`);
      await createTopic(topic); // max.message.bytes: the default 1 MiB
      const zeros = new Uint8Array(8 * 1024 * 1024);
      const bomb = withRecords(
        encodeBatch([{ key: null, value: null, timestamp: 1 }]),
        CODEC_ID[codec],
        await compress(codec, zeros),
      );
      expect(bomb.length).toBeLessThan(400_000);
      const r = await post(topic, repeat(bomb, 4));
      expect(r.status, JSON.stringify(r.body)).toBe(413);
      expect(r.body.error.code).toBe("MESSAGE_TOO_LARGE");
      expect(r.body.error.message).toMatch(new RegExp(`${codec}.*max\\.message\\.bytes`));
      expect(await highWatermark(topic)).toBe(0);
      // Batches that each fit but together pass the request bound.
      const one = withRecords(
        encodeBatch([{ key: null, value: null, timestamp: 1 }]),
        CODEC_ID[codec],
        await compress(codec, zeros.subarray(0, 900_000)),
      );
      const many = await post(topic, repeat(one, 20));
      expect(many.status, JSON.stringify(many.body)).toBe(413);
      expect(many.body.error.code).toBe("RECORD_LIST_TOO_LARGE");
      expect(await highWatermark(topic)).toBe(0);
    },
    BOMB_MS,
  );
});
