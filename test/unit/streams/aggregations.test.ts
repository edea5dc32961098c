// Grouping and aggregation through the test driver: counts, reduces and aggregates per key, over
// repartition topics, tables with their tombstones, and table re-grouping with subtraction.

import { describe, expect, it } from "vitest";
import { Serdes, StreamsBuilder, TopologyTestDriver } from "../../../src/streams/index.js";

const T = 10_000;

describe("stream aggregations", () => {
  it("groupByKey().count() counts per key and writes every update to its changelog", () => {
    const b = new StreamsBuilder();
    b.stream<string, string>("in").groupByKey().count({ name: "c" }).toStream().to("out");
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic<string, string>("in");
    for (const k of ["a", "b", "a", "a"]) input.pipeInput(k, "x", T);
    expect(d.createOutputTopic("out").readKeyValuesToList()).toEqual([
      { key: "a", value: 1 },
      { key: "b", value: 1 },
      { key: "a", value: 2 },
      { key: "a", value: 3 },
    ]);
    expect(d.getKeyValueStore<string, number>("c").get("a")).toBe(3);
    // Grouping by the existing key needs no repartition topic.
    expect(d.producedTopicNames().sort()).toEqual(["out", "test-driver-c-changelog"]);
    expect(d.changelog("c").map((r) => new TextDecoder().decode(r.value!))).toEqual(["1", "1", "2", "3"]);
  });

  it("skips records with a null key or a null value", () => {
    const b = new StreamsBuilder();
    b.stream<string | null, string | null>("in").groupByKey().count({ name: "c" }).toStream().to("out");
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic<string | null, string | null>("in");
    input.pipeInput(null, "x", T);
    input.pipeInput("a", null, T);
    input.pipeInput("a", "x", T);
    expect(d.createOutputTopic("out").readKeyValuesToList()).toEqual([{ key: "a", value: 1 }]);
  });

  it("groupBy() repartitions by the new key, through a topic named after the store", () => {
    const b = new StreamsBuilder();
    b.stream<string, { city: string }>("in")
      .groupBy((_k, v) => v.city)
      .count({ name: "per-city" })
      .toStream()
      .to("out");
    const d = new TopologyTestDriver(b.build(), { applicationId: "app" });
    const input = d.createInputTopic<string, { city: string }>("in");
    input.pipeInput("u1", { city: "oslo" }, T);
    input.pipeInput("u2", { city: "lima" }, T);
    input.pipeInput("u3", { city: "oslo" }, T);
    expect(d.producedTopicNames()).toContain("app-per-city-repartition");
    expect(d.createOutputTopic("out").readKeyValuesToMap()).toEqual(
      new Map([
        ["oslo", 2],
        ["lima", 1],
      ]),
    );
  });

  it("Grouped names the repartition topic and gives it serdes", () => {
    const b = new StreamsBuilder();
    b.stream<string, number>("in")
      .groupBy((_k, v) => v % 2, { name: "parity", keySerde: Serdes.JSON<number>() })
      .count()
      .toStream()
      .to("out", { keySerde: Serdes.JSON() });
    const d = new TopologyTestDriver(b.build(), { applicationId: "app" });
    const input = d.createInputTopic<string, number>("in");
    for (const v of [1, 2, 3]) input.pipeInput("k", v, T);
    expect(d.producedTopicNames()).toContain("app-parity-repartition");
    expect(d.createOutputTopic<number, number>("out", Serdes.JSON()).readKeyValuesToMap()).toEqual(
      new Map([
        [1, 2],
        [0, 1],
      ]),
    );
  });

  it("reduce and aggregate fold values per key; the output keeps the latest timestamp", () => {
    const b = new StreamsBuilder();
    const g = b.stream<string, number>("in").groupByKey();
    g.reduce((a, v) => a + v, { name: "sum" })
      .toStream()
      .to("sum");
    g.aggregate(
      () => ({ n: 0, max: -Infinity }),
      (_k, v, agg) => ({ n: agg.n + 1, max: Math.max(agg.max, v) }),
      { name: "stats" },
    )
      .toStream()
      .to("stats");
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic<string, number>("in");
    input.pipeInput("k", 5, T + 5);
    input.pipeInput("k", 3, T + 1);
    const sums = d.createOutputTopic<string, number>("sum").readRecordsToList();
    expect(sums.map((r) => [r.value, r.timestamp])).toEqual([
      [5, T + 5],
      [8, T + 5],
    ]);
    expect(d.createOutputTopic("stats").readValuesToList()).toEqual([
      { n: 1, max: 5 },
      { n: 2, max: 5 },
    ]);
  });
});

