// Joins through the test driver, with Kafka's semantics for nulls and tombstones: stream-table
// (and stream-global table), table-table inner/left/outer, and windowed stream-stream joins.

import { describe, expect, it } from "vitest";
import { JoinWindows, StreamsBuilder, TopologyTestDriver } from "../../../src/streams/index.js";

const S = 1_000;

describe("stream-table joins", () => {
  const setup = (left: boolean) => {
    const b = new StreamsBuilder();
    const users = b.table<string, { name: string }>("users");
    const clicks = b.stream<string | null, string | null>("clicks");
    const joiner = (click: string | null, user: { name: string } | null) => `${click} by ${user?.name ?? "nobody"}`;
    (left ? clicks.leftJoin(users, joiner) : clicks.join(users, joiner)).to("out");
    const d = new TopologyTestDriver(b.build());
    return {
      users: d.createInputTopic<string, { name: string } | null>("users"),
      clicks: d.createInputTopic<string | null, string | null>("clicks"),
      out: () => d.createOutputTopic("out").readKeyValuesToList(),
    };
  };

  it("inner: joins each click with the user at that moment; no user, a tombstone, a null key or value: nothing", () => {
    const { users, clicks, out } = setup(false);
    clicks.pipeInput("u1", "c0", 0); // before the user exists
    users.pipeInput("u1", { name: "ann" }, 0);
    clicks.pipeInput("u1", "c1", S);
    clicks.pipeInput("u2", "c2", S);
    users.pipeInput("u1", { name: "anne" }, 2 * S); // a table update emits nothing by itself
    clicks.pipeInput("u1", "c3", 3 * S);
    users.pipeInput("u1", null, 4 * S);
    clicks.pipeInput("u1", "c4", 5 * S);
    clicks.pipeInput(null, "c5", 5 * S);
    clicks.pipeInput("u1", null, 5 * S);
    expect(out()).toEqual([
      { key: "u1", value: "c1 by ann" },
      { key: "u1", value: "c3 by anne" },
    ]);
  });

  it("left: keeps clicks without a user (joined with null), null keys included; null values are dropped", () => {
    const { users, clicks, out } = setup(true);
    users.pipeInput("u1", { name: "ann" }, 0);
    clicks.pipeInput("u1", "c1", S);
    clicks.pipeInput("u2", "c2", S);
    users.pipeInput("u1", null, 2 * S);
    clicks.pipeInput("u1", "c3", 3 * S);
    clicks.pipeInput(null, "c4", 3 * S);
    clicks.pipeInput("u1", null, 3 * S);
    expect(out()).toEqual([
      { key: "u1", value: "c1 by ann" },
      { key: "u2", value: "c2 by nobody" },
      { key: "u1", value: "c3 by nobody" },
      { key: null, value: "c4 by nobody" },
    ]);
  });

  it("with a global table, looks up the key the selector picks from the record", () => {
    const b = new StreamsBuilder();
    const products = b.globalTable<string, { price: number }>("products");
    b.stream<string, { sku: string; qty: number }>("orders")
      .join(
        products,
        (_k, order) => order.sku,
        (order, product) => order.qty * product.price,
      )
      .to("totals");
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic<string, { price: number }>("products").pipeInput("p1", { price: 3 }, 0);
    const orders = d.createInputTopic<string, { sku: string; qty: number }>("orders");
    orders.pipeInput("o1", { sku: "p1", qty: 2 }, S);
    orders.pipeInput("o2", { sku: "p9", qty: 1 }, S);
    expect(d.createOutputTopic("totals").readKeyValuesToList()).toEqual([{ key: "o1", value: 6 }]);
  });
});

