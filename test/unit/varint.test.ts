import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/protocol/errors.js";
import { ByteReader, ByteWriter, utf8Length, varintSize, varlongSize } from "../../src/protocol/varint.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

function expectCorrupt(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EdgelogError);
    expect((e as EdgelogError).code).toBe("CORRUPT_MESSAGE");
    return;
  }
  expect.fail("expected CORRUPT_MESSAGE");
}

// Expected bytes computed independently with arbitrary-precision integers:
// zigzag (n << 1) ^ (n >> 63), then little-endian 7-bit groups.
const VARINTS: [number, string][] = [
  [0, "00"],
  [-1, "01"],
  [1, "02"],
  [63, "7e"],
  [-64, "7f"],
  [64, "8001"],
  [-65, "8101"],
  [2147483647, "feffffff0f"],
  [-2147483648, "ffffffff0f"],
];

const VARLONGS: [number, string][] = [
  ...VARINTS,
  [2147483648, "8080808010"],
  [-2147483649, "8180808010"],
  [2 ** 35, "808080808002"],
  [1509928155660, "98e8d9ebf157"],
  [-1509928155660, "97e8d9ebf157"],
  [Number.MAX_SAFE_INTEGER, "feffffffffffff1f"],
  [-Number.MAX_SAFE_INTEGER, "fdffffffffffff1f"],
];

