// The console's routing, grants preview and offset-reset preview, in Node.

import { describe, expect, it } from "vitest";
import { effectiveOperations, previewGrants } from "../../src/console/grants.js";
import { previewReset } from "../../src/console/records/reset-preview.js";
import { href, matchPath, parseHash } from "../../src/console/router.js";

describe("fragment routes", () => {
  it("parses paths and queries, matches patterns, and builds links that round-trip", () => {
    const loc = parseHash("#/topics/a%20b/messages?p=2");
    expect(loc.path).toBe("/topics/a%20b/messages");
    expect(loc.query.get("p")).toBe("2");
    expect(parseHash("").path).toBe("/");
    expect(matchPath("/topics/:topic/messages", loc.path)).toEqual({ topic: "a b" });
    expect(matchPath("/topics/:topic", loc.path)).toBeNull();
    expect(matchPath("/topics/:topic", "/topics/%E0%A4%A")).toBeNull();
    const link = href("/topics/:topic", { topic: "orders.eu/x" }, { tab: "1" });
    expect(link).toBe("#/topics/orders.eu%2Fx?tab=1");
    expect(matchPath("/topics/:topic", parseHash(link).path)).toEqual({ topic: "orders.eu/x" });
  });
});

describe("grants preview", () => {
  it("applies Kafka's implications: admin implies all, produce and consume imply describe", () => {
    expect(effectiveOperations(["admin"])).toEqual(["produce", "consume", "describe", "admin"]);
    expect(effectiveOperations(["produce"])).toEqual(["produce", "describe"]);
    expect(effectiveOperations(["describe"])).toEqual(["describe"]);
  });
  it("says what each grant matches and allows", () => {
    expect(
      previewGrants([
        { resource: "topic:orders.*", operations: ["produce"] },
        { resource: "group:*", operations: ["consume"] },
        { resource: "cluster", operations: ["describe"] },
        { resource: "table:x", operations: ["describe"] },
      ]),
    ).toEqual([
      'On every topic whose name starts with "orders.": produce records; see it in listings, describe its partitions and look up offsets (produce, describe)',
      "On every consumer group: join it, commit offsets and reset them; see its members, committed offsets and lag (consume, describe)",
      "On the cluster: list tokens and mirrors (describe)",
      'On unknown resource "table:x" (the API will refuse it): describe (no meaning on a table) (describe)',
    ]);
  });
});

describe("offset reset preview", () => {
  const offsets: Record<string, number> = { earliest: 5, latest: 40, "1000": 17 };
  const offsetAt = async (_t: string, p: number, at: "earliest" | "latest" | number) => offsets[String(at)]! + p;
  const committed = (_t: string, p: number) => (p === 0 ? 30 : null);

  it("gives each partition's new offset as the coordinator would", async () => {
    const topics = [{ name: "orders", partitions: 2 }];
    expect(await previewReset(topics, "earliest", committed, offsetAt)).toEqual([
      { topic: "orders", partition: 0, committed: 30, next: 5 },
      { topic: "orders", partition: 1, committed: null, next: 6 },
    ]);
    expect((await previewReset(topics, { timestamp: 1000 }, committed, offsetAt)).map((r) => r.next)).toEqual([17, 18]);
    expect(await previewReset(topics, { offset: 40 }, committed, offsetAt)).toEqual([
      { topic: "orders", partition: 0, committed: 30, next: 40 },
      { topic: "orders", partition: 1, committed: null, next: 40 },
    ]);
  });
  it("marks an explicit offset beyond a partition's high watermark, which the API refuses", async () => {
    const rows = await previewReset([{ name: "orders", partitions: 2 }], { offset: 41 }, committed, offsetAt);
    expect(rows.map((r) => r.problem)).toEqual(["beyond the high watermark 40", undefined]);
  });
});
