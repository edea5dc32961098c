// Source batches become appendable local batches with every record's key, value, headers and timestamp intact.

import { describe, expect, it } from "vitest";
import { prepareSourceBatches } from "../../src/mirror/batches.js";
import {
  clearProducer,
  decodeRecords,
  encodeBatch,
  filterBatch,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
  validateBatches,
  type RecordInput,
} from "../../src/protocol/record-batch.js";
import { concat } from "../../src/util/bytes.js";
import { ATTR_TRANSACTIONAL } from "../../src/protocol/record-batch.js";
import { encodeMarker } from "../../src/protocol/transactions.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const T0 = 1_700_000_000_000;

function records(from: number, n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: utf8(`k${from + i}`),
    value: utf8(`v${from + i}`),
    headers: [{ key: "h", value: utf8(`${from + i}`) }],
    timestamp: T0 + (from + i) * 7,
  }));
}

/** A batch as a source log stores it: at its offset, optionally from an idempotent producer. */
function stored(base: number, n: number, producer = false): Uint8Array {
  const b = encodeBatch(records(base, n), producer ? { producerId: 42, producerEpoch: 3, baseSequence: base } : {});
  setBaseOffset(b, base);
  return b;
}

/** What a consumer of the copy sees: everything but the offsets. */
const seen = (buf: Uint8Array) => {
  const out = [];
  for (let pos = 0; pos < buf.length; ) {
    const h = readBatchHeader(buf, pos);
    for (const r of decodeRecords(buf, pos))
      out.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
    pos += h.size;
  }
  return out;
};

describe("prepareSourceBatches", () => {
  it("passes whole batches through, clearing idempotent producer fields with a valid CRC", () => {
    const src = concat([stored(10, 3, true), stored(13, 2)]);
    const slice = prepareSourceBatches(src, 10);
    expect(slice.next).toBe(15);
    expect(slice.records).toBe(5);
    const headers = validateBatches(slice.batches);
    expect(headers.map((h) => [h.producerId, h.producerEpoch, h.baseSequence])).toEqual([
      [-1, -1, -1],
      [-1, -1, -1],
    ]);
    expect(seen(slice.batches)).toEqual(seen(src));
  });

  it("drops the records of a first batch that lie below `from` and skips batches wholly below it", () => {
    const src = concat([stored(0, 4), stored(4, 4)]);
    const slice = prepareSourceBatches(src, 6);
    expect(slice.next).toBe(8);
    expect(slice.records).toBe(2);
    expect(seen(slice.batches)).toEqual(records(6, 2));
  });

  it("keeps the source's append times of a LogAppendTime batch as create times", () => {
    const b = stored(0, 2);
    setLogAppendTime(b, T0 + 999);
    const slice = prepareSourceBatches(b, 0);
    expect(seen(slice.batches).map((r) => r.timestamp)).toEqual([T0 + 999, T0 + 999]);
    expect(validateBatches(slice.batches)[0]!.attributes & 0x08).toBe(0);
  });

  it("makes a compacted batch's offsets dense again, keeping its surviving records", () => {
    const compacted = filterBatch(stored(20, 4), (_, i) => i % 2 === 1)!;
    const slice = prepareSourceBatches(compacted, 20);
    expect(slice.next).toBe(24);
    expect(seen(slice.batches)).toEqual([records(21, 1)[0], records(23, 1)[0]]);
    expect(() => validateBatches(slice.batches)).not.toThrow();
  });

  it("yields nothing to append, but the progress past it, when every record was copied already", () => {
    const slice = prepareSourceBatches(stored(0, 3), 3);
    expect(slice.batches.length).toBe(0);
    expect(slice.next).toBe(3);
  });
});

describe("clearProducer", () => {
  it("leaves a non-idempotent batch untouched", () => {
    const b = stored(0, 2);
    const before = b.slice();
    clearProducer(b);
    expect(b).toEqual(before);
  });

  it("copies committed data only: aborted transactions and markers are left out, the progress moves past them", () => {
    const txn = (base: number, pid: number) => {
      const b = encodeBatch(records(base, 1), {
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 0,
        attributes: ATTR_TRANSACTIONAL,
      });
      setBaseOffset(b, base);
      return b;
    };
    const marker = (base: number, pid: number, type: "COMMIT" | "ABORT") => {
      const b = encodeMarker({ producerId: pid, producerEpoch: 0, type, timestamp: T0 });
      setBaseOffset(b, base);
      return b;
    };
    // 0: plain; 1: producer 7 (aborted); 2: producer 8 (committed); 3: 7's abort; 4: 8's commit.
    const src = concat([stored(0, 1), txn(1, 7), txn(2, 8), marker(3, 7, "ABORT"), marker(4, 8, "COMMIT")]);
    const slice = prepareSourceBatches(src, 0, [{ producerId: 7, firstOffset: 1 }]);
    expect(seen(slice.batches).map((r) => new TextDecoder().decode(r.value!))).toEqual(["v0", "v2"]);
    expect(slice.next).toBe(5);
    // The copy holds no transactions: what it appends is plain, valid data.
    for (const h of validateBatches(slice.batches)) expect([h.attributes & 0x30, h.producerId]).toEqual([0, -1]);
  });
});
