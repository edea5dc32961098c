// Record-at-a-time operators through the test driver: what each passes on, with its key, value,
// timestamp and headers.

import { describe, expect, it } from "vitest";
import { Serdes, StreamsBuilder, TopologyTestDriver } from "../../../src/streams/index.js";

const T = 1_000;

function run(build: (b: StreamsBuilder) => void, input = "in") {
  const b = new StreamsBuilder();
  build(b);
  const driver = new TopologyTestDriver(b.build());
  return { driver, input: driver.createInputTopic<string, unknown>(input) };
}

describe("stateless operators", () => {
  it("map, mapValues, filter and filterNot", () => {
    const { driver, input } = run((b) => {
      const s = b.stream<string, number>("in");
      s.map((k, v) => [k.toUpperCase(), v * 10]).to("mapped");
      s.mapValues((v, k) => `${k}=${v}`).to("values");
      s.filter((_k, v) => v % 2 === 0).to("even");
      s.filterNot((_k, v) => v % 2 === 0).to("odd");
    });
    input.pipeInput("a", 1, T);
    input.pipeInput("b", 2, T + 1);
    expect(driver.createOutputTopic("mapped").readKeyValuesToList()).toEqual([
      { key: "A", value: 10 },
      { key: "B", value: 20 },
    ]);
    expect(driver.createOutputTopic("values").readValuesToList()).toEqual(["a=1", "b=2"]);
    expect(driver.createOutputTopic("even").readKeyValuesToList()).toEqual([{ key: "b", value: 2 }]);
    expect(driver.createOutputTopic("odd").readKeyValuesToList()).toEqual([{ key: "a", value: 1 }]);
  });

  it("flatMap and flatMapValues emit each element, keeping the input's timestamp and headers", () => {
    const { driver, input } = run((b) => {
      const s = b.stream<string, string>("in");
      s.flatMap((k, v) => v.split(",").map((x, i): [string, string] => [`${k}${i}`, x])).to("fm");
      s.flatMapValues((v) => v.split(",")).to("fmv");
    });
    input.pipeInput("k", "x,y", T, { trace: "t1" });
    expect(driver.createOutputTopic("fm").readRecordsToList()).toEqual([
      { key: "k0", value: "x", timestamp: T, headers: { trace: "t1" } },
      { key: "k1", value: "y", timestamp: T, headers: { trace: "t1" } },
    ]);
    expect(driver.createOutputTopic("fmv").readKeyValuesToList()).toEqual([
      { key: "k", value: "x" },
      { key: "k", value: "y" },
    ]);
  });

  it("selectKey, peek and foreach", () => {
    const peeked: unknown[] = [];
    const each: unknown[] = [];
    const { driver, input } = run((b) => {
      const s = b.stream<string, { id: string }>("in");
      s.peek((k, v) => peeked.push([k, v.id]))
        .selectKey((_k, v) => v.id)
        .to("rekeyed");
      s.foreach((k) => each.push(k));
    });
    input.pipeInput("old", { id: "new" }, T);
    expect(driver.createOutputTopic("rekeyed").readKeyValue()).toEqual({ key: "new", value: { id: "new" } });
    expect(peeked).toEqual([["old", "new"]]);
    expect(each).toEqual(["old"]);
  });

  it("branch sends each record to the first matching predicate, dropping unmatched ones", () => {
    const { driver, input } = run((b) => {
      const [small, medium] = b.stream<string, number>("in").branch(
        (_k, v) => v < 10,
        (_k, v) => v < 100,
      );
      small!.to("small");
      medium!.to("medium");
    });
    for (const v of [1, 50, 500, 5]) input.pipeInput("k", v, T);
    expect(driver.createOutputTopic("small").readValuesToList()).toEqual([1, 5]);
    expect(driver.createOutputTopic("medium").readValuesToList()).toEqual([50]);
  });

  it("split names its branches, chains them, and has a default branch", () => {
    const { driver, input } = run((b) => {
      const branches = b
        .stream<string, number>("in")
        .split({ name: "n-" })
        .branch((_k, v) => v < 0, { name: "negative", chain: (s) => s.mapValues((v) => -v) })
        .branch((_k, v) => v === 0)
        .defaultBranch();
      expect(Object.keys(branches).sort()).toEqual(["n-0", "n-2", "n-negative"]);
      branches["n-negative"]!.to("neg");
      branches["n-2"]!.to("zero");
      branches["n-0"]!.to("other");
    });
    for (const v of [-3, 0, 7]) input.pipeInput("k", v, T);
    expect(driver.createOutputTopic("neg").readValuesToList()).toEqual([3]);
    expect(driver.createOutputTopic("zero").readValuesToList()).toEqual([0]);
    expect(driver.createOutputTopic("other").readValuesToList()).toEqual([7]);
  });

  it("merge interleaves two streams in arrival order", () => {
    const b = new StreamsBuilder();
    b.stream<string, string>("a").merge(b.stream<string, string>("b")).to("out");
    const driver = new TopologyTestDriver(b.build());
    const a = driver.createInputTopic<string, string>("a");
    const c = driver.createInputTopic<string, string>("b");
    a.pipeInput("k", "a1", T);
    c.pipeInput("k", "b1", T);
    a.pipeInput("k", "a2", T);
    expect(driver.createOutputTopic("out").readValuesToList()).toEqual(["a1", "b1", "a2"]);
  });

  it("to() with a topic extractor and serdes of its own", () => {
    const { driver, input } = run((b) => {
      b.stream<string, number>("in").to((_k, v) => (v > 0 ? "pos" : "neg"), { valueSerde: Serdes.JSON() });
    });
    input.pipeInput("k", 1, T);
    input.pipeInput("k", -1, T);
    expect(driver.createOutputTopic("pos").readValuesToList()).toEqual([1]);
    expect(driver.createOutputTopic("neg").readValuesToList()).toEqual([-1]);
  });

  it("repartition() writes through <applicationId>-<name>-repartition and drops null keys", () => {
    const { driver, input } = run((b) => {
      b.stream<string | null, string>("in").repartition({ name: "by-key" }).to("out");
    });
    input.pipeInput("k", "v", T);
    input.pipeInput(null, "lost", T);
    expect(driver.producedTopicNames()).toContain("test-driver-by-key-repartition");
    expect(driver.createOutputTopic("test-driver-by-key-repartition").readValuesToList()).toEqual(["v"]);
    expect(driver.createOutputTopic("out").readKeyValuesToList()).toEqual([{ key: "k", value: "v" }]);
  });
});