describe("tables", () => {
  it("table() keeps the latest value per key; a tombstone deletes the key and is forwarded", () => {
    const b = new StreamsBuilder();
    b.table<string, string>("users", {}, { name: "users" }).toStream().to("out");
    const d = new TopologyTestDriver(b.build());
    const users = d.createInputTopic<string, string | null>("users");
    users.pipeInput("u1", "ann", T);
    users.pipeInput("u1", "anne", T);
    users.pipeInput("u2", "bob", T);
    users.pipeInput("u1", null, T);
    users.pipeInput("u9", null, T); // deleting an absent key changes nothing
    expect(d.createOutputTopic("out").readKeyValuesToList()).toEqual([
      { key: "u1", value: "ann" },
      { key: "u1", value: "anne" },
      { key: "u2", value: "bob" },
      { key: "u1", value: null },
    ]);
    expect(d.getKeyValueStore("users").all()).toEqual([{ key: "u2", value: "bob" }]);
  });

  it("filter turns a row that stops passing into a delete; mapValues maps new values", () => {
    const b = new StreamsBuilder();
    b.table<string, number>("t")
      .filter((_k, v) => v > 10)
      .mapValues((v) => v * 2)
      .toStream()
      .to("out");
    const d = new TopologyTestDriver(b.build());
    const t = d.createInputTopic<string, number>("t");
    t.pipeInput("k", 5, T); // never passed: nothing
    t.pipeInput("k", 20, T);
    t.pipeInput("k", 7, T); // stops passing: a delete
    expect(d.createOutputTopic("out").readKeyValuesToList()).toEqual([
      { key: "k", value: 40 },
      { key: "k", value: null },
    ]);
  });

  it("toTable() turns a stream into a queryable table", () => {
    const b = new StreamsBuilder();
    b.stream<string, string>("in").toTable({ name: "latest" });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic<string, string | null>("in");
    input.pipeInput("a", "1", T);
    input.pipeInput("a", "2", T);
    input.pipeInput("b", "3", T);
    input.pipeInput("b", null, T);
    expect(d.getKeyValueStore("latest").all()).toEqual([{ key: "a", value: "2" }]);
  });

  it("groupBy on a table subtracts a row's old value from its old group and adds the new one", () => {
    const b = new StreamsBuilder();
    const byRegion = b.table<string, { region: string; n: number }>("users").groupBy((_k, v) => [v.region, v.n]);
    byRegion.count({ name: "users-per-region" }).toStream().to("counts");
    byRegion
      .reduce(
        (a, v) => a + v,
        (a, v) => a - v,
        { name: "n-per-region" },
      )
      .toStream()
      .to("sums");
    const d = new TopologyTestDriver(b.build());
    const users = d.createInputTopic<string, { region: string; n: number } | null>("users");
    users.pipeInput("u1", { region: "eu", n: 1 }, T);
    users.pipeInput("u2", { region: "eu", n: 2 }, T);
    users.pipeInput("u1", { region: "us", n: 5 }, T); // moves from eu to us
    users.pipeInput("u2", null, T); // leaves eu
    expect(d.createOutputTopic("counts").readKeyValuesToMap()).toEqual(
      new Map([
        ["eu", 0],
        ["us", 1],
      ]),
    );
    expect(d.getKeyValueStore<string, number>("n-per-region").all()).toEqual([
      { key: "eu", value: 0 },
      { key: "us", value: 5 },
    ]);
  });
});
