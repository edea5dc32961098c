// Topologies that cannot work fail at build or start with a clear message: co-partitioning,
// missing topics, store wiring, names used twice; and the configuration is checked where it is set
// (an unknown processing guarantee is refused).

import { describe, expect, it } from "vitest";
import {
  EdgelogError,
  JoinWindows,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type Topology,
} from "../../../src/streams/index.js";
import { planPartitions } from "../../../src/streams/topology/partitions.js";
import { defineWorkerApplication } from "../../../src/streams/worker.js";

function wordCount(): Topology {
  const b = new StreamsBuilder();
  b.stream<string, string>("text-lines", { valueSerde: Serdes.Text() })
    .flatMapValues((l) => l.split(" "))
    .groupBy((_k, w) => w)
    .count({ name: "counts" })
    .toStream()
    .to("word-counts");
  return b.build();
}

function expectCode(fn: () => unknown, code: string, message: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EdgelogError);
    expect((e as EdgelogError).code).toBe(code);
    expect((e as EdgelogError).message).toMatch(message);
    return;
  }
  throw new Error("expected it to throw");
}

describe("topology", () => {
  it("cuts word count into two sub-topologies at its repartition topic", () => {
    const t = wordCount();
    expect(t.subtopologies.map((s) => s.sources.map((x) => x.name))).toEqual([["text-lines"], ["counts-repartition"]]);
    expect(t.describe()).toContain("Sink: KSTREAM-SINK-0000000004 (topic: counts-repartition (internal))");
    expect(t.storeOwner.get("counts")).toBe(1);
  });

  it("sizes repartition topics by their input and changelogs by their tasks", () => {
    const plan = planPartitions(wordCount(), (t) => (t === "text-lines" ? 6 : undefined));
    expect(plan.topics.get("internal:counts-repartition")).toBe(6);
    expect(plan.changelogs.get("counts")).toBe(6);
    expect(plan.tasks.get(0)).toBe(6);
  });

  it("fails fast when joined topics are not co-partitioned, naming both and their counts", () => {
    const b = new StreamsBuilder();
    b.stream("clicks")
      .join(b.table("users"), (c, u) => [c, u])
      .to("out");
    const t = b.build();
    expectCode(
      () => planPartitions(t, (name) => ({ clicks: 3, users: 4 })[name]),
      "INVALID_TOPOLOGY",
      /clicks \(3 partitions\), users \(4 partitions\) are read together \(joined.*not co-partitioned/,
    );
    expect(planPartitions(t, (name) => ({ clicks: 4, users: 4 })[name]).tasks.get(0)).toBe(4);
  });

  it("gives a stream repartitioned for a join the table's partition count", () => {
    const b = new StreamsBuilder();
    b.stream<string, { user: string }>("clicks")
      .selectKey((_k, v) => v.user)
      .join(b.table("users"), (c, u) => [c, u], { name: "clicks-by-user" })
      .to("out");
    const plan = planPartitions(b.build(), (name) => ({ clicks: 8, users: 3 })[name]);
    expect(plan.topics.get("internal:clicks-by-user-left-repartition")).toBe(3);
  });

  it("requires the topics one sub-topology reads together to be co-partitioned", () => {
    const b = new StreamsBuilder();
    b.stream("a").merge(b.stream("b")).groupByKey().count().toStream().to("out");
    expectCode(
      () => planPartitions(b.build(), (name) => ({ a: 2, b: 5 })[name]),
      "INVALID_TOPOLOGY",
      /a \(2 partitions\), b \(5 partitions\) are read together/,
    );
  });

  it("names a missing source topic", () => {
    expectCode(
      () => planPartitions(wordCount(), () => undefined),
      "UNKNOWN_TOPIC_OR_PARTITION",
      /source topic text-lines does not exist; create it/,
    );
  });

  it("refuses stores named twice, stores nobody uses, topics read twice, and a builder built twice", () => {
    const dup = new StreamsBuilder();
    dup.stream("a").groupByKey().count({ name: "c" });
    dup.stream("b").groupByKey().count({ name: "c" });
    expectCode(() => dup.build(), "INVALID_TOPOLOGY", /two state stores are named c/);

    const unused = new StreamsBuilder();
    unused.stream("a").to("b");
    unused.addStateStore({ name: "orphan" });
    expectCode(() => unused.build(), "INVALID_TOPOLOGY", /state store orphan is not connected to any processor/);

    const missing = new StreamsBuilder();
    missing.stream("a").process(() => ({ process() {} }), ["nope"]);
    expectCode(
      () => missing.build(),
      "INVALID_TOPOLOGY",
      /uses the state store nope, which the topology does not define/,
    );

    const twice = new StreamsBuilder();
    twice.stream("a").to("x");
    twice.stream("a").to("y");
    expectCode(() => twice.build(), "INVALID_TOPOLOGY", /topic a is read by both/);

    const built = new StreamsBuilder();
    built.stream("a").to("b");
    built.build();
    expectCode(() => built.build(), "INVALID_TOPOLOGY", /already built/);
  });

  it("refuses joins that cannot be: stream-stream without windows, outer stream-table", () => {
    const b = new StreamsBuilder();
    const s = b.stream("a");
    expectCode(
      () => s.join(b.stream("b"), (x) => x, undefined as unknown as JoinWindows),
      "INVALID_TOPOLOGY",
      /needs JoinWindows/,
    );
    const outer = s.outerJoin as unknown as (...a: unknown[]) => unknown;
    expectCode(
      () => outer.call(s, b.table("t"), () => 1, JoinWindows.ofTimeDifferenceWithNoGrace(1)),
      "INVALID_TOPOLOGY",
      /a stream cannot be outer-joined with a table/,
    );
  });
});

describe("configuration", () => {
  it("takes the three guarantees Kafka names, and refuses any other with the list", () => {
    for (const processingGuarantee of ["at_least_once", "exactly_once", "exactly_once_v2"] as const) {
      expect(new KafkaStreams(wordCount(), { applicationId: "wc", processingGuarantee }).state).toBe("CREATED");
      defineWorkerApplication({ topology: wordCount(), config: { applicationId: "wc", processingGuarantee } });
    }
    const processingGuarantee = "exactly_twice" as never;
    expectCode(
      () => new KafkaStreams(wordCount(), { applicationId: "wc", processingGuarantee }),
      "INVALID_CONFIG",
      /processingGuarantee "exactly_twice" is not one of at_least_once, exactly_once, exactly_once_v2/,
    );
    expectCode(
      () => defineWorkerApplication({ topology: wordCount(), config: { applicationId: "wc", processingGuarantee } }),
      "INVALID_CONFIG",
      /not one of/,
    );
  });

  it("checks the application id, the handler and the application server", () => {
    expectCode(
      () => new KafkaStreams(wordCount(), { applicationId: "no spaces" }),
      "INVALID_CONFIG",
      /applicationId must be/,
    );
    expectCode(
      () => new KafkaStreams(wordCount(), { applicationId: "a", deserializationExceptionHandler: "ignore" as never }),
      "INVALID_CONFIG",
      /deserializationExceptionHandler must be/,
    );
    expectCode(
      () => new KafkaStreams(wordCount(), { applicationId: "a", applicationServer: "10.0.0.5:7070" }),
      "INVALID_CONFIG",
      /applicationServer must be a URL/,
    );
  });
});
