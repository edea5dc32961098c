// Serdes and bad input: the built-in serdes, Kafka's windowed key layouts, and records a serde
// cannot read going to the configured handler (log and continue, or fail naming topic/partition/offset).

import { describe, expect, it } from "vitest";
import { EdgelogError, Serdes, StreamsBuilder, TopologyTestDriver } from "../../../src/streams/index.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("serdes", () => {
  it("String, JSON and Bytes round-trip; String refuses what is not a string", () => {
    expect(Serdes.String().deserialize(Serdes.String().serialize("héllo", "t"), "t")).toBe("héllo");
    expect(Serdes.JSON().deserialize(Serdes.JSON().serialize({ a: [1, null] }, "t"), "t")).toEqual({ a: [1, null] });
    expect([...Serdes.Bytes().serialize(new Uint8Array([0, 255]), "t")]).toEqual([0, 255]);
    expect(() => Serdes.String().serialize(3 as unknown as string, "out")).toThrow(/String serde got a number for out/);
    expect(() => Serdes.JSON().deserialize(enc("{nope"), "in")).toThrow(/in holds text that is not JSON/);
  });

  it("Text reads a line produced as text or as a JSON string alike", () => {
    expect(Serdes.Text().deserialize(enc("a b"), "t")).toBe("a b");
    expect(Serdes.Text().deserialize(enc('"a b"'), "t")).toBe("a b");
    expect(Serdes.Text().deserialize(enc('"quoted" but not json"'), "t")).toBe('"quoted" but not json"');
  });

  it("lays out windowed keys as Kafka's TimeWindowedSerde and SessionWindowedSerde do", () => {
    const time = Serdes.TimeWindowed(Serdes.String(), 60_000);
    const bytes = time.serialize({ key: "ab", window: { start: 0x0102, end: 0x0102 + 60_000 } }, "t");
    expect([...bytes]).toEqual([0x61, 0x62, 0, 0, 0, 0, 0, 0, 1, 2]);
    expect(time.deserialize(bytes, "t")).toEqual({ key: "ab", window: { start: 258, end: 60_258 } });
    const session = Serdes.SessionWindowed(Serdes.String());
    const sb = session.serialize({ key: "a", window: { start: 1, end: 2 } }, "t");
    expect([...sb]).toEqual([0x61, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(session.deserialize(sb, "t")).toEqual({ key: "a", window: { start: 1, end: 2 } });
  });
});

describe("records a serde cannot read", () => {
  const topology = () => {
    const b = new StreamsBuilder();
    b.stream<string, { n: number }>("in")
      .mapValues((v) => v.n)
      .to("out");
    return b.build();
  };

  it("logAndFail (the default) stops with an error naming topic, partition and offset", () => {
    const d = new TopologyTestDriver(topology());
    const input = d.createInputTopic("in");
    input.pipeRawInput(enc("k"), enc('{"n":1}'));
    try {
      input.pipeRawInput(enc("k"), enc("not json"));
      throw new Error("expected a failure");
    } catch (e) {
      expect(e).toBeInstanceOf(EdgelogError);
      expect((e as EdgelogError).code).toBe("SERIALIZATION_EXCEPTION");
      expect((e as EdgelogError).message).toMatch(
        /cannot deserialize the record at in\/0 offset 1: JSON serde: in holds text that is not JSON/,
      );
    }
    expect(d.createOutputTopic("out").readValuesToList()).toEqual([1]);
  });

  it("logAndContinue logs the record's position and goes on with the next", () => {
    const warnings: string[] = [];
    const d = new TopologyTestDriver(topology(), {
      deserializationExceptionHandler: "logAndContinue",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    const input = d.createInputTopic("in");
    input.pipeRawInput(enc("k"), enc("{bad"));
    input.pipeRawInput(enc("k"), enc('{"n":2}'));
    expect(d.createOutputTopic("out").readValuesToList()).toEqual([2]);
    expect(warnings).toEqual([
      expect.stringMatching(/skipping the record at in\/0 offset 0, which cannot be deserialized/),
    ]);
  });

  it("a handler function decides per record", () => {
    const seen: number[] = [];
    const d = new TopologyTestDriver(topology(), {
      deserializationExceptionHandler: (_e, r) => {
        seen.push(r.offset);
        return r.offset === 0 ? "continue" : "fail";
      },
    });
    const input = d.createInputTopic("in");
    input.pipeRawInput(null, enc("x"));
    expect(() => input.pipeRawInput(null, enc("y"))).toThrow(/offset 1/);
    expect(seen).toEqual([0, 1]);
  });

  it("an output the sink's serde cannot write fails, naming the topic", () => {
    const b = new StreamsBuilder();
    b.stream<string, number>("in")
      .selectKey((_k, v) => v)
      .to("out");
    const d = new TopologyTestDriver(b.build());
    expect(() => d.createInputTopic<string, number>("in").pipeInput("k", 7)).toThrow(
      /cannot serialize a record for out .*String serde got a number/,
    );
  });
});
