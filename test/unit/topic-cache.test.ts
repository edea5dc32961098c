// The one topic-metadata cache (router, coordinator, mirror, SDK): freshness, refresh on a missing
// partition, failed loads forgotten, and shared loads where they are allowed.

import { describe, expect, it } from "vitest";
import { TopicCache } from "../../src/protocol/topic-cache.js";

interface T {
  name: string;
  partitions: number;
}

function setup(shareLoads = false) {
  let now = 0;
  let partitions = 2;
  let loads = 0;
  const cache = new TopicCache<T>({ ttlMs: 1_000, partitions: (t) => t.partitions, shareLoads, now: () => now });
  const load = async () => {
    loads++;
    return { name: "t", partitions };
  };
  return {
    cache,
    load,
    loads: () => loads,
    advance: (ms: number) => (now += ms),
    grow: (n: number) => (partitions = n),
  };
}

describe("TopicCache", () => {
  it("answers from the cache until the TTL passes, and loads again when asked fresh", async () => {
    const s = setup();
    await s.cache.get("t", s.load);
    s.advance(999);
    await s.cache.get("t", s.load);
    expect(s.loads()).toBe(1);
    await s.cache.get("t", s.load, true);
    expect(s.loads()).toBe(2);
    s.advance(1_000);
    await s.cache.get("t", s.load);
    expect(s.loads()).toBe(3);
  });

  it("loads a topic that lacks the partition asked once more, then refuses with UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const s = setup();
    await s.cache.get("t", s.load);
    s.grow(4);
    expect((await s.cache.withPartition("t", 3, s.load)).partitions).toBe(4);
    expect(s.loads()).toBe(2);
    await expect(s.cache.withPartition("t", 4, s.load)).rejects.toMatchObject({
      code: "UNKNOWN_TOPIC_OR_PARTITION",
      message: "topic t has partitions 0..3; there is no partition 4",
    });
    expect(s.loads()).toBe(3);
  });

  it("forgets what it held when a load fails", async () => {
    const s = setup();
    await s.cache.get("t", s.load);
    s.advance(2_000);
    await expect(s.cache.get("t", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(s.cache.peek("t")).toBeUndefined();
  });

  it("shares one load between concurrent misses only when asked to", async () => {
    const shared = setup(true);
    await Promise.all([shared.cache.get("t", shared.load), shared.cache.get("t", shared.load)]);
    expect(shared.loads()).toBe(1);
    const apart = setup(false);
    await Promise.all([apart.cache.get("t", apart.load), apart.cache.get("t", apart.load)]);
    expect(apart.loads()).toBe(2);
  });
});
