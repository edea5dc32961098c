// Compressed record batches (gzip, snappy, lz4, zstd, as Kafka clients send them) are stored uncompressed, within bounds.

import { gzipSync } from "node:zlib";
import * as zstdWasm from "@bokuweb/zstd-wasm";
import { compress as snappyCompress } from "snappyjs";
import { beforeAll, describe, expect, it } from "vitest";
import { CODEC_ID, compress, compressBatch, withRecords } from "../support/codecs.js";
import { decompressBatches } from "../../src/protocol/compression.js";
import { crc32c } from "../../src/protocol/crc32c.js";
import { decodeRecords, encodeBatch, validateBatches } from "../../src/protocol/record-batch.js";
import { EdgelogError } from "../../src/protocol/errors.js";
import { MAX_REQUEST_BYTES } from "../../src/protocol/constants.js";

const enc = new TextEncoder();
/** A topic with the default max.message.bytes, under the request body bound. */
const LIMITS = { maxBatchBytes: 1024 * 1024, maxTotalBytes: MAX_REQUEST_BYTES };
const sample = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    key: enc.encode(`k${i}`),
    value: enc.encode(`value ${i} `.repeat(20)),
    timestamp: 1_700_000_000_000 + i,
    headers: [{ key: "h", value: enc.encode(String(i)) }],
  }));

/** What a Kafka client sends: the records section gzipped, codec 1 in the attributes, a fresh CRC. */
function gzipped(batch: Uint8Array, records: Uint8Array = gzipSync(batch.subarray(61))): Uint8Array {
  const out = new Uint8Array(61 + records.length);
  out.set(batch.subarray(0, 61));
  out.set(records, 61);
  const v = new DataView(out.buffer);
  v.setInt32(8, out.length - 12);
  v.setInt16(21, v.getInt16(21) | 1);
  v.setUint32(17, crc32c(out, 21, out.length));
  return out;
}

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp) {
  const e = await p.then(
    () => null,
    (x) => x,
  );
  expect(e).toBeInstanceOf(EdgelogError);
  expect((e as EdgelogError).code).toBe(code);
  if (message) expect((e as EdgelogError).message).toMatch(message);
}

