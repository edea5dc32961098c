// The Processor API: a processor with its own store, stream-time and wall-clock punctuation (each
// fires at most once per advance, on its interval's grid), and stores it was not given.

import { describe, expect, it } from "vitest";
import {
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type PunctuationType,
} from "../../../src/streams/index.js";

const S = 1_000;

/** Counts per key in a store; a punctuator forwards the counts and clears them. */
function batcher(type: PunctuationType, interval: number, fired: number[]): Processor<string, string, string, number> {
  let ctx: ProcessorContext<string, number>;
  let store: KeyValueStore<string, number>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore("pending");
      c.schedule(interval, type, (t) => {
        fired.push(t);
        for (const { key, value } of store.all()) {
          ctx.forward({ key, value, timestamp: t, headers: {} });
          store.delete(key);
        }
      });
    },
    process(r) {
      store.put(r.key, (store.get(r.key) ?? 0) + 1);
    },
  };
}

function driver(type: PunctuationType, fired: number[], start = 0) {
  const b = new StreamsBuilder();
  b.addStateStore({ name: "pending", keySerde: Serdes.String(), valueSerde: Serdes.JSON<number>() });
  b.stream<string, string>("in")
    .process(() => batcher(type, 10 * S, fired), ["pending"])
    .to("out");
  const d = new TopologyTestDriver(b.build(), { initialWallClockTimeMs: start });
  return {
    d,
    pipe: (k: string, t: number) => d.createInputTopic<string, string>("in").pipeInput(k, "x", t),
    out: () => d.createOutputTopic<string, number>("out").readKeyValuesToList(),
  };
}

describe("processor API", () => {
  it("stream-time punctuation fires as records advance stream time, once per jump, on a 10 s grid", () => {
    const fired: number[] = [];
    const { pipe, out } = driver("stream_time", fired);
    pipe("a", 1 * S); // the first record fires it (its schedule starts at 0)
    pipe("a", 2 * S);
    pipe("b", 9 * S);
    pipe("a", 10 * S); // the grid point 10 s
    pipe("a", 5 * S); // stream time does not move back: nothing
    pipe("c", 45 * S); // jumps three intervals: fires once
    pipe("c", 49 * S);
    pipe("c", 50 * S);
    expect(fired).toEqual([1 * S, 10 * S, 45 * S, 50 * S]);
    expect(out()).toEqual([
      { key: "a", value: 1 },
      { key: "a", value: 2 },
      { key: "b", value: 1 },
      { key: "a", value: 1 },
      { key: "c", value: 1 },
      { key: "c", value: 2 },
    ]);
  });

  it("wall-clock punctuation fires as the clock passes its interval, whatever the records say", () => {
    const fired: number[] = [];
    const { d, pipe, out } = driver("wall_clock_time", fired, 100 * S);
    pipe("a", 0);
    d.advanceWallClockTime(9 * S);
    expect(fired).toEqual([]);
    d.advanceWallClockTime(1 * S);
    expect(fired).toEqual([110 * S]);
    expect(out()).toEqual([{ key: "a", value: 1 }]);
    d.advanceWallClockTime(35 * S); // several intervals at once: once
    expect(fired).toEqual([110 * S, 145 * S]);
  });

  it("a processor cannot reach a store it was not given", () => {
    const b = new StreamsBuilder();
    b.addStateStore({ name: "mine" });
    b.stream("a").process(() => ({ process() {} }), ["mine"]);
    b.stream("b").process(() => ({
      init(c: ProcessorContext) {
        c.getStateStore("mine");
      },
      process() {},
    }));
    expect(() => new TopologyTestDriver(b.build())).toThrow(/has no access to the state store mine/);
  });
});
