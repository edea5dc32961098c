// Kafka's four compression codecs, each inflated within an output bound that is checked while
// inflating (never after), so a few bytes of bomb cost at most the bound in memory and CPU.
// gzip uses the platform's DecompressionStream, snappy snappyjs, zstd fzstd (pure JS; both
// run in workerd), lz4 this package's own frame decoder (lz4.ts).

import { Decompress as ZstdStream } from "fzstd";
import { uncompress as snappyUncompress } from "snappyjs";
import { concat } from "../util/bytes.js";
import { lz4Decompress } from "./lz4.js";

/** Kafka's codec ids (the low 3 bits of a batch's attributes), by name. */
export const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type CodecName = (typeof CODECS)[number];

/** The data is not valid for its codec (a client bug or corruption): the batch is CORRUPT_MESSAGE. */
export class CodecError extends Error {
  override readonly name = "CodecError";
}

/**
 * Inflates `data` compressed with Kafka codec `codec` (1-4). `tooLarge` is thrown the moment the
 * output would pass `limit` bytes; anything undecodable throws CodecError.
 */
export async function inflate(
  codec: number,
  data: Uint8Array,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  // The bound's own error passes through; every other failure means the data is not valid.
  let over: Error | undefined;
  const bound = () => (over = tooLarge());
  try {
    switch (codec) {
      case 1:
        return await gunzip(data, limit, bound);
      case 2:
        return unsnappy(data, limit, bound);
      case 3:
        return lz4Decompress(data, limit, bound);
      case 4:
        return unzstd(data, limit, bound);
    }
  } catch (e) {
    if (e === over || e instanceof CodecError) throw e;
    throw new CodecError(`does not inflate as ${CODECS[codec]}: ${(e as Error).message}`);
  }
  throw new CodecError(`unknown compression codec ${codec}`);
}

async function gunzip(data: Uint8Array, limit: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concat(chunks);
}

/** "\x82SNAPPY\0": the Java client's (xerial) framing, a 16-byte header then length-prefixed blocks. */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER = 16;

function isXerial(data: Uint8Array): boolean {
  return data.length >= XERIAL_HEADER && XERIAL_MAGIC.every((b, i) => data[i] === b);
}

/** Raw snappy (librdkafka, kafkajs-snappy) or xerial-framed blocks (the Java client). */
function unsnappy(data: Uint8Array, limit: number, tooLarge: () => Error): Uint8Array {
  if (!isXerial(data)) return snappyBlock(data, limit, tooLarge);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let pos = XERIAL_HEADER; pos < data.length; ) {
    if (pos + 4 > data.length) throw new CodecError("truncated xerial snappy block length");
    const n = view.getInt32(pos);
    pos += 4;
    if (n < 0 || pos + n > data.length) throw new CodecError("xerial snappy block overruns the data");
    const part = snappyBlock(data.subarray(pos, pos + n), limit - size, tooLarge);
    size += part.length;
    parts.push(part);
    pos += n;
  }
  return concat(parts);
}

/** One raw snappy block: its declared length is checked against the bound before anything is allocated. */
function snappyBlock(data: Uint8Array, limit: number, tooLarge: () => Error): Uint8Array {
  let declared = 0;
  for (let i = 0, shift = 0; ; i++, shift += 7) {
    if (i >= data.length || i >= 5) throw new CodecError("bad snappy length preamble");
    declared += (data[i]! & 0x7f) * 2 ** shift;
    if ((data[i]! & 0x80) === 0) break;
  }
  if (declared > limit) throw tooLarge();
  return snappyUncompress(data, limit);
}

const ZSTD_MAGIC = 0xfd2fb528;
/**
 * The largest window a frame may ask for: RFC 8878 recommends decoders support 8 MiB, and fzstd
 * allocates the window up front, so a few header bytes asking for 2 GiB must be refused first.
 */
const ZSTD_MAX_WINDOW = 8 * 1024 * 1024;

/** zstd frames: each frame's header is checked (window, declared size) before fzstd sees it. */
function unzstd(data: Uint8Array, limit: number, tooLarge: () => Error): Uint8Array {
  checkZstdFrames(data, limit, tooLarge);
  const parts: Uint8Array[] = [];
  let size = 0;
  const stream = new ZstdStream((chunk) => {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    // fzstd may hand out views of its window, which later blocks overwrite.
    parts.push(chunk.slice());
  });
  stream.push(data, true);
  return concat(parts);
}

/** Walks the frames without decoding them: headers, block sizes, checksums; refuses oversize windows. */
function checkZstdFrames(data: Uint8Array, limit: number, tooLarge: () => Error): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > data.length) throw new CodecError("truncated zstd frame");
  };
  let pos = 0;
  if (data.length === 0) throw new CodecError("empty zstd data");
  while (pos < data.length) {
    need(pos, 4);
    const magic = view.getUint32(pos, true);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      need(pos, 8);
      pos += 8 + view.getUint32(pos + 4, true);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new CodecError("not a zstd frame");
    need(pos, 5);
    const fhd = data[pos + 4]!;
    pos += 5;
    const singleSegment = (fhd >> 5) & 1;
    const fcsFlag = fhd >> 6;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    need(pos, (singleSegment ? 0 : 1) + dictBytes + fcsBytes);
    let window = 0;
    if (!singleSegment) {
      const d = data[pos++]!;
      const base = 2 ** (10 + (d >> 3));
      window = base + (base / 8) * (d & 7);
    }
    pos += dictBytes;
    let contentSize = -1;
    if (fcsBytes > 0) {
      contentSize = 0;
      for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + data[pos + i]!;
      if (fcsBytes === 2) contentSize += 256;
      pos += fcsBytes;
    }
    if (singleSegment) window = contentSize;
    if (contentSize > limit) throw tooLarge();
    if (window > ZSTD_MAX_WINDOW)
      throw new CodecError(`zstd window of ${window} bytes is larger than the ${ZSTD_MAX_WINDOW} supported`);
    for (let last = 0; !last; ) {
      need(pos, 3);
      const header = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
      last = header & 1;
      const type = (header >> 1) & 3;
      if (type === 3) throw new CodecError("reserved zstd block type");
      // An RLE block stores one byte, however many it repeats.
      pos += 3 + (type === 1 ? 1 : header >>> 3);
    }
    if ((fhd >> 2) & 1) pos += 4;
  }
  if (pos !== data.length) throw new CodecError("truncated zstd frame");
}
