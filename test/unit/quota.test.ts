import { expect, it } from "vitest";
import { TokenBucket } from "../../src/auth/quota.js";

it("admits while not in debt, charges after, and waits out the debt at the configured rate", () => {
  const b = new TokenBucket(1_000, 0);
  expect(b.waitSeconds(0)).toBe(0);
  b.charge(3_500, 0); // one second's allowance, overdrawn by 2,500 bytes
  expect(b.waitSeconds(0)).toBe(3);
  expect(b.waitSeconds(1_000)).toBe(2);
  expect(b.waitSeconds(2_499)).toBe(1);
  expect(b.waitSeconds(2_500)).toBe(0);
});

it("never saves up more than one second of traffic", () => {
  const b = new TokenBucket(1_000, 0);
  b.charge(1_000, 60_000); // an hour idle still allows only 1,000 bytes
  b.charge(1, 60_000);
  expect(b.waitSeconds(60_000)).toBe(1);
});