describe("varint", () => {
  it.each(VARINTS)("encodes %d as %s and back", (n, h) => {
    expect(hex(new ByteWriter().varint(n).finish())).toBe(h);
    expect(varintSize(n)).toBe(h.length / 2);
    const r = new ByteReader(bytes(h));
    expect(r.varint()).toBe(n);
    expect(r.remaining).toBe(0);
  });

  it("round-trips a sweep of int32 values", () => {
    const w = new ByteWriter(4);
    const values: number[] = [];
    for (let e = 0; e < 31; e++) for (const v of [2 ** e - 1, 2 ** e, -(2 ** e), -(2 ** e) - 1]) values.push(v | 0);
    for (const v of values) w.varint(v);
    const r = new ByteReader(w.finish());
    for (const v of values) expect(r.varint()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it("rejects non-int32 input on write", () => {
    expect(() => new ByteWriter().varint(2 ** 31)).toThrow(RangeError);
    expect(() => new ByteWriter().varint(1.5)).toThrow(RangeError);
  });

  it("throws CORRUPT_MESSAGE on truncation and on more than 5 bytes", () => {
    expectCorrupt(() => new ByteReader(bytes("")).varint());
    expectCorrupt(() => new ByteReader(bytes("8080")).varint());
    expectCorrupt(() => new ByteReader(bytes("ffffffffff01")).varint());
  });
});

describe("varlong", () => {
  it.each(VARLONGS)("encodes %d as %s and back", (n, h) => {
    expect(hex(new ByteWriter().varlong(n).finish())).toBe(h);
    expect(varlongSize(n)).toBe(h.length / 2);
    const r = new ByteReader(bytes(h));
    expect(r.varlong()).toBe(n);
    expect(r.remaining).toBe(0);
  });

  it("round-trips powers of two and their neighbours up to 2^53", () => {
    const w = new ByteWriter(8);
    const values: number[] = [];
    for (let e = 0; e <= 53; e++) {
      for (const v of [2 ** e - 1, 2 ** e, -(2 ** e), -(2 ** e) + 1]) if (Number.isSafeInteger(v)) values.push(v);
    }
    for (const v of values) w.varlong(v);
    const out = w.finish();
    expect(out.length).toBe(values.reduce((s, v) => s + varlongSize(v), 0));
    const r = new ByteReader(out);
    for (const v of values) expect(r.varlong()).toBe(v);
  });

  it("rejects unsafe numbers on write", () => {
    expect(() => new ByteWriter().varlong(2 ** 53)).toThrow(RangeError);
    expect(() => new ByteWriter().varlong(0.5)).toThrow(RangeError);
  });

  it("throws CORRUPT_MESSAGE for values beyond ±MAX_SAFE_INTEGER", () => {
    expectCorrupt(() => new ByteReader(bytes("8080808080808020")).varlong()); // 2^53 (zigzag 2^54)
    expectCorrupt(() => new ByteReader(bytes("ffffffffffffff1f")).varlong()); // -2^53 (zigzag 2^54 - 1)
    expectCorrupt(() => new ByteReader(bytes("feffffffffffffffff01")).varlong()); // Long.MAX_VALUE
    expectCorrupt(() => new ByteReader(bytes("ffffffffffffffffff01")).varlong()); // Long.MIN_VALUE
  });

  it("throws CORRUPT_MESSAGE on truncation and on more than 10 bytes", () => {
    expectCorrupt(() => new ByteReader(bytes("")).varlong());
    expectCorrupt(() => new ByteReader(bytes("ffffff")).varlong());
    expectCorrupt(() => new ByteReader(bytes("ffffffffffff")).varlong());
    expectCorrupt(() => new ByteReader(bytes("ffffffffffffffffffff01")).varlong());
  });
});

describe("ByteWriter / ByteReader fixed width", () => {
  it("writes big-endian and reads it back", () => {
    const w = new ByteWriter(1)
      .int8(-2)
      .int16(-2)
      .int32(-2)
      .uint32(0xfffffffe)
      .int64(-2)
      .int64(1509928155660)
      .int64(Number.MAX_SAFE_INTEGER)
      .int64(-Number.MAX_SAFE_INTEGER);
    const out = w.finish();
    expect(hex(out)).toBe(
      "fe" +
        "fffe" +
        "fffffffe" +
        "fffffffe" +
        "fffffffffffffffe" +
        "0000015f8ebb3a0c" +
        "001fffffffffffff" +
        "ffe0000000000001",
    );
    const r = new ByteReader(out);
    expect([r.int8(), r.int16(), r.int32(), r.uint32(), r.int64(), r.int64(), r.int64(), r.int64()]).toEqual([
      -2,
      -2,
      -2,
      0xfffffffe,
      -2,
      1509928155660,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]);
  });

  it("grows past its initial capacity and finishes at exact length", () => {
    const w = new ByteWriter(16);
    const chunk = Uint8Array.from({ length: 100 }, (_, i) => i);
    for (let i = 0; i < 10; i++) w.bytes(chunk);
    const out = w.finish();
    expect(out.length).toBe(1000);
    expect(out[999]).toBe(99);
  });

  it("returns its own buffer without a copy when exactly full", () => {
    const w = new ByteWriter(16);
    for (let i = 0; i < 4; i++) w.int32(i);
    const a = w.finish();
    expect(a.length).toBe(16);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(16);
  });

  it("rejects int64 values outside the safe range on read", () => {
    expectCorrupt(() => new ByteReader(bytes("0020000000000000")).int64()); // 2^53
    expectCorrupt(() => new ByteReader(bytes("7fffffffffffffff")).int64());
    expectCorrupt(() => new ByteReader(bytes("8000000000000000")).int64());
    expectCorrupt(() => new ByteReader(bytes("ffe0000000000000")).int64()); // -2^53
    expect(() => new ByteWriter().int64(2 ** 53)).toThrow(RangeError);
  });

  it("throws CORRUPT_MESSAGE reading past the end, leaving the position", () => {
    const r = new ByteReader(bytes("000102"));
    expectCorrupt(() => r.int32());
    expect(r.pos).toBe(0);
    expect(r.int16()).toBe(1);
    expectCorrupt(() => r.int16());
    expectCorrupt(() => r.bytes(2));
    expectCorrupt(() => r.bytes(-1));
    expect(r.bytes(1)).toEqual(bytes("02"));
    expectCorrupt(() => r.int8());
  });

  it("reads within [pos, end) of a subarray view", () => {
    const backing = bytes("ff00000007ff");
    const view = backing.subarray(1, 5);
    expect(new ByteReader(view).int32()).toBe(7);
    const r = new ByteReader(backing, 1, 3);
    expect(r.int16()).toBe(0);
    expectCorrupt(() => r.int8());
  });

  it("bytes() returns a view, not a copy", () => {
    const buf = bytes("01020304");
    const b = new ByteReader(buf, 1).bytes(2);
    buf[1] = 9;
    expect(b[0]).toBe(9);
  });
});

describe("utf8", () => {
  const samples = ["", "plain", "ключ", "キー", "emoji 🎉", "mixed é🎉x", "\ud800 lone", "tail \udc00"];
  it.each(samples)("length and bytes match TextEncoder for %j", (s) => {
    const expected = new TextEncoder().encode(s);
    expect(utf8Length(s)).toBe(expected.length);
    const out = new ByteWriter(2).utf8(s, utf8Length(s)).finish();
    expect(hex(out)).toBe(hex(expected));
    expect(new ByteReader(out).utf8(out.length)).toBe(new TextDecoder().decode(expected));
  });
});
