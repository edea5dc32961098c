// Planning fetch replies: read bounds, the next raw offset, and POST /v1/fetch's partitions with
// their soft byte budget and per-partition errors.

import { describe, expect, it } from "vitest";
import {
  FETCH_DEFAULT_MAX_BYTES,
  FETCH_DEFAULT_MAX_RECORDS,
  FETCH_MAX_RECORDS_CAP,
} from "../../src/protocol/constants.js";
import { EdgelogError } from "../../src/protocol/errors.js";
import { ATTR_TRANSACTIONAL, encodeBatch, readBatchHeader, setBaseOffset } from "../../src/protocol/record-batch.js";
import { encodeMarker } from "../../src/protocol/transactions.js";
import { fromBase64 } from "../../src/util/base64.js";
import { multiFetchReply, nextRawOffset, readLimits } from "../../src/router/fetch-plan.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** One batch of `n` JSON records from `base`. */
function batch(base: number, n: number): Uint8Array {
  const b = encodeBatch(
    Array.from({ length: n }, (_, i) => ({ key: null, value: utf8(JSON.stringify(base + i)), timestamp: 1 })),
  );
  setBaseOffset(b, base);
  return b;
}

const read = (batches: Uint8Array[]) => ({
  ok: true as const,
  read: { batches, highWatermark: 20, logStartOffset: 0, lastStableOffset: 20 },
});

describe("readLimits and nextRawOffset", () => {
  it("default JSON reads to the documented record count, raw reads to the cap, both to the default bytes", () => {
    expect(readLimits(false, {})).toEqual({ maxRecords: FETCH_DEFAULT_MAX_RECORDS, maxBytes: FETCH_DEFAULT_MAX_BYTES });
    expect(readLimits(true, {})).toEqual({ maxRecords: FETCH_MAX_RECORDS_CAP, maxBytes: FETCH_DEFAULT_MAX_BYTES });
    expect(readLimits(true, { max_records: 3, max_bytes: 10 })).toEqual({ maxRecords: 3, maxBytes: 10 });
  });

  it("continues after the last whole batch, or where the read asked when it found none", () => {
    expect(nextRawOffset([batch(4, 3), batch(7, 2)], 5)).toBe(9);
    expect(nextRawOffset([], 5)).toBe(5);
  });
});

describe("multiFetchReply", () => {
  const wanted = [
    { topic: "a", partition: 0, offset: 1 },
    { topic: "a", partition: 1, offset: 0 },
    { topic: "b", partition: 0, offset: 9 },
  ];

  it("answers each partition in order: records from its offset, or its own error with the offsets beside it", () => {
    const gone = new EdgelogError("OFFSET_OUT_OF_RANGE", "offset 9 is past the end", {
      log_start_offset: 0,
      high_watermark: 3,
    });
    const reply = multiFetchReply(wanted, [read([batch(0, 3)]), read([]), { ok: false, error: gone }], "json", 500);
    expect(reply[0]).toMatchObject({
      topic: "a",
      partition: 0,
      next_offset: 3,
      high_watermark: 20,
      log_start_offset: 0,
    });
    expect(reply[0]!.records!.map((r) => r.value)).toEqual([1, 2]);
    expect(reply[1]).toMatchObject({ topic: "a", partition: 1, records: [], next_offset: 0 });
    expect(reply[2]).toMatchObject({
      topic: "b",
      partition: 0,
      log_start_offset: 0,
      high_watermark: 3,
      error: { code: "OFFSET_OUT_OF_RANGE", retriable: false },
    });
  });

  it("spends max_bytes as a soft cap: the first partition whole, later ones empty at their offsets", () => {
    const big = batch(0, 50);
    const reply = multiFetchReply(wanted.slice(0, 2), [read([big]), read([batch(0, 2)])], "batches", 500, 10);
    expect(fromBase64(reply[0]!.batches_b64!)).toEqual(big);
    expect(reply[0]!.next_offset).toBe(50);
    expect(reply[1]).toMatchObject({ batches_b64: "", next_offset: 0 });
  });

  it("under read_committed: JSON leaves aborted transactions out; raw batches list them, as Kafka's Fetch", () => {
    const txn = (base: number, pid: number) => {
      const b = encodeBatch([{ key: null, value: utf8(JSON.stringify(`p${pid}`)), timestamp: 1 }], {
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 0,
        attributes: ATTR_TRANSACTIONAL,
      });
      setBaseOffset(b, base);
      return b;
    };
    const marker = (base: number, pid: number, type: "COMMIT" | "ABORT") => {
      const b = encodeMarker({ producerId: pid, producerEpoch: 0, type, timestamp: 1 });
      setBaseOffset(b, base);
      return b;
    };
    const log = [txn(0, 7), txn(1, 8), marker(2, 7, "ABORT"), marker(3, 8, "COMMIT")];
    const outcome = {
      ok: true as const,
      read: {
        batches: log,
        highWatermark: 4,
        logStartOffset: 0,
        lastStableOffset: 4,
        aborted: [{ producerId: 7, firstOffset: 0 }],
      },
    };
    const at0 = [{ topic: "a", partition: 0, offset: 0 }];
    const json = multiFetchReply(at0, [outcome], "json", 500, undefined, undefined, true)[0]!;
    expect(json.records!.map((r) => r.value)).toEqual(["p8"]);
    expect(json).toMatchObject({ next_offset: 4, last_stable_offset: 4 });
    expect(json.aborted_transactions).toBeUndefined();
    const raw = multiFetchReply(at0, [outcome], "batches", 500, undefined, undefined, true)[0]!;
    expect(raw.aborted_transactions).toEqual([{ producer_id: "7", first_offset: 0 }]);
    const bytes = fromBase64(raw.batches_b64!)!;
    expect(readBatchHeader(bytes).producerId).toBe(7); // unfiltered: the reader skips it
    // read_uncommitted: every data record, no aborted list; markers are never records.
    const all = multiFetchReply(at0, [outcome], "json", 500)[0]!;
    expect(all.records!.map((r) => r.value)).toEqual(["p7", "p8"]);
  });
});
