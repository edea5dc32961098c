import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey, toPositive } from "../../src/protocol/murmur2.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

// Exactly the cases of apache/kafka UtilsTest.testMurmur2
// (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
const KAFKA_VECTORS: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

// librdkafka's unittest_murmurhashneutral2 (src/rdmurmur2.c) lists these as the
// Java client's results after toPositive; they add a key with one trailing byte.
const LIBRDKAFKA_POSITIVE: [string, number][] = [
  ["kafka", 1348980580],
  ["amqp", 767747138],
  ["giberish123456789", 257239820],
];

describe("murmur2", () => {
  it.each(KAFKA_VECTORS)("murmur2(%j) is Kafka's %d", (key, expected) => {
    expect(murmur2(utf8(key))).toBe(expected);
  });

  it.each(LIBRDKAFKA_POSITIVE)("toPositive(murmur2(%j)) is %d", (key, expected) => {
    expect(toPositive(murmur2(utf8(key)))).toBe(expected);
  });

  it("returns a signed int32", () => {
    for (let n = 0; n < 40; n++) {
      const h = murmur2(Uint8Array.from({ length: n }, (_, i) => (i * 53 + n) & 0xff));
      expect(h).toBe(h | 0);
    }
  });

  it("toPositive clears the sign bit rather than negating", () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});

describe("partitionForKey", () => {
  // Derived with Kafka's BuiltInPartitioner.partitionForKey formula,
  // Utils.toPositive(Utils.murmur2(key)) % numPartitions, applied to the
  // UtilsTest hashes above (in Java: (hash & 0x7fffffff) % n), e.g. "foobar":
  // -790332482 & 0x7fffffff = 1357151166, and 1357151166 % 50 = 16.
  const cases: [string, number, number][] = [
    ["21", 12, 0],
    ["21", 50, 40],
    ["foobar", 12, 6],
    ["foobar", 50, 16],
    ["foobar", 100, 66],
    ["a-little-bit-long-string", 3, 2],
    ["a-little-bit-longer-string", 6, 5],
    ["a-little-bit-longer-string", 12, 11],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 100, 77],
    ["abc", 6, 3],
    ["abc", 50, 7],
  ];
  it.each(cases)("%j over %d partitions is %d", (key, n, expected) => {
    expect(partitionForKey(utf8(key), n)).toBe(expected);
  });

  it("maps everything to 0 with one partition", () => {
    expect(partitionForKey(utf8("foobar"), 1)).toBe(0);
  });

  it("rejects a partition count below 1", () => {
    expect(() => partitionForKey(utf8("k"), 0)).toThrow(RangeError);
    expect(() => partitionForKey(utf8("k"), 1.5)).toThrow(RangeError);
  });
});
