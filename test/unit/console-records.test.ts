// The console's record logic in Node: JSON path filters, the key/value/header filters, decodings,
// JSON and CSV export, the budgeted scan and the paged topic search.

import { describe, expect, it } from "vitest";
import { show } from "../../src/console/records/decode.js";
import { toCsvExport, toJsonExport } from "../../src/console/records/export.js";
import { compileFilter } from "../../src/console/records/filter.js";
import { compileJsonPath, JsonPathError } from "../../src/console/records/jsonpath.js";
import { fromFetched, type ConsoleRecord } from "../../src/console/records/model.js";
import { scan } from "../../src/console/records/scan.js";
import { searchTopics } from "../../src/console/records/topic-search.js";

const text = new TextEncoder();
const rec = (
  offset: number,
  value: unknown,
  key: string | null = null,
  headers: [string, string][] = [],
  partition = 0,
): ConsoleRecord => ({
  partition,
  offset,
  timestamp: 1_767_225_600_000 + offset,
  key: key === null ? null : text.encode(key),
  value: value === null ? null : text.encode(typeof value === "string" ? value : JSON.stringify(value)),
  headers: headers.map(([k, v]) => [k, text.encode(v)]),
});

describe("JSON path filters", () => {
  const order = {
    item: "book",
    qty: 3,
    tags: ["a", "b"],
    user: { id: "u1" },
    "odd key": true,
    lines: [{ sku: "x" }, { sku: "y" }],
  };
  const cases: [string, boolean][] = [
    ["$.item", true],
    ["$.missing", false],
    ['$.item == "book"', true],
    ['$.item != "book"', false],
    ["$.qty > 2", true],
    ["$.qty >= 4", false],
    ["$.qty < 3", false],
    ["$.qty <= 3", true],
    ['$.tags ~= "b"', true],
    ['$.item ~= "oo"', true],
    ['$.user.id == "u1"', true],
    ['user.id == "u1"', true],
    ['$["odd key"] == true', true],
    ['$.lines[*].sku == "y"', true],
    ['$.lines[0].sku == "y"', false],
    ["$.tags[5]", false],
    ['$.qty == "3"', false],
  ];
  for (const [expr, want] of cases) it(`${expr} → ${want}`, () => expect(compileJsonPath(expr).test(order)).toBe(want));

  it("says where a bad expression went wrong", () => {
    expect(() => compileJsonPath("$.a ==")).toThrow(JsonPathError);
    expect(() => compileJsonPath("$.a == book")).toThrow(/JSON value/);
    expect(() => compileJsonPath("$.a[")).toThrow(/character 5/);
    expect(() => compileJsonPath("$.a =~ 1")).toThrow(/expected one of/);
  });
});

describe("record filters", () => {
  const records = [
    rec(0, { item: "book" }, "user-1", [["source", "web"]]),
    rec(1, "plain text", "USER-2"),
    rec(2, null, null, [["source", "app"]]),
    { ...rec(3, null, "bin"), value: new Uint8Array([0xff, 0xfe]) },
  ];
  const offsets = (spec: Parameters<typeof compileFilter>[0]) =>
    records.filter(compileFilter(spec)).map((r) => r.offset);

  it("matches keys and values as case-insensitive substrings", () => {
    expect(offsets({ key: "user" })).toEqual([0, 1]);
    expect(offsets({ value: "TEXT" })).toEqual([1]);
    expect(offsets({ value: "book" })).toEqual([0]);
  });
  it("matches JSON paths only on JSON values, and headers by name or name=text", () => {
    expect(offsets({ jsonPath: '$.item == "book"' })).toEqual([0]);
    expect(offsets({ header: "source" })).toEqual([0, 2]);
    expect(offsets({ header: "source=AP" })).toEqual([2]);
    expect(offsets({ header: "source=web", key: "user" })).toEqual([0]);
  });
  it("matches everything with no filter set", () => expect(offsets({ key: " " })).toEqual([0, 1, 2, 3]));
});

