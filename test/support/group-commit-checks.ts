// What every request merged by group commit must see, whatever was merged: checked the same way in
// the integration (Workers pool) and e2e (wrangler dev) group-commit tests.

import { expect } from "vitest";

/** One produce request's values and the offsets its reply gave them. */
export interface ProduceReply {
  values: string[];
  offsets: number[];
}

/**
 * Offsets are dense over all requests and contiguous within each; each idempotent producer's
 * offsets (`perProducer`) rise in send order; the log holds every value where its reply said.
 */
export function expectOwnOutcomes(
  replies: readonly ProduceReply[],
  perProducer: readonly number[][],
  log: readonly { value: unknown }[],
): void {
  for (const mine of perProducer) expect(mine).toEqual([...mine].sort((a, b) => a - b));
  const all = replies.flatMap((r) => r.offsets).sort((a, b) => a - b);
  expect(all).toEqual(all.map((_, i) => i));
  for (const r of replies) expect(r.offsets).toEqual(r.offsets.map((_, j) => r.offsets[0]! + j));
  expect(log.length).toBe(all.length);
  for (const r of replies) r.offsets.forEach((o, j) => expect(log[o]!.value).toBe(r.values[j]));
}
