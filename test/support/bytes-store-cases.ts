// One spec for every BytesStore (memory in Node, SQLite in a Durable Object): the same cases run
// against each implementation (test/unit/streams/stores.test.ts, test/integration/streams-worker.test.ts).

import { expect } from "vitest";
import type { BytesStore } from "../../src/streams/state/bytes.js";

const b = (...xs: number[]) => new Uint8Array(xs);
const keys = (entries: Iterable<[Uint8Array, Uint8Array]>) => [...entries].map(([k]) => [...k]);

export const BYTES_STORE_CASES: [string, (make: () => BytesStore) => void][] = [
  [
    "gets, overwrites and deletes",
    (make) => {
      const s = make();
      expect(s.get(b(1))).toBeUndefined();
      s.put(b(1), b(10));
      s.put(b(1), b(11));
      expect([...s.get(b(1))!]).toEqual([11]);
      expect(s.count()).toBe(1);
      s.put(b(1), null);
      expect(s.get(b(1))).toBeUndefined();
      expect(s.count()).toBe(0);
      s.put(b(2), null); // deleting what is not there changes nothing
      expect(s.count()).toBe(0);
    },
  ],
  [
    "orders keys byte-wise (a shorter prefix first, 0xff after 0x7f)",
    (make) => {
      const s = make();
      for (const k of [b(2), b(1, 0), b(0xff), b(1), b(0x7f), b()]) s.put(k, b(0));
      expect(keys(s.range())).toEqual([[], [1], [1, 0], [2], [0x7f], [0xff]]);
    },
  ],
  [
    "ranges include both bounds; either bound may be left out",
    (make) => {
      const s = make();
      for (let i = 0; i < 10; i++) s.put(b(i), b(i));
      expect(keys(s.range(b(3), b(5)))).toEqual([[3], [4], [5]]);
      expect(keys(s.range(b(8)))).toEqual([[8], [9]]);
      expect(keys(s.range(undefined, b(1)))).toEqual([[0], [1]]);
      expect(keys(s.range(b(5), b(3)))).toEqual([]);
    },
  ],
  [
    "scans a prefix, including one ending in 0xff",
    (make) => {
      const s = make();
      for (const k of [b(1, 0xff), b(1, 0xff, 3), b(1, 0xfe), b(2), b(1)]) s.put(k, b(0));
      expect(keys(s.prefix(b(1, 0xff)))).toEqual([
        [1, 0xff],
        [1, 0xff, 3],
      ]);
      expect(keys(s.prefix(b(1)))).toEqual([[1], [1, 0xfe], [1, 0xff], [1, 0xff, 3]]);
    },
  ],
  [
    "lets the caller delete while it iterates a range",
    (make) => {
      const s = make();
      for (let i = 0; i < 6; i++) s.put(b(i), b(i));
      const seen: number[] = [];
      for (const [k] of s.range()) {
        seen.push(k[0]!);
        s.put(k, null);
      }
      expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
      expect(s.count()).toBe(0);
    },
  ],
  [
    "clears everything, and keeps values apart from the caller's buffers",
    (make) => {
      const s = make();
      const v = b(1, 2, 3);
      s.put(b(9), v);
      v[0] = 99;
      expect([...s.get(b(9))!]).toEqual([1, 2, 3]);
      s.clear();
      expect(s.count()).toBe(0);
      expect(keys(s.range())).toEqual([]);
    },
  ],
];
