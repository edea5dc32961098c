// The produce body's zod-free check must agree with ProduceRequestSchema: whatever it accepts, the
// schema accepts with the same output; whatever the schema refuses, it leaves to the schema.

import { describe, expect, it } from "vitest";
import { ProduceRequestSchema } from "../../src/protocol/api.js";
import { conformingProduceRequest } from "../../src/router/produce-input.js";
import { planBatches, replyJson, routeRecords, stitchReplies } from "../../src/router/produce-plan.js";

const producer = { id: "12345", epoch: 0, sequence: 7 };
const accepted: unknown[] = [
  { records: [{ value: { a: 1 } }] },
  { records: [{ value: "x", key: "k", partition: 3, timestamp: 5, headers: { h: "v", n: null } }], format: "string" },
  {
    records: [
      { key: null, value: null },
      { key_b64: "AAE=", value: "AAE=" },
    ],
    format: "binary",
    acks: "all",
  },
  { records: [{ value: 1, partition: null, timestamp: null }], acks: 0 },
  { records: [{ value: [1, 2] }, {}], acks: -1, producer },
  { records: [{ value: 1 }], producer: { id: "1", epoch: 2, sequences: { "0": 1, "3": 0 }, transactional_id: "t" } },
];
const refused: unknown[] = [
  null,
  [],
  "records",
  {},
  { records: [] },
  { records: {} },
  { records: [{ value: 1 }], extra: true },
  { records: [{ value: 1, extra: true }] },
  { records: [{ value: 1, key: 5 }] },
  { records: [{ value: 1, key_b64: null }] },
  { records: [{ value: 1, partition: -1 }] },
  { records: [{ value: 1, partition: 1.5 }] },
  { records: [{ value: 1, partition: 1024 }] },
  { records: [{ value: 1, timestamp: -1 }] },
  { records: [{ value: 1, timestamp: 2 ** 53 }] },
  { records: [{ value: 1, headers: { h: 1 } }] },
  { records: [{ value: 1, headers: ["v"] }] },
  { records: [{ value: 1, headers: null }] },
  { records: [null] },
  { records: [[1]] },
  { records: [{ value: 1 }], format: "avro" },
  { records: [{ value: 1 }], acks: 2 },
  { records: [{ value: 1 }], acks: "1" },
  { records: [{ value: 1 }], producer: { id: "x", epoch: 0, sequence: 0 } },
  { records: [{ value: 1 }], producer: { id: "1", epoch: 0 } },
  JSON.parse('{"records":[{"value":1,"__proto__":{"x":1}}]}'),
  JSON.parse('{"records":[{"value":1,"headers":{"__proto__":"v"}}]}'),
];

describe("the produce body's check without zod", () => {
  it("answers what the schema answers for bodies it accepts", () => {
    for (const body of accepted) {
      const fast = conformingProduceRequest(body);
      expect(fast, JSON.stringify(body)).toBeDefined();
      expect(fast).toEqual(ProduceRequestSchema.parse(body));
    }
  });

  it("leaves every body the schema refuses to the schema (which words the error)", () => {
    for (const body of refused) {
      const schema = ProduceRequestSchema.safeParse(body);
      const fast = conformingProduceRequest(body);
      if (schema.success) expect(fast === undefined || JSON.stringify(fast) === JSON.stringify(schema.data)).toBe(true);
      else expect(fast, JSON.stringify(body)).toBeUndefined();
    }
    // The list holds refusals, not only bodies the fast check declines.
    expect(refused.filter((b) => !ProduceRequestSchema.safeParse(b).success).length).toBeGreaterThan(20);
  });
});

describe("replyJson", () => {
  it("is the text of stitchReplies' records, in request order across partitions and batches", () => {
    const routed = routeRecords(
      Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, value: i, timestamp: 100 + i })),
      "json",
      3,
      null,
      1,
      () => 0,
    );
    const plans = [...routed.byPartition].map(([p, idx]) => planBatches(p, idx, routed.inputs, 120));
    expect(plans.some((p) => p.groups.length > 1)).toBe(true);
    const outcomes = plans.map((p, k) =>
      p.groups.map((g, b) => ({ baseOffset: 1000 * k + 10 * b, logAppendTime: k === 1 ? 5_000 : -1 })),
    );
    const stitched = stitchReplies(
      plans,
      outcomes.map((batches) => ({ ok: true as const, batches })),
      routed.inputs,
    );
    expect(replyJson(plans, outcomes, routed.inputs)).toBe(JSON.stringify({ records: stitched.records }));
  });

  it("leaves a reply with a duplicate batch to stitchReplies", () => {
    const routed = routeRecords([{ value: 1 }], "json", 1, 0, 1, () => 0);
    const plans = [planBatches(0, [0], routed.inputs, 1000)];
    expect(replyJson(plans, [[{ baseOffset: 0, logAppendTime: -1, duplicate: true }]], routed.inputs)).toBeUndefined();
  });
});
