// One spec, every assignor: each partition assigned exactly once to a subscriber, balance, determinism;
// plus minimal movement for sticky.

import { describe, expect, it } from "vitest";
import { ASSIGNORS } from "../../src/coordinator/assignors/index.js";
import type {
  Assignment,
  AssignorInput,
  AssignorMember,
  TopicPartition,
} from "../../src/coordinator/assignors/types.js";
import { rng } from "../support/random.js";

const key = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

function members(n: number, topics: string[], prefix = "m"): AssignorMember[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, instanceId: null, topics }));
}

function input(
  ms: AssignorMember[],
  partitions: Record<string, number>,
  previous: Assignment = new Map(),
): AssignorInput {
  return { members: ms, partitions: new Map(Object.entries(partitions)), previous };
}

/** Every partition of a subscribed topic is assigned exactly once, and only to a subscriber. */
function expectComplete(inp: AssignorInput, out: Assignment) {
  expect([...out.keys()].sort()).toEqual(inp.members.map((m) => m.id).sort());
  const seen = new Map<string, string>();
  for (const [id, tps] of out) {
    const m = inp.members.find((x) => x.id === id)!;
    for (const tp of tps) {
      expect(seen.has(key(tp)), `${key(tp)} assigned twice`).toBe(false);
      seen.set(key(tp), id);
      expect(m.topics).toContain(tp.topic);
    }
  }
  const subscribed = new Set(inp.members.flatMap((m) => m.topics));
  const expected = [...inp.partitions]
    .filter(([t]) => subscribed.has(t))
    .flatMap(([topic, n]) => Array.from({ length: n }, (_, partition) => key({ topic, partition })));
  expect([...seen.keys()].sort()).toEqual(expected.sort());
}

function spread(counts: number[]) {
  return Math.max(...counts) - Math.min(...counts);
}

const CASES = Object.entries(ASSIGNORS);

describe.each(CASES)("assignor %s", (name, assign) => {
  it("assigns every partition exactly once, to subscribers, balanced within one (one topic)", () => {
    for (const n of [1, 2, 3, 4, 5, 7, 12]) {
      for (const p of [1, 3, 6, 10, 64]) {
        const inp = input(members(n, ["a"]), { a: p });
        const out = assign(inp);
        expectComplete(inp, out);
        expect(spread([...out.values()].map((l) => l.length))).toBeLessThanOrEqual(1);
      }
    }
  });

  it("balances several topics within one (range: within one per topic, to keep co-partitioning)", () => {
    const random = rng(7);
    for (let round = 0; round < 40; round++) {
      const topics = ["a", "b", "c"].slice(0, 1 + Math.floor(random() * 3));
      const partitions = Object.fromEntries(topics.map((t) => [t, 1 + Math.floor(random() * 9)]));
      const inp = input(members(1 + Math.floor(random() * 6), topics), partitions);
      const out = assign(inp);
      expectComplete(inp, out);
      if (name === "range") {
        for (const t of topics) {
          expect(spread([...out.values()].map((l) => l.filter((tp) => tp.topic === t).length))).toBeLessThanOrEqual(1);
        }
      } else {
        expect(spread([...out.values()].map((l) => l.length))).toBeLessThanOrEqual(1);
      }
    }
  });

  it("gives partitions only to subscribers when subscriptions differ, and none of unknown topics", () => {
    const random = rng(11);
    for (let round = 0; round < 40; round++) {
      const ms = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => ({
        id: `m${i}`,
        instanceId: null,
        topics: ["a", "b", "c", "gone"].filter(() => random() < 0.6),
      }));
      const inp = input(ms, { a: 1 + Math.floor(random() * 8), b: 1 + Math.floor(random() * 8), c: 3 });
      expectComplete(inp, assign(inp));
    }
  });

  it("is deterministic and independent of member order", () => {
    const ms = members(4, ["a", "b"]);
    const one = assign(input(ms, { a: 7, b: 5 }));
    const two = assign(input([...ms].reverse(), { a: 7, b: 5 }));
    expect(two).toEqual(one);
  });

  it("handles an empty group and a topic with more members than partitions", () => {
    expect(assign(input([], { a: 3 })).size).toBe(0);
    const inp = input(members(5, ["a"]), { a: 2 });
    const out = assign(inp);
    expectComplete(inp, out);
    expect([...out.values()].filter((l) => l.length === 1)).toHaveLength(2);
  });

  it("orders static members by instance id, so a restarted one (new member id) gets the same partitions", () => {
    const before = [
      { id: "x", instanceId: "i-2", topics: ["a"] },
      { id: "y", instanceId: "i-1", topics: ["a"] },
    ];
    const first = assign(input(before, { a: 4 }));
    const after = [{ ...before[0]!, id: "z" }, before[1]!];
    const second = assign(
      input(
        after,
        { a: 4 },
        new Map([
          ["z", first.get("x")!],
          ["y", first.get("y")!],
        ]),
      ),
    );
    expect(second.get("z")).toEqual(first.get("x"));
    expect(second.get("y")).toEqual(first.get("y"));
  });
});

/** The fewest partitions that must change owner: members above their fair share give up the excess. */
function minimalMoves(prev: Assignment, next: AssignorMember[], total: number): number {
  const counts = next.map((m) => prev.get(m.id)?.length ?? 0).sort((a, b) => b - a);
  const base = Math.floor(total / next.length);
  const extra = total % next.length;
  return counts.reduce((sum, c, i) => sum + Math.max(0, c - (base + (i < extra ? 1 : 0))), 0);
}

function moved(prev: Assignment, next: Assignment): number {
  const owner = new Map<string, string>();
  for (const [id, tps] of prev) for (const tp of tps) owner.set(key(tp), id);
  let n = 0;
  for (const [id, tps] of next)
    for (const tp of tps) if (owner.has(key(tp)) && owner.get(key(tp)) !== id && next.has(owner.get(key(tp))!)) n++;
  return n;
}

describe("sticky assignor", () => {
  const assign = ASSIGNORS.sticky;

  it("moves the minimal number of partitions as members join and leave in random order", () => {
    const random = rng(3);
    let ms = members(3, ["a", "b"]);
    let next = 3;
    const partitions = { a: 12, b: 5 };
    let current = assign(input(ms, partitions));
    for (let step = 0; step < 60; step++) {
      if (ms.length > 1 && random() < 0.45) ms = ms.filter((_, i) => i !== Math.floor(random() * ms.length));
      else ms = [...ms, { id: `m${next++}`, instanceId: null, topics: ["a", "b"] }];
      const after = assign(input(ms, partitions, current));
      expectComplete(input(ms, partitions), after);
      expect(spread([...after.values()].map((l) => l.length))).toBeLessThanOrEqual(1);
      const survivors = new Map([...current].filter(([id]) => after.has(id)));
      expect(moved(survivors, after)).toBe(minimalMoves(survivors, ms, 17));
      current = after;
    }
  });

  it("keeps every partition in place when only new partitions appear", () => {
    const ms = members(3, ["a"]);
    const before = assign(input(ms, { a: 6 }));
    const after = assign(input(ms, { a: 9 }, before));
    for (const [id, tps] of before) expect(after.get(id)).toEqual(expect.arrayContaining(tps));
    expect(spread([...after.values()].map((l) => l.length))).toBe(0);
  });
});