describe("decodings and exports", () => {
  const r = rec(7, { a: 1 }, "k", [["h", "v"]]);
  it("shows bytes as JSON, text, base64 and hex, and says when it cannot", () => {
    expect(show(r.value, "json").text).toBe('{"a":1}');
    expect(show(r.value, "json", true).text).toBe('{\n  "a": 1\n}');
    expect(show(r.value, "base64").text).toBe("eyJhIjoxfQ==");
    expect(show(r.value, "hex").text).toBe("7b22 6122 3a31 7d");
    expect(show(new Uint8Array([0xff]), "string")).toEqual({ text: "ff", note: "not UTF-8: hex" });
    expect(show(text.encode("nope"), "json")).toEqual({ text: "nope", note: "not JSON: text" });
  });
  it("reads format=binary fetch replies losslessly", () => {
    const x = fromFetched(2, {
      offset: 5,
      timestamp: 9,
      key_b64: "/w==",
      value: "AAE=",
      headers: { h: "v" },
      headers_b64: { b: "/w==" },
    });
    expect([...x.key!]).toEqual([255]);
    expect([...x.value!]).toEqual([0, 1]);
    expect(x.headers.map(([k, v]) => [k, [...v!]])).toEqual([
      ["h", [118]],
      ["b", [255]],
    ]);
  });
  it("exports JSON with JSON values embedded, and RFC 4180 CSV", () => {
    expect(JSON.parse(toJsonExport([r], "json"))).toEqual([
      { partition: 0, offset: 7, timestamp: r.timestamp, key: "k", value: { a: 1 }, headers: { h: "v" } },
    ]);
    const csv = toCsvExport([r, rec(8, 'say "hi", twice\nok', null)], "string");
    expect(csv).toBe(
      "partition,offset,timestamp,time,key,value,headers\r\n" +
        `0,7,${r.timestamp},2026-01-01T00:00:00.007Z,k,"{""a"":1}","{""h"":""v""}"\r\n` +
        `0,8,${r.timestamp + 1},2026-01-01T00:00:00.008Z,,"say ""hi"", twice\nok",\r\n`,
    );
  });
});

describe("scanning past the page", () => {
  // Two partitions of 1000 records each; every 100th record of partition 1 matches.
  const log = (p: number, o: number) => rec(o, { hit: p === 1 && o % 100 === 0 }, null, [], p);
  const fetchPage = async (p: number, offset: number, max: number) => {
    const end = Math.min(1000, offset + max);
    const records = [];
    for (let o = offset; o < end; o++) records.push(log(p, o));
    return { records, next_offset: end, high_watermark: 1000 };
  };
  const predicate = compileFilter({ jsonPath: "$.hit == true" });
  const from = new Map([
    [0, 0],
    [1, 0],
  ]);

  it("stops at the record budget and says so, resumable from its positions", async () => {
    const r = await scan({ from, fetchPage, predicate, want: 50, budget: 600, pageSize: 100 });
    expect(r.reason).toBe("budget");
    expect(r.scanned).toBe(600);
    expect(r.found.map((x) => x.offset)).toEqual([0, 100, 200]);
    expect([...r.positions]).toEqual([
      [0, 300],
      [1, 300],
    ]);
    const more = await scan({ from: r.positions, fetchPage, predicate, want: 50, budget: 10_000, pageSize: 500 });
    expect(more.reason).toBe("end");
    expect(more.found.map((x) => x.offset)).toEqual([300, 400, 500, 600, 700, 800, 900]);
  });
  it("stops once enough records match, and when stopped", async () => {
    const enough = await scan({ from, fetchPage, predicate, want: 2, budget: 10_000, pageSize: 100 });
    expect(enough.reason).toBe("enough");
    expect(enough.found).toHaveLength(2);
    const stop = new AbortController();
    const stopped = await scan({
      from,
      fetchPage,
      predicate,
      want: 50,
      budget: 10_000,
      pageSize: 100,
      signal: stop.signal,
      onProgress: (p) => p.scanned >= 300 && stop.abort(),
    });
    expect(stopped.reason).toBe("stopped");
    expect(stopped.scanned).toBe(300);
  });
});

describe("topic search over the paged listing", () => {
  const names = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, "0")}${i % 50 === 7 ? "-orders" : ""}`);
  const asked: (string | null)[] = [];
  const getPage = async (after: string | null) => {
    asked.push(after);
    const rest = names.filter((n) => after === null || n > after);
    const page = rest.slice(0, 100).map((name) => ({ name }));
    return { topics: page, next_after: rest.length > 100 ? page.at(-1)!.name : null };
  };

  it("reads pages until enough names match, then resumes from the cursor", async () => {
    asked.length = 0;
    const first = await searchTopics(getPage, "ORDERS", 2);
    expect(first.matches.map((t) => t.name)).toEqual(["t007-orders", "t057-orders"]);
    expect(first.cursor).toBe("t099");
    const rest = await searchTopics(getPage, "orders", 10, first);
    expect(rest.matches.map((t) => t.name)).toEqual([
      "t007-orders",
      "t057-orders",
      "t107-orders",
      "t157-orders",
      "t207-orders",
    ]);
    expect(rest.cursor).toBeNull();
    expect(rest.read).toBe(250);
    expect(asked).toEqual([null, "t099", "t199"]);
  });
});