describe("table-table joins", () => {
  const setup = (mode: "join" | "leftJoin" | "outerJoin") => {
    const b = new StreamsBuilder();
    const l = b.table<string, string>("l");
    const r = b.table<string, string>("r");
    l[mode](r, (a: string | null, x: string | null) => `${a}+${x}`, { name: "joined" })
      .toStream()
      .to("out");
    const d = new TopologyTestDriver(b.build());
    return {
      d,
      l: d.createInputTopic<string, string | null>("l"),
      r: d.createInputTopic<string, string | null>("r"),
      out: () =>
        d
          .createOutputTopic("out")
          .readKeyValuesToList()
          .map((e) => `${e.key}:${e.value}`),
    };
  };

  it("inner: a row exists while both sides have the key; a tombstone on either side deletes it", () => {
    const { l, r, out, d } = setup("join");
    l.pipeInput("1", "a", 0);
    r.pipeInput("1", "x", 0);
    l.pipeInput("1", "b", 0);
    expect(d.getKeyValueStore("joined").get("1")).toBe("b+x");
    r.pipeInput("1", null, 0);
    l.pipeInput("1", null, 0); // nothing joined any more: no second delete
    expect(out()).toEqual(["1:a+x", "1:b+x", "1:null"]);
    expect(d.getKeyValueStore("joined").get("1")).toBeUndefined();
  });

  it("left: a row for every left row, the right side or null", () => {
    const { l, r, out } = setup("leftJoin");
    r.pipeInput("1", "x", 0); // no left row: nothing
    l.pipeInput("2", "a", 0);
    r.pipeInput("2", "y", 0);
    r.pipeInput("2", null, 0);
    l.pipeInput("2", null, 0);
    expect(out()).toEqual(["2:a+null", "2:a+y", "2:a+null", "2:null"]);
  });

  it("outer: a row wherever either side has the key", () => {
    const { l, r, out } = setup("outerJoin");
    r.pipeInput("1", "x", 0);
    l.pipeInput("1", "a", 0);
    r.pipeInput("1", null, 0);
    l.pipeInput("1", null, 0);
    expect(out()).toEqual(["1:null+x", "1:a+x", "1:a+null", "1:null"]);
  });

  it("joins derived tables through their getters (filtered rows count as absent)", () => {
    const b = new StreamsBuilder();
    const l = b.table<string, number>("l").filter((_k, v) => v > 0);
    const r = b.table<string, number>("r").mapValues((v) => v * 10);
    l.join(r, (a, x) => a + x)
      .toStream()
      .to("out");
    const d = new TopologyTestDriver(b.build());
    const li = d.createInputTopic<string, number>("l");
    const ri = d.createInputTopic<string, number>("r");
    ri.pipeInput("k", 1, 0);
    li.pipeInput("k", -5, 0); // filtered out: no row
    li.pipeInput("k", 5, 0);
    expect(d.createOutputTopic("out").readValuesToList()).toEqual([15]);
  });
});

describe("stream-stream joins", () => {
  const setup = (
    mode: "join" | "leftJoin" | "outerJoin",
    windows = JoinWindows.ofTimeDifferenceWithNoGrace(10 * S),
  ) => {
    const b = new StreamsBuilder();
    const l = b.stream<string, string>("l");
    const r = b.stream<string, string>("r");
    (l[mode] as (...a: unknown[]) => ReturnType<typeof l.join>)(
      r,
      (a: string | null, x: string | null) => `${a}+${x}`,
      windows,
    ).to("out");
    const d = new TopologyTestDriver(b.build());
    const out = d.createOutputTopic("out");
    return {
      l: d.createInputTopic<string, string>("l"),
      r: d.createInputTopic<string, string>("r"),
      out: () => out.readRecordsToList().map((e) => `${e.key}:${e.value}@${e.timestamp}`),
    };
  };

  it("inner: joins records of one key within the time difference, either side arriving first", () => {
    const { l, r, out } = setup("join");
    l.pipeInput("a", "l1", 0);
    r.pipeInput("a", "r1", 5 * S);
    r.pipeInput("a", "r2", 20 * S); // l1 at 0 is 20 s away: no join
    l.pipeInput("a", "l2", 15 * S); // within 10 s of r1 (5 s) and r2 (20 s)
    r.pipeInput("b", "rb", 15 * S); // another key: nothing
    expect(out()).toEqual([`a:l1+r1@${5 * S}`, `a:l2+r1@${15 * S}`, `a:l2+r2@${20 * S}`]);
  });

  it("left: a record with no partner is emitted with null only once its window closed", () => {
    const { l, r, out } = setup("leftJoin");
    l.pipeInput("b", "x", 0);
    l.pipeInput("d", "y", 5 * S);
    expect(out()).toEqual([]);
    r.pipeInput("d", "z", 9 * S); // d found its partner
    l.pipeInput("c", "w", 10 * S); // stream time 10 s: b's window [0, 10 s] not yet past
    expect(out()).toEqual([`d:y+z@${9 * S}`]);
    l.pipeInput("c", "v", 10 * S + 1);
    expect(out()).toEqual(["b:x+null@0"]);
    // A right record alone is never emitted by a left join; d, matched, is not emitted with null.
    r.pipeInput("e", "only-right", 50 * S);
    expect(out()).toEqual([`c:w+null@${10 * S}`, `c:v+null@${10 * S + 1}`]);
  });

  it("outer: unmatched records of either side come out with null after their window closed", () => {
    const { l, r, out } = setup("outerJoin");
    r.pipeInput("e", "r", 0);
    l.pipeInput("f", "l", 0);
    l.pipeInput("g", "tick", 11 * S);
    expect(out().sort()).toEqual(["e:null+r@0", "f:l+null@0"]);
  });

  it("drops a record later than its window plus grace", () => {
    const { l, r, out } = setup("join", JoinWindows.ofTimeDifferenceAndGrace(10 * S, 5 * S));
    r.pipeInput("k", "r", 40 * S);
    l.pipeInput("x", "tick", 100 * S);
    l.pipeInput("k", "late", 40 * S); // 40 s + 10 s + 5 s < 100 s: dropped before it could join r
    expect(out()).toEqual([]);
  });
});
