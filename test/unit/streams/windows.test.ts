// Windows on event time through the test driver: tumbling and hopping windows, session windows and
// their merges, grace periods (out-of-order records within grace count, later ones are dropped),
// stream time per task, and suppress(untilWindowCloses) emitting each final result once.

import { describe, expect, it } from "vitest";
import {
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  TopologyTestDriver,
  type KTable,
  type Windowed,
} from "../../../src/streams/index.js";

const MIN = 60_000;
const S = 1_000;

/** A windowed count of the keys piped into "in", with its output as "key@start-end" => count. */
function windowedCount(count: (b: StreamsBuilder) => KTable<Windowed<string>, number>, session = false, size = MIN) {
  const b = new StreamsBuilder();
  count(b).toStream().to("out");
  const d = new TopologyTestDriver(b.build());
  const input = d.createInputTopic<string, string>("in");
  const out = d.createOutputTopic<Windowed<string>, number | null>(
    "out",
    session ? Serdes.SessionWindowed(Serdes.String()) : Serdes.TimeWindowed(Serdes.String(), size),
    Serdes.JSON(),
  );
  const read = () =>
    out.readKeyValuesToList().map((r) => `${r.key!.key}@${r.key!.window.start}-${r.key!.window.end}=${r.value}`);
  return { d, pipe: (k: string, t: number) => input.pipeInput(k, "x", t), read };
}

describe("tumbling windows", () => {
  const counts = () =>
    windowedCount((b) =>
      b
        .stream<string, string>("in")
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(MIN, 10 * S))
        .count({ name: "w" }),
    );

  it("put each record in the one window [start, start + size) holding its timestamp", () => {
    const { pipe, read, d } = counts();
    pipe("k", 0);
    pipe("k", MIN - 1);
    pipe("k", MIN);
    expect(read()).toEqual([`k@0-${MIN}=1`, `k@0-${MIN}=2`, `k@${MIN}-${2 * MIN}=1`]);
    expect(
      d
        .getWindowStore<string, number>("w")
        .fetchRange("k", 0, MIN)
        .map((e) => [e.start, e.value]),
    ).toEqual([
      [0, 2],
      [MIN, 1],
    ]);
  });

  it("count an out-of-order record within grace, and drop one past it", () => {
    const { pipe, read } = counts();
    pipe("k", 65 * S); // stream time 65 s: window [0, 60 s) is open until 70 s
    pipe("k", 55 * S); // out of order, within grace: counted
    pipe("j", 70 * S); // stream time 70 s: [0, 60 s) closes (its end + grace is not after it)
    pipe("k", 59 * S); // late: dropped
    pipe("k", 30 * S); // late: dropped
    expect(read()).toEqual([`k@${MIN}-${2 * MIN}=1`, `k@0-${MIN}=1`, `j@${MIN}-${2 * MIN}=1`]);
  });

  it("share stream time across the keys of a task: one key's progress closes another's windows", () => {
    const { pipe, read } = counts();
    pipe("a", 0);
    pipe("b", 5 * MIN); // stream time is the task's: the largest timestamp seen by any key
    pipe("a", 10 * S); // within 10 s grace of its window? No: stream time is 5 min
    expect(read()).toEqual([`a@0-${MIN}=1`, `b@${5 * MIN}-${6 * MIN}=1`]);
  });

  it("with no grace, close a window as soon as stream time reaches its end", () => {
    const { pipe, read } = windowedCount((b) =>
      b.stream<string, string>("in").groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(MIN)).count(),
    );
    pipe("k", MIN);
    pipe("k", MIN - 1);
    expect(read()).toEqual([`k@${MIN}-${2 * MIN}=1`]);
  });
});

