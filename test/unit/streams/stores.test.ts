// State stores in Node: the bytes store spec against the in-memory store, and the typed window and
// session stores' key layouts (what range fetches and session merges rely on).

import { describe, expect, it } from "vitest";
import { Serdes } from "../../../src/streams/serdes.js";
import { MemoryBytesStore } from "../../../src/streams/state/memory.js";
import { KeyValueStoreImpl } from "../../../src/streams/state/stores.js";
import { SessionStoreImpl, WindowStoreImpl } from "../../../src/streams/state/windowed-stores.js";
import { BYTES_STORE_CASES } from "../../support/bytes-store-cases.js";

describe("MemoryBytesStore", () => {
  it.each(BYTES_STORE_CASES)("%s", (_name, run) => run(() => new MemoryBytesStore()));
});

const ctx = { recordTimestamp: () => 42 };
const logged: [string, unknown][] = [];
const logger = {
  log: (k: Uint8Array, v: Uint8Array | null) =>
    logged.push([new TextDecoder().decode(k), v && new TextDecoder().decode(v)]),
};

describe("typed stores", () => {
  it("key-value: every write and delete reaches the changelog; ranges follow the serialized keys", () => {
    logged.length = 0;
    const s = new KeyValueStoreImpl(
      "kv",
      new MemoryBytesStore(),
      logger,
      ctx,
      "kv",
      Serdes.String(),
      Serdes.JSON<number>(),
    );
    s.put("b", 2);
    s.put("a", 1);
    s.put("c", 3);
    expect(s.getWithTimestamp("a")).toEqual({ value: 1, timestamp: 42 });
    expect(s.range("a", "b").map((e) => e.key)).toEqual(["a", "b"]);
    expect(s.delete("b")).toBe(2);
    expect(s.putIfAbsent("a", 9)).toBe(1);
    expect(s.all()).toEqual([
      { key: "a", value: 1 },
      { key: "c", value: 3 },
    ]);
    expect(logged).toEqual([
      ["b", "2"],
      ["a", "1"],
      ["c", "3"],
      ["b", null],
    ]);
  });

  it("window: one key's windows are one range, whatever other keys share its prefix", () => {
    const s = new WindowStoreImpl(
      "w",
      new MemoryBytesStore(),
      null,
      ctx,
      "w",
      Serdes.String(),
      Serdes.JSON<number>(),
      10,
      false,
    );
    s.put("a", 1, 0);
    s.put("a", 2, 10);
    s.put("ab", 3, 10); // "ab" starts with "a": a naive prefix scan would mix it in
    s.put("a", 4, 20);
    expect(s.fetchRange("a", 5, 20).map((e) => [e.start, e.value])).toEqual([
      [10, 2],
      [20, 4],
    ]);
    expect(s.fetch("ab", 10)).toBe(3);
    s.expireBefore(10);
    expect(s.all().map((e) => [e.key.key, e.key.window.start, e.key.window.end])).toEqual([
      ["a", 10, 20],
      ["a", 20, 30],
      ["ab", 10, 20],
    ]);
  });

  it("window with duplicates: equal (key, start) pairs are kept apart by sequence number", () => {
    const s = new WindowStoreImpl(
      "j",
      new MemoryBytesStore(),
      null,
      ctx,
      "j",
      Serdes.String(),
      Serdes.String(),
      0,
      true,
    );
    s.put("k", "x", 5, 5, 1);
    s.put("k", "y", 5, 5, 2);
    expect(s.fetchRangeWithSeq("k", 0, 10).map((e) => [e.value, e.seq])).toEqual([
      ["x", 1],
      ["y", 2],
    ]);
  });

  it("session: finds the sessions of a key that end after a time and start before another", () => {
    const s = new SessionStoreImpl("s", new MemoryBytesStore(), null, ctx, "s", Serdes.String(), Serdes.JSON<number>());
    s.put({ key: "u", window: { start: 0, end: 10 } }, 1);
    s.put({ key: "u", window: { start: 50, end: 60 } }, 2);
    s.put({ key: "v", window: { start: 0, end: 100 } }, 3);
    expect(s.findSessions("u", 5, 55).map((e) => e.value)).toEqual([1, 2]);
    expect(s.findSessions("u", 11, 100).map((e) => e.value)).toEqual([2]);
    expect(s.findSessions("u", 0, 5).map((e) => e.value)).toEqual([1]);
    s.remove({ key: "u", window: { start: 0, end: 10 } });
    expect(s.fetch("u").map((e) => e.key.window)).toEqual([{ start: 50, end: 60 }]);
  });
});
