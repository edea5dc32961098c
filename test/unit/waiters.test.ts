import { describe, expect, it } from "vitest";
import { Waiters } from "../../src/partition/waiters.js";

describe("long-poll waiters", () => {
  it("wakes every waiter on notify", async () => {
    const w = new Waiters(10);
    const a = w.wait(10_000);
    const b = w.wait(10_000);
    expect(w.size).toBe(2);
    w.notifyAll();
    expect(await Promise.all([a, b])).toEqual([true, true]);
    expect(w.size).toBe(0);
  });

  it("times out with false", async () => {
    const w = new Waiters(10);
    expect(await w.wait(5)).toBe(false);
    expect(w.size).toBe(0);
  });

  it("answers at once when the bound is reached instead of queueing more", async () => {
    const w = new Waiters(2);
    const held = [w.wait(10_000), w.wait(10_000)];
    expect(await w.wait(10_000)).toBe(false);
    expect(w.size).toBe(2);
    w.notifyAll();
    await Promise.all(held);
  });

  it("cancels one named wait, even when the cancel arrives first", async () => {
    const w = new Waiters(10);
    const named = w.wait(10_000, "poll-1");
    const other = w.wait(50, "poll-2");
    w.cancel("poll-1");
    expect(await named).toBe(true);
    expect(await other).toBe(false);
    w.cancel("poll-3");
    expect(await w.wait(10_000, "poll-3")).toBe(true);
  });
});
