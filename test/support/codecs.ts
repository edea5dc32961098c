// Compressing as Kafka clients do, for tests: each codec's compressor (independent of edgelog's
// decoders), a compressed copy of a record batch, and hand-made bombs that stay tiny on the wire.

import { compress as lz4Compress } from "lz4js";
import { compress as snappyCompress } from "snappyjs";
import { crc32c } from "../../src/protocol/crc32c.js";
import { ATTRIBUTES_AT, BATCH_HEADER_SIZE, CRC_AT, LENGTH_AT } from "../../src/protocol/record-batch.js";

export type Codec = "gzip" | "snappy" | "lz4" | "zstd";
export const CODEC_ID: Record<Codec, number> = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** zstd has no compressor that runs in workerd: a frame of RLE blocks (a run of one byte) is all a bomb needs. */
export function zstdRunFrame(byte: number, length: number): Uint8Array {
  const BLOCK = 128 * 1024;
  const blocks = Math.ceil(length / BLOCK);
  // Magic, then a frame header with no content size and a 1 MiB window (descriptor 0x50).
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50];
  for (let i = 0; i < blocks; i++) {
    const size = Math.min(BLOCK, length - i * BLOCK);
    const header = (size << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    out.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, byte);
  }
  return new Uint8Array(out);
}

/** `data` compressed as a Kafka client would (zstd only as runs of zeros, unless `zstd` is given). */
export async function compress(
  codec: Codec,
  data: Uint8Array,
  zstd?: (d: Uint8Array) => Uint8Array,
): Promise<Uint8Array> {
  switch (codec) {
    case "gzip":
      return gzip(data);
    case "snappy":
      return snappyCompress(data);
    case "lz4":
      return lz4Compress(data);
    case "zstd":
      if (zstd) return zstd(data);
      if (data.some((b) => b !== 0)) throw new Error("pass a zstd compressor for anything but zeros");
      return zstdRunFrame(0, data.length);
  }
}

/** A RecordBatch v2 with its records section replaced by `records`, marked with `codec`, length and CRC fixed. */
export function withRecords(batch: Uint8Array, codec: number, records: Uint8Array): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_SIZE + records.length);
  out.set(batch.subarray(0, BATCH_HEADER_SIZE));
  out.set(records, BATCH_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setInt32(LENGTH_AT, out.length - 12);
  v.setInt16(ATTRIBUTES_AT, (v.getInt16(ATTRIBUTES_AT) & ~7) | codec);
  v.setUint32(CRC_AT, crc32c(out, ATTRIBUTES_AT, out.length));
  return out;
}

/** An uncompressed batch compressed with `codec`, as a producer sends it. */
export async function compressBatch(
  batch: Uint8Array,
  codec: Codec,
  zstd?: (d: Uint8Array) => Uint8Array,
): Promise<Uint8Array> {
  return withRecords(batch, CODEC_ID[codec], await compress(codec, batch.subarray(BATCH_HEADER_SIZE), zstd));
}
