// Planning a JSON produce request: partitions as Kafka's producer picks them, the idempotent
// producer's sequences, batches within max.message.bytes, and the reply in request order.

import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/protocol/errors.js";
import { partitionForKey } from "../../src/protocol/murmur2.js";
import { readBatchHeader } from "../../src/protocol/record-batch.js";
import { baseSequences, planBatches, routeRecords, stitchReplies } from "../../src/router/produce-plan.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** The headers of the concatenated batches in a plan's body. */
function headers(body: Uint8Array) {
  const out = [];
  for (let pos = 0; pos < body.byteLength; ) {
    const h = readBatchHeader(body, pos);
    out.push(h);
    pos += h.size;
  }
  return out;
}

describe("routeRecords", () => {
  it("puts keyed records where murmur2 does, an explicit partition where it says, null keys on one sticky partition", () => {
    let stickyAsked = 0;
    const routed = routeRecords(
      [{ key: "user-1", value: 1 }, { value: 2 }, { key: "user-2", value: 3, partition: 5 }, { value: 4 }],
      "json",
      8,
      null,
      1_000,
      () => (stickyAsked++, 6),
    );
    expect(routed.partitionOf).toEqual([partitionForKey(utf8("user-1"), 8), 6, 5, 6]);
    expect(stickyAsked).toBe(2);
    expect(routed.byPartition.get(6)).toEqual([1, 3]);
    expect(routed.inputs[1]!.timestamp).toBe(1_000);
  });

  it("sends every record to the route's partition, and names the record it refuses", () => {
    const routed = routeRecords([{ key: "a", value: 1 }, { value: 2 }], "json", 8, 3, 0, () => 0);
    expect(routed.partitionOf).toEqual([3, 3]);
    expect(() => routeRecords([{ value: 1 }, { value: 2 }], "string", 1, null, 0, () => 0)).toThrow(
      /records\[0\]: with format string/,
    );
  });
});

describe("baseSequences", () => {
  const byPartition = (...ps: number[]) => new Map(ps.map((p) => [p, [0]]));

  it("takes sequence for one partition, sequences for several", () => {
    expect(baseSequences({ id: "1", epoch: 0, sequence: 4 }, byPartition(2))).toEqual(new Map([[2, 4]]));
    expect(baseSequences({ id: "1", epoch: 0, sequences: { "0": 1, "2": 7 } }, byPartition(0, 2))).toEqual(
      new Map([
        [0, 1],
        [2, 7],
      ]),
    );
  });

  it("refuses a sequence for several partitions, and sequences that miss or add one", () => {
    const refused = (f: () => unknown) => expect(f).toThrow(EdgelogError);
    refused(() => baseSequences({ id: "1", epoch: 0, sequence: 0 }, byPartition(0, 1)));
    refused(() => baseSequences({ id: "1", epoch: 0, sequences: { "0": 0 } }, byPartition(0, 1)));
    refused(() => baseSequences({ id: "1", epoch: 0, sequences: { "0": 0, "3": 0 } }, byPartition(0)));
  });
});

describe("planBatches", () => {
  const inputs = Array.from({ length: 30 }, (_, i) => ({
    key: null,
    value: utf8("x".repeat(100) + i),
    headers: [],
    timestamp: i,
  }));
  const all = inputs.map((_, i) => i);

  it("splits into batches within max.message.bytes, in order, carrying consecutive sequences", () => {
    const plan = planBatches(0, all, inputs, 1_000, { producerId: 9, producerEpoch: 1, baseSequence: 40 });
    expect(plan.groups.length).toBeGreaterThan(1);
    expect(plan.groups.flat()).toEqual(all);
    const hs = headers(plan.body);
    expect(hs).toHaveLength(plan.groups.length);
    let next = 40;
    hs.forEach((h, k) => {
      expect(h.size).toBeLessThanOrEqual(1_000);
      expect([h.producerId, h.producerEpoch, h.baseSequence]).toEqual([9, 1, next]);
      expect(h.recordCount).toBe(plan.groups[k]!.length);
      next += h.recordCount;
    });
  });

  it("refuses one record larger than max.message.bytes with MESSAGE_TOO_LARGE naming it", () => {
    const big = [...inputs.slice(0, 2), { key: null, value: new Uint8Array(2_000), headers: [], timestamp: 0 }];
    expect(() => planBatches(0, [0, 1, 2], big, 1_000)).toThrow(
      expect.objectContaining({ code: "MESSAGE_TOO_LARGE", message: expect.stringMatching(/^records\[2\]/) }),
    );
  });
});

describe("stitchReplies", () => {
  it("answers each record in request order: its offset, or its partition's error", () => {
    const inputs = [0, 1, 2, 3].map((i) => ({ key: null, value: null, headers: [], timestamp: 100 + i }));
    const plans = [
      { partition: 0, body: new Uint8Array(0), groups: [[0], [2]] },
      { partition: 1, body: new Uint8Array(0), groups: [[1, 3]] },
    ];
    const down = new EdgelogError("LEADER_NOT_AVAILABLE", "busy");
    const ok = stitchReplies(
      plans,
      [
        {
          ok: true,
          batches: [
            { baseOffset: 10, logAppendTime: -1 },
            { baseOffset: 11, logAppendTime: 5_000, duplicate: true },
          ],
        },
        { ok: false, error: down },
      ],
      inputs,
    );
    expect(ok.firstError).toBe(down);
    expect(ok.records).toEqual([
      { partition: 0, offset: 10, timestamp: 100 },
      { partition: 1, error: down.toBody() },
      { partition: 0, offset: 11, timestamp: 5_000, duplicate: true },
      { partition: 1, error: down.toBody() },
    ]);
  });
});
