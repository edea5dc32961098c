// The one backoff formula: exponential bounds, capped, and full jitter over the whole bound.

import { describe, expect, it } from "vitest";
import { backoffBound, fullJitter } from "../../src/protocol/backoff.js";

const b = { initialMs: 50, maxMs: 5_000 };

describe("backoff", () => {
  it("doubles the bound from initialMs and caps it at maxMs", () => {
    expect([0, 1, 2, 3].map((n) => backoffBound(n, b))).toEqual([50, 100, 200, 400]);
    expect(backoffBound(7, b)).toBe(5_000);
    expect(backoffBound(10_000, b)).toBe(5_000);
  });

  it("draws a full-jitter wait anywhere in [0, bound)", () => {
    expect(fullJitter(3, b, () => 0)).toBe(0);
    expect(fullJitter(3, b, () => 0.25)).toBe(100);
    expect(fullJitter(3, b, () => 0.9999)).toBe(399);
    for (let i = 0; i < 100; i++) {
      const d = fullJitter(2, b);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(200);
    }
  });
});
