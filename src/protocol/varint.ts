// Big-endian fixed-width and zigzag varint/varlong byte codecs, as Kafka's RecordBatch v2 uses them.

import { EdgelogError } from "./errors.js";

const TWO_32 = 4294967296;

// Shared: constructing these per call shows up in profiles of small batches.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function corrupt(message: string): EdgelogError {
  return new EdgelogError("CORRUPT_MESSAGE", message);
}

/** Bytes `writeVarint(n)` takes for an int32 `n`. */
export function varintSize(n: number): number {
  const z = ((n << 1) ^ (n >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

/** Bytes `writeVarlong(n)` takes for a safe-integer `n`. */
export function varlongSize(n: number): number {
  if (n === (n | 0)) return varintSize(n);
  // |n| >= 2^31 here, so the zigzag value is at least 2^32 (5 bytes) and at
  // most 2^54 (8 bytes); the float arithmetic is exact for these magnitudes
  // because only the bit length matters.
  const z = n >= 0 ? n * 2 : -n * 2 - 1;
  if (z < 34359738368) return 5; // 2^35
  if (z < 4398046511104) return 6; // 2^42
  if (z < 562949953421312) return 7; // 2^49
  return 8;
}

/** UTF-8 byte length of `s` as TextEncoder would encode it (lone surrogates become 3-byte U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else n += 3;
  }
  return n;
}

/** Writes int32 `n` zigzag-encoded into `buf` at `pos`; returns the new position. No bounds check. */
function putVarint(buf: Uint8Array, pos: number, n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

/**
 * A growable big-endian writer. Size it exactly when you can (encodeBatch
 * does) and `finish()` hands back the buffer itself without a copy.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(capacity, 16));
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int8(n: number): this {
    this.ensure(1);
    this.view.setInt8(this.pos, n);
    this.pos += 1;
    return this;
  }

  int16(n: number): this {
    this.ensure(2);
    this.view.setInt16(this.pos, n);
    this.pos += 2;
    return this;
  }

  int32(n: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, n);
    this.pos += 4;
    return this;
  }

  uint32(n: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, n);
    this.pos += 4;
    return this;
  }

  /** A safe-integer JS number as a big-endian two's-complement int64. */
  int64(n: number): this {
    if (!Number.isSafeInteger(n)) throw new RangeError(`int64 must be a safe integer, got ${n}`);
    this.ensure(8);
    // Split without BigInt: floor keeps the high word signed, the low word unsigned.
    const hi = Math.floor(n / TWO_32);
    this.view.setInt32(this.pos, hi);
    this.view.setUint32(this.pos + 4, n - hi * TWO_32);
    this.pos += 8;
    return this;
  }

  /** Zigzag varint of an int32. */
  varint(n: number): this {
    if (n !== (n | 0)) throw new RangeError(`varint must be an int32, got ${n}`);
    this.ensure(5);
    this.pos = putVarint(this.buf, this.pos, n);
    return this;
  }

  /** Zigzag varlong of a safe-integer JS number. */
  varlong(n: number): this {
    if (n === (n | 0)) return this.varint(n);
    if (!Number.isSafeInteger(n)) throw new RangeError(`varlong must be a safe integer, got ${n}`);
    this.ensure(10);
    // Zigzag in two 32-bit halves: 2n - 1 for negative n is an odd number
    // above 2^53, which a double cannot hold.
    const hi = Math.floor(n / TWO_32);
    const lo = n - hi * TWO_32;
    const sign = hi >> 31;
    let zhi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
    let zlo = ((lo << 1) ^ sign) >>> 0;
    const buf = this.buf;
    let p = this.pos;
    while (zhi !== 0 || zlo >= 0x80) {
      buf[p++] = (zlo & 0x7f) | 0x80;
      zlo = ((zlo >>> 7) | (zhi << 25)) >>> 0;
      zhi >>>= 7;
    }
    buf[p++] = zlo;
    this.pos = p;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** `s` as UTF-8; `byteLength` must be `utf8Length(s)`, which the caller already needed for the length prefix. */
  utf8(s: string, byteLength: number): this {
    this.ensure(byteLength);
    const buf = this.buf;
    let p = this.pos;
    if (byteLength === s.length) {
      // All ASCII: a char loop beats encodeInto's call and view overhead for short keys.
      for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    } else {
      const { written } = encoder.encodeInto(s, buf.subarray(p, p + byteLength));
      if (written !== byteLength)
        throw new RangeError(`utf8 byteLength ${byteLength} does not match the string (${written})`);
      p += written;
    }
    this.pos = p;
    return this;
  }

  /** The written bytes; the internal buffer itself when it is exactly full. */
  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
  }
}

/**
 * A bounds-checked big-endian reader over `buf[pos, end)`. Running past `end`
 * throws CORRUPT_MESSAGE: input comes off the wire or out of storage, and a
 * short read there means a damaged or lying batch, never a programming error.
 */
export class ByteReader {
  readonly buf: Uint8Array;
  readonly end: number;
  pos: number;
  private readonly view: DataView;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    if (pos < 0 || end > buf.length || pos > end) {
      throw new RangeError(`reader range [${pos}, ${end}) is outside a buffer of ${buf.length} bytes`);
    }
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) {
      throw corrupt(`unexpected end of data: needed ${n} bytes at ${p}, ${this.end - p} left`);
    }
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.view.getInt8(this.need(1));
  }

  int16(): number {
    return this.view.getInt16(this.need(2));
  }

  int32(): number {
    return this.view.getInt32(this.need(4));
  }

  uint32(): number {
    return this.view.getUint32(this.need(4));
  }

  /** A big-endian int64; values outside ±Number.MAX_SAFE_INTEGER are CORRUPT_MESSAGE. */
  int64(): number {
    const p = this.need(8);
    const v = this.view.getInt32(p) * TWO_32 + this.view.getUint32(p + 4);
    // Rounding is monotonic, so an int64 beyond 2^53 never lands back inside the safe range.
    if (!Number.isSafeInteger(v)) throw corrupt(`int64 at ${p} is outside the safe integer range`);
    return v;
  }

  /** Zigzag varint (int32), at most 5 bytes. */
  varint(): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    let z = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= end) throw corrupt(`unexpected end of data inside a varint at ${this.pos}`);
      const b = buf[p++]!;
      z |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return (z >>> 1) ^ -(z & 1);
      }
    }
    throw corrupt(`varint at ${this.pos} is longer than 5 bytes`);
  }

  /** Zigzag varlong, at most 10 bytes; values outside ±Number.MAX_SAFE_INTEGER are CORRUPT_MESSAGE. */
  varlong(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let p = start;
    // Low 28 bits first: the overwhelmingly common case (small timestamp
    // deltas) never leaves int arithmetic.
    let lo = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw corrupt(`unexpected end of data inside a varlong at ${start}`);
      const b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return (lo >>> 1) ^ -(lo & 1);
      }
    }
    // Bytes 5..10 carry bits 28..63; byte 5 straddles the two 32-bit words.
    let hi = 0;
    for (let shift = 28; shift < 70; shift += 7) {
      if (p >= end) throw corrupt(`unexpected end of data inside a varlong at ${start}`);
      const b = buf[p++]!;
      const bits = b & 0x7f;
      if (shift === 28) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else {
        hi |= bits << (shift - 32);
      }
      if (b < 0x80) {
        this.pos = p;
        lo >>>= 0;
        // Undo zigzag across both words, then rebuild the number from a signed high word.
        const sign = -(lo & 1);
        const nlo = (((lo >>> 1) | (hi << 31)) ^ sign) >>> 0;
        const nhi = ((hi >>> 1) ^ sign) | 0;
        const v = nhi * TWO_32 + nlo;
        if (!Number.isSafeInteger(v)) throw corrupt(`varlong at ${start} is outside the safe integer range`);
        return v;
      }
    }
    throw corrupt(`varlong at ${start} is longer than 10 bytes`);
  }

  /** `n` bytes as a view into the underlying buffer (no copy). */
  bytes(n: number): Uint8Array {
    if (n < 0) throw corrupt(`negative length ${n} at ${this.pos}`);
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }

  /** `n` bytes decoded as UTF-8 (invalid sequences become U+FFFD, as Kafka's Java client does). */
  utf8(n: number): string {
    return decoder.decode(this.bytes(n));
  }

  skip(n: number): void {
    if (n < 0) throw corrupt(`negative length ${n} at ${this.pos}`);
    this.need(n);
  }
}
