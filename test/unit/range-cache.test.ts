import { describe, expect, it } from "vitest";
import { RangeCache } from "../../src/archive/range-cache.js";

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe("the archived range cache", () => {
  it("answers a range read again, and a shorter one from the same position", () => {
    const c = new RangeCache(1000);
    c.put("a", 10, bytes(100, 7));
    expect(c.get("a", 10, 100)).toEqual(bytes(100, 7));
    expect(c.get("a", 10, 40)).toEqual(bytes(40, 7));
    expect(c.get("a", 10, 101)).toBeUndefined();
    expect(c.get("a", 11, 10)).toBeUndefined();
    expect(c.get("b", 10, 10)).toBeUndefined();
  });

  it("never holds more than its bound, evicting the least recently read first", () => {
    const c = new RangeCache(1000);
    for (let i = 0; i < 4; i++) c.put("a", i * 250, bytes(250, i));
    expect(c.size).toBe(1000);
    c.get("a", 0, 250); // now the most recently read
    c.put("b", 0, bytes(250));
    expect(c.size).toBe(1000);
    expect(c.get("a", 250, 250)).toBeUndefined();
    expect(c.get("a", 0, 250)).toEqual(bytes(250, 0));
    for (let i = 0; i < 50; i++) c.put("c", i, bytes(1 + (i % 200)));
    expect(c.size).toBeLessThanOrEqual(1000);
  });

  it("does not keep a range larger than a quarter of its bound (a scan would flush it)", () => {
    const c = new RangeCache(1000);
    c.put("a", 0, bytes(251));
    expect(c.size).toBe(0);
    expect(c.get("a", 0, 251)).toBeUndefined();
  });

  it("drops every range of an object, and only that object's", () => {
    const c = new RangeCache(1000);
    c.put("a", 0, bytes(100));
    c.put("a", 100, bytes(100));
    c.put("b", 0, bytes(50));
    expect(c.bytesOf("a")).toBe(200);
    c.drop(["a"]);
    expect(c.bytesOf("a")).toBe(0);
    expect(c.get("a", 0, 100)).toBeUndefined();
    expect(c.size).toBe(50);
    expect(c.get("b", 0, 50)).toBeDefined();
  });
});