describe("decompressBatches", () => {
  it("inflates a gzip batch into the very batch an uncompressed client would have sent", async () => {
    const plain = encodeBatch(sample(30), { producerId: 7, producerEpoch: 1, baseSequence: 5 });
    const zipped = gzipped(plain);
    expect(zipped.length).toBeLessThan(plain.length);
    const out = await decompressBatches(zipped, LIMITS);
    expect(Buffer.from(out).equals(Buffer.from(plain))).toBe(true);
    expect(validateBatches(out)).toHaveLength(1);
    expect(decodeRecords(out).map((r) => new TextDecoder().decode(r.key!))).toEqual(sample(30).map((_, i) => `k${i}`));
  });

  it("keeps uncompressed batches as they are, alongside inflated ones, in order", async () => {
    const a = encodeBatch(sample(2));
    const b = encodeBatch(sample(3));
    expect(await decompressBatches(a, LIMITS)).toBe(a);
    const mixed = new Uint8Array([...a, ...gzipped(b), ...a]);
    expect(
      Buffer.from(await decompressBatches(mixed, LIMITS)).equals(Buffer.from(new Uint8Array([...a, ...b, ...a]))),
    ).toBe(true);
  });

  it("refuses an unknown codec by name, a bad CRC, data that is not gzip, and a batch that inflates too far", async () => {
    const batch = gzipped(encodeBatch(sample(1)));
    const v = new DataView(batch.buffer);
    v.setInt16(21, 5);
    v.setUint32(17, crc32c(batch, 21, batch.length));
    await expectCode(decompressBatches(batch, LIMITS), "UNSUPPORTED_COMPRESSION_TYPE", /codec 5/);
    const flipped = gzipped(encodeBatch(sample(2)));
    flipped[flipped.length - 1]! ^= 1;
    await expectCode(decompressBatches(flipped, LIMITS), "CORRUPT_MESSAGE", /CRC/);
    await expectCode(
      decompressBatches(gzipped(encodeBatch(sample(1)), enc.encode("not gzip at all")), LIMITS),
      "CORRUPT_MESSAGE",
      /gzip/,
    );
    const bomb = gzipped(encodeBatch(sample(1)), gzipSync(new Uint8Array(4 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(10_000);
    await expectCode(decompressBatches(bomb, LIMITS), "MESSAGE_TOO_LARGE");
  });

  it("bounds each batch by max.message.bytes and the request by the total, stopping while inflating", async () => {
    // Each inflates to about 200 KB; five fit the total below, six do not.
    const one = gzipped(encodeBatch([{ key: null, value: new Uint8Array(200_000), timestamp: 1 }]));
    const many = (n: number) => new Uint8Array(Array.from({ length: n }, () => [...one]).flat());
    const limits = { maxBatchBytes: 256 * 1024, maxTotalBytes: 1_100_000 };
    expect((await decompressBatches(many(5), limits)).length).toBeGreaterThan(1_000_000);
    await expectCode(decompressBatches(many(6), limits), "RECORD_LIST_TOO_LARGE", /1100000/);
    await expectCode(
      decompressBatches(many(2), { ...limits, maxBatchBytes: 100_000 }),
      "MESSAGE_TOO_LARGE",
      /batch 0 .*max\.message\.bytes/,
    );
    // Uncompressed batches beside gzip ones count towards the total too.
    const plain = encodeBatch([{ key: null, value: new Uint8Array(300_000), timestamp: 1 }]);
    await expectCode(
      decompressBatches(new Uint8Array([...plain, ...one, ...one, ...one, ...one]), limits),
      "RECORD_LIST_TOO_LARGE",
    );
  });
});

const zstdCompress = (d: Uint8Array) => zstdWasm.compress(Buffer.from(d), 3);

describe.each(["snappy", "lz4", "zstd"] as const)("%s record batches", (codec) => {
  beforeAll(() => zstdWasm.init());

  it("inflate into the very batch an uncompressed client would have sent", async () => {
    const plain = encodeBatch(sample(200), { producerId: 7, producerEpoch: 1, baseSequence: 5 });
    const packed = await compressBatch(plain, codec, zstdCompress);
    expect(packed.length).toBeLessThan(plain.length / 3);
    const out = await decompressBatches(packed, LIMITS);
    expect(Buffer.from(out).equals(Buffer.from(plain))).toBe(true);
    expect(validateBatches(out)).toHaveLength(1);
  });

  it("stop a bomb at max.message.bytes while inflating, and at the request bound across batches", async () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const bomb = withRecords(encodeBatch(sample(1)), CODEC_ID[codec], await compress(codec, zeros));
    expect(bomb.length).toBeLessThan(codec === "snappy" ? 400_000 : 40_000);
    await expectCode(
      decompressBatches(bomb, LIMITS),
      "MESSAGE_TOO_LARGE",
      new RegExp(`${codec}.*max\\.message\\.bytes`),
    );
    const fits = withRecords(
      encodeBatch(sample(1)),
      CODEC_ID[codec],
      await compress(codec, zeros.subarray(0, 200_000)),
    );
    const limits = { maxBatchBytes: 256 * 1024, maxTotalBytes: 1_100_000 };
    const many = new Uint8Array(Array.from({ length: 6 }, () => [...fits]).flat());
    await expectCode(decompressBatches(many, limits), "RECORD_LIST_TOO_LARGE", /1100000/);
  });

  it("refuse data that is not valid for the codec as CORRUPT_MESSAGE, never storing it", async () => {
    const good = await compress(codec, enc.encode("abcdefgh".repeat(500)), zstdCompress);
    // Raw snappy has no checksum: garbage can inflate, and then fails as records, as the route checks them.
    const stored = async (b: Uint8Array) => validateBatches(await decompressBatches(b, LIMITS));
    for (const bad of [enc.encode("not compressed at all"), good.subarray(0, good.length - 3)])
      await expectCode(stored(withRecords(encodeBatch(sample(1)), CODEC_ID[codec], bad)), "CORRUPT_MESSAGE");
  });
});

describe("codec framings clients use", () => {
  it("reads the Java client's xerial-framed snappy, block by block within the bound", async () => {
    const plain = encodeBatch(sample(100));
    const records = plain.subarray(61);
    const half = records.length >> 1;
    const blocks = [snappyCompress(records.subarray(0, half)), snappyCompress(records.subarray(half))];
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const framed = Buffer.concat([
      header,
      ...blocks.flatMap((b) => {
        const size = Buffer.alloc(4);
        size.writeInt32BE(b.length);
        return [size, Buffer.from(b)];
      }),
    ]);
    const out = await decompressBatches(withRecords(plain, 2, framed), LIMITS);
    expect(Buffer.from(out).equals(Buffer.from(plain))).toBe(true);
  });

  it("refuses a zstd frame asking for a window larger than 8 MiB before allocating it", async () => {
    // Window descriptor 0xF8: 2^41 bytes; a decoder that trusted it would try to allocate that much.
    const frame = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00]);
    await expectCode(
      decompressBatches(withRecords(encodeBatch(sample(1)), 4, frame), LIMITS),
      "CORRUPT_MESSAGE",
      /window/,
    );
  });
});
