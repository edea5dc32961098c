// LZ4 frames (the format Kafka's lz4 codec uses for RecordBatch v2) decoded within an output bound.
// Written here rather than taken from lz4js, whose decoder trusts its input: it sizes its output
// from the frame's declared content size and drops out-of-bounds writes silently, so a hostile
// frame could allocate gigabytes or turn into garbage without an error.

const FRAME_MAGIC = 0x184d2204;
/** 0x184D2A50..5F: skippable frames, which carry no data. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const UNCOMPRESSED_BLOCK = 0x80000000;
const MIN_MATCH = 4;
/** Maximum block sizes by the BD byte's 3-bit code (4..7). */
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

export class Lz4Error extends Error {
  override readonly name = "Lz4Error";
}

/** An output buffer that grows by doubling up to `limit` and calls `tooLarge` past it. */
class Output {
  buf = new Uint8Array(64 * 1024);
  len = 0;
  constructor(
    readonly limit: number,
    readonly tooLarge: () => Error,
  ) {}
  room(n: number): void {
    const need = this.len + n;
    if (need > this.limit) throw this.tooLarge();
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

const u32 = (b: Uint8Array, at: number): number => {
  if (at + 4 > b.length) throw new Lz4Error("truncated LZ4 frame");
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
};

/** Decodes one or more concatenated LZ4 frames; never holds more than `limit` output bytes. */
export function lz4Decompress(src: Uint8Array, limit: number, tooLarge: () => Error): Uint8Array {
  const out = new Output(limit, tooLarge);
  let pos = 0;
  if (src.length === 0) throw new Lz4Error("empty LZ4 data");
  while (pos < src.length) {
    const magic = u32(src, pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + u32(src, pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Lz4Error(`not an LZ4 frame (magic ${magic.toString(16)})`);
    pos = frame(src, pos + 4, out);
  }
  if (pos !== src.length) throw new Lz4Error("truncated LZ4 frame");
  return out.buf.subarray(0, out.len);
}

function frame(src: Uint8Array, pos: number, out: Output): number {
  if (pos + 3 > src.length) throw new Lz4Error("truncated LZ4 frame header");
  const flg = src[pos++]!;
  const bd = src[pos++]!;
  if (flg >> 6 !== 1) throw new Lz4Error(`unsupported LZ4 frame version ${flg >> 6}`);
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const dictId = (flg & 0x01) !== 0;
  const blockMax = BLOCK_MAX[(bd >> 4) & 7] ?? 0;
  if (blockMax === 0) throw new Lz4Error(`invalid LZ4 block size code ${(bd >> 4) & 7}`);
  // The header checksum is not verified: the record batch's CRC-32C already covers these bytes.
  pos += (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
  for (;;) {
    const word = u32(src, pos);
    pos += 4;
    if (word === 0) break;
    const size = (word & ~UNCOMPRESSED_BLOCK) >>> 0;
    if (size > blockMax || pos + size > src.length) throw new Lz4Error("LZ4 block overruns its frame");
    const start = out.len;
    if (word & UNCOMPRESSED_BLOCK) {
      out.room(size);
      out.buf.set(src.subarray(pos, pos + size), out.len);
      out.len += size;
    } else {
      block(src, pos, pos + size, out);
    }
    if (out.len - start > blockMax) throw new Lz4Error("LZ4 block inflates past its frame's block size");
    pos += size + (blockChecksum ? 4 : 0);
  }
  return pos + (contentChecksum ? 4 : 0);
}

/** One LZ4 block: sequences of literals then a back-reference; matches may reach into earlier blocks. */
function block(src: Uint8Array, pos: number, end: number, out: Output): void {
  const length = (n: number): number => {
    if (n !== 15) return n;
    for (;;) {
      if (pos >= end) throw new Lz4Error("truncated LZ4 length");
      const b = src[pos++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  while (pos < end) {
    const token = src[pos++]!;
    const literals = length(token >> 4);
    if (pos + literals > end) throw new Lz4Error("LZ4 literals overrun their block");
    out.room(literals);
    out.buf.set(src.subarray(pos, pos + literals), out.len);
    out.len += literals;
    pos += literals;
    // The last sequence of a block is literals only.
    if (pos === end) return;
    if (pos + 2 > end) throw new Lz4Error("truncated LZ4 match offset");
    const offset = src[pos]! | (src[pos + 1]! << 8);
    pos += 2;
    const match = length(token & 15) + MIN_MATCH;
    if (offset === 0 || offset > out.len) throw new Lz4Error(`LZ4 match offset ${offset} points before the data`);
    out.room(match);
    const buf = out.buf;
    let from = out.len - offset;
    let to = out.len;
    // Overlapping copies repeat the last `offset` bytes, so they go byte by byte when they overlap.
    if (offset >= match) buf.copyWithin(to, from, from + match);
    else for (const stop = to + match; to < stop; ) buf[to++] = buf[from++]!;
    out.len += match;
  }
}