describe("hopping windows", () => {
  it("put a record in every window that holds it, starting at 0", () => {
    const { pipe, read } = windowedCount(
      (b) =>
        b
          .stream<string, string>("in")
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeWithNoGrace(10 * S).advanceBy(5 * S))
          .count(),
      false,
      10 * S,
    );
    pipe("k", 3 * S);
    pipe("k", 12 * S);
    expect(read()).toEqual(["k@0-10000=1", "k@5000-15000=1", "k@10000-20000=1"]);
  });

  it("refuse an advance larger than the window", () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(S).advanceBy(2 * S)).toThrow(
      /advance \(2000 ms\) cannot exceed its size/,
    );
  });
});

describe("session windows", () => {
  const sessions = (grace = 0) =>
    windowedCount(
      (b) =>
        b
          .stream<string, string>("in")
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(10 * S, grace))
          .count({ name: "s" }),
      true,
    );

  it("extend a session with records within the gap, and start a new one after it", () => {
    const { pipe, read } = sessions();
    pipe("k", 0);
    pipe("k", 5 * S);
    pipe("k", 30 * S);
    // The first session grows: its old extent is deleted (a tombstone), the merged one written.
    expect(read()).toEqual(["k@0-0=1", "k@0-0=null", "k@0-5000=2", "k@30000-30000=1"]);
  });

  it("merge two sessions that a record bridges, summing their counts", () => {
    const { pipe, read, d } = sessions(60 * S);
    pipe("k", 0);
    pipe("k", 5 * S);
    pipe("k", 20 * S);
    pipe("k", 30 * S);
    read();
    pipe("k", 12 * S); // within the gap of both [0, 5 s] and [20 s, 30 s]
    expect(read()).toEqual(["k@0-5000=null", "k@20000-30000=null", "k@0-30000=5"]);
    expect(
      d
        .getSessionStore<string, number>("s")
        .fetch("k")
        .map((e) => [e.key.window, e.value]),
    ).toEqual([[{ start: 0, end: 30 * S }, 5]]);
  });

  it("drop a record whose session would already be closed, past the grace", () => {
    const { pipe, read } = sessions(5 * S);
    pipe("k", 100 * S);
    pipe("j", 80 * S); // session [80 s, 80 s] ends before stream time - grace (95 s): dropped
    pipe("j", 96 * S); // within grace: a new session
    expect(read()).toEqual(["k@100000-100000=1", "j@96000-96000=1"]);
  });
});

describe("suppress(untilWindowCloses)", () => {
  it("emits each window's final count once, when stream time passes its end plus grace", () => {
    const { pipe, read } = windowedCount((b) =>
      b
        .stream<string, string>("in")
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(MIN, 10 * S))
        .count()
        .suppress(Suppressed.untilWindowCloses()),
    );
    pipe("a", 0);
    pipe("a", 30 * S);
    pipe("b", 45 * S);
    pipe("a", 65 * S);
    expect(read()).toEqual([]); // [0, 60 s) is open until stream time 70 s
    pipe("a", 69 * S);
    expect(read()).toEqual([]);
    pipe("a", 70 * S);
    expect(read()).toEqual([`a@0-${MIN}=2`, `b@0-${MIN}=1`]);
    pipe("a", 5 * S); // late for a window already emitted: no second result
    pipe("z", 10 * MIN);
    expect(read()).toEqual([`a@${MIN}-${2 * MIN}=3`]);
  });

  it("emits only the merged session, after its gap and grace", () => {
    const { pipe, read } = windowedCount(
      (b) =>
        b
          .stream<string, string>("in")
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(10 * S, 5 * S))
          .count()
          .suppress(Suppressed.untilWindowCloses()),
      true,
    );
    pipe("k", 0);
    pipe("k", 8 * S);
    pipe("j", 22 * S); // stream time 22 s: [0, 8 s] may still grow until 18 s, take late records until 23 s
    expect(read()).toEqual([]);
    pipe("j", 23 * S);
    expect(read()).toEqual(["k@0-8000=2"]);
  });

  it("refuses a table that is not windowed", () => {
    const b = new StreamsBuilder();
    expect(() => b.table("t").suppress(Suppressed.untilWindowCloses())).toThrow(/needs a windowed aggregation/);
  });
});
