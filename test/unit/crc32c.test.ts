import { describe, expect, it } from "vitest";
import { crc32c } from "../../src/protocol/crc32c.js";

const ascii = (s: string) => new TextEncoder().encode(s);

// Reference values: the CRC-32C check value ("123456789") and RFC 3720 appendix B.4.
describe("crc32c", () => {
  it("matches the CRC-32C check value", () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
  });

  it("matches the RFC 3720 B.4 vectors", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it("is 0 for no bytes and unsigned for every input", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    for (let n = 0; n < 64; n++) {
      const c = crc32c(Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThan(2 ** 32);
    }
  });

  it("agrees with a bytewise reference at every length and alignment", () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 13) {
        expect(crc32c(data, start, end)).toBe(bitwise(data.subarray(start, end)));
      }
    }
  });

  it("covers only [start, end) and respects subarray views", () => {
    const data = ascii("xx123456789yy");
    expect(crc32c(data, 2, 11)).toBe(0xe3069283);
    expect(crc32c(data.subarray(2, 11))).toBe(0xe3069283);
  });

  it("rejects a range outside the buffer", () => {
    expect(() => crc32c(new Uint8Array(4), 0, 5)).toThrow(RangeError);
    expect(() => crc32c(new Uint8Array(4), 3, 2)).toThrow(RangeError);
  });
});

/** Bit-at-a-time CRC-32C: slow, but obviously the textbook algorithm. */
function bitwise(data: Uint8Array): number {
  let crc = ~0;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}
