// A partition's transaction bookkeeping (src/log/transactions.ts) and the markers and
// read_committed filter it shares with readers (src/protocol/transactions.ts).

import { describe, expect, it } from "vitest";
import {
  ATTR_TRANSACTIONAL,
  decodeRecords,
  encodeBatch,
  isControlBatch,
  readBatchHeader,
  setBaseOffset,
  validateBatches,
} from "../../src/protocol/record-batch.js";
import { committedBatches, decodeMarker, encodeMarker } from "../../src/protocol/transactions.js";
import { TxnTracker } from "../../src/log/transactions.js";
import { MemoryTxnStore } from "../support/txn-store.js";

const enc = new TextEncoder();

/** A small log: appends batches at dense offsets and feeds the tracker as the partition does. */
class Log {
  readonly batches: Uint8Array[] = [];
  readonly store = new MemoryTxnStore();
  tracker = new TxnTracker(this.store);
  end = 0;

  data(pid: number, values: string[], txnSeq = 1, epoch = 0): number {
    const b = encodeBatch(
      values.map((v) => ({ key: null, value: enc.encode(v), timestamp: 1 })),
      pid < 0 ? {} : { producerId: pid, producerEpoch: epoch, baseSequence: 0, attributes: ATTR_TRANSACTIONAL },
    );
    return this.#append(b, pid < 0 ? undefined : { txnSeq, transactionalId: `t${pid}` });
  }

  marker(pid: number, type: "COMMIT" | "ABORT", epoch = 0): number {
    return this.#append(encodeMarker({ producerId: pid, producerEpoch: epoch, type, timestamp: 2 }));
  }

  #append(b: Uint8Array, origin?: { txnSeq: number; transactionalId: string }): number {
    const base = this.end;
    setBaseOffset(b, base);
    const h = readBatchHeader(b);
    this.tracker.observe(h, b, 100, origin);
    this.batches.push(b);
    this.end = base + h.lastOffsetDelta + 1;
    return base;
  }

  /** Cuts the log at `offset` as a failover's truncation does, and rebuilds the books from the rest. */
  truncate(offset: number): void {
    const headers = (from: number, to: number) =>
      this.batches
        .map((b) => readBatchHeader(b))
        .filter((h) => h.baseOffset >= from && h.baseOffset < to)
        .reverse()
        .map((h) => ({ h, last: h.baseOffset + h.lastOffsetDelta }));
    this.tracker.truncate(offset, headers);
    this.batches.splice(this.batches.findIndex((b) => readBatchHeader(b).baseOffset >= offset));
    this.end = offset;
  }

  /** What read_committed shows: values below the LSO, aborted transactions and markers left out. */
  committed(): string[] {
    const lso = this.tracker.lastStableOffset(this.end);
    const below = this.batches.filter((b) => readBatchHeader(b).baseOffset < lso);
    const aborted = this.tracker.aborted(0, lso).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
    return committedBatches(below, aborted).flatMap((b) =>
      decodeRecords(b).map((r) => new TextDecoder().decode(r.value!)),
    );
  }
}

describe("markers", () => {
  it("encode as Kafka's control batches and decode back", () => {
    const b = encodeMarker({ producerId: 7, producerEpoch: 3, type: "COMMIT", timestamp: 5, coordinatorEpoch: 2 });
    const h = readBatchHeader(b);
    expect(h.attributes & 0x30).toBe(0x30);
    expect([h.producerId, h.producerEpoch, h.baseSequence, h.recordCount]).toEqual([7, 3, -1, 1]);
    const [r] = decodeRecords(b);
    expect([...r!.key!]).toEqual([0, 0, 0, 1]); // version 0, type COMMIT (1)
    expect([...r!.value!]).toEqual([0, 0, 0, 0, 0, 2]); // version 0, coordinator epoch 2
    expect(decodeMarker(b)).toEqual({ type: "COMMIT", coordinatorEpoch: 2 });
    expect(isControlBatch(b)).toBe(true);
    expect(
      isControlBatch(encodeBatch([{ key: null, value: null, timestamp: 1 }], { attributes: ATTR_TRANSACTIONAL })),
    ).toBe(false);
    expect(decodeMarker(encodeMarker({ producerId: 7, producerEpoch: 3, type: "ABORT", timestamp: 5 })).type).toBe(
      "ABORT",
    );
  });

  it("clients may not write them, and transactional batches only with a transactional id", () => {
    const m = encodeMarker({ producerId: 7, producerEpoch: 0, type: "ABORT", timestamp: 5 });
    expect(() => validateBatches(m, { transactional: true })).toThrow(/control batch/);
    const t = encodeBatch([{ key: null, value: null, timestamp: 1 }], {
      producerId: 7,
      producerEpoch: 0,
      baseSequence: 0,
      attributes: ATTR_TRANSACTIONAL,
    });
    expect(() => validateBatches(t)).toThrow(/names no transactional id/);
    expect(validateBatches(t, { transactional: true })).toHaveLength(1);
    const plain = encodeBatch([{ key: null, value: null, timestamp: 1 }]);
    expect(() => validateBatches(plain, { transactional: true })).toThrow(/not transactional/);
  });
});

describe("partition bookkeeping", () => {
  it("holds the LSO at the oldest open transaction's first offset and moves it at each marker", () => {
    const log = new Log();
    log.data(-1, ["plain"]);
    expect(log.tracker.lastStableOffset(log.end)).toBe(1);
    const a = log.data(1, ["a1", "a2"]);
    log.data(-1, ["plain2"]);
    const b = log.data(2, ["b1"]);
    expect(log.tracker.lastStableOffset(log.end)).toBe(a);
    expect(log.committed()).toEqual(["plain"]);
    log.marker(1, "COMMIT");
    expect(log.tracker.lastStableOffset(log.end)).toBe(b);
    expect(log.committed()).toEqual(["plain", "a1", "a2", "plain2"]);
    log.data(1, ["a3"], 2); // producer 1's next transaction, after b's start
    log.marker(2, "ABORT");
    // b is aborted: left out; a3 is open: the LSO stops there.
    expect(log.committed()).toEqual(["plain", "a1", "a2", "plain2"]);
    // The aborted range runs from b to its ABORT marker, past the other producers' batches in between.
    expect(log.tracker.aborted(0, log.end)).toEqual([{ producerId: 2, firstOffset: b, lastOffset: log.end - 1 }]);
    log.marker(1, "COMMIT");
    expect(log.committed()).toEqual(["plain", "a1", "a2", "plain2", "a3"]);
    expect(log.tracker.lastStableOffset(log.end)).toBe(log.end);
  });

  it("survives a restart: the open transactions are read back from the store", () => {
    const log = new Log();
    log.data(1, ["x"], 5);
    log.tracker = new TxnTracker(log.store);
    expect(log.tracker.openFor(1)).toMatchObject({ firstOffset: 0, txnSeq: 5, transactionalId: "t1" });
    expect(log.tracker.lastStableOffset(log.end)).toBe(0);
  });

  it("ignores a marker for another transaction of the same producer, or one older than what is open", () => {
    const log = new Log();
    log.data(1, ["x"], 5, 3);
    expect(log.tracker.endedBy({ producerId: 1, producerEpoch: 3, txnSeq: 4 })).toBeUndefined();
    expect(log.tracker.endedBy({ producerId: 1, producerEpoch: 2, txnSeq: 5 })).toBeUndefined();
    expect(log.tracker.endedBy({ producerId: 2, producerEpoch: 3, txnSeq: 5 })).toBeUndefined();
    expect(log.tracker.endedBy({ producerId: 1, producerEpoch: 4, txnSeq: 5 })?.firstOffset).toBe(0);
    expect(log.tracker.needsCheck(1, 3)).toBe(false);
    expect(log.tracker.needsCheck(1, 4)).toBe(true);
    expect(log.tracker.needsCheck(2, 0)).toBe(true);
  });
});

describe("truncation (a failover cut the log)", () => {
  /** 0-1 p1 aborted (marker 2), 3 plain, 4 p2 open, 5 p1 again, 6 p3 committed (marker 7), 8 p2, 9 p1 ABORT. */
  function history(): Log {
    const log = new Log();
    log.data(1, ["a1", "a2"], 1);
    log.marker(1, "ABORT");
    log.data(-1, ["plain"]);
    log.data(2, ["b1"], 1);
    log.data(1, ["a3"], 2);
    log.data(3, ["c1"], 1);
    log.marker(3, "COMMIT");
    log.data(2, ["b2"], 1);
    log.marker(1, "ABORT");
    return log;
  }

  const books = (log: Log) => ({
    open: log.tracker.open().map((t) => [t.producerId, t.firstOffset, t.lastOffset]),
    aborted: log.tracker.aborted(0, 100).map((a) => [a.producerId, a.firstOffset, a.lastOffset]),
    lso: log.tracker.lastStableOffset(log.end),
  });

  it("keeps what the remaining markers say, and an open transaction's start, when only data is cut", () => {
    const log = history();
    log.truncate(9);
    expect(books(log)).toEqual({
      open: [
        [2, 4, 8],
        [1, 5, 5],
      ],
      aborted: [[1, 0, 2]],
      lso: 4,
    });
  });

  it("reopens a transaction whose marker was cut, and forgets an abort whose marker was cut", () => {
    const log = history();
    log.truncate(7); // cuts p3's COMMIT, p2's b2 and p1's second ABORT
    expect(books(log)).toEqual({
      open: [
        [2, 4, 4],
        [1, 5, 5],
        [3, 6, 6],
      ],
      aborted: [[1, 0, 2]],
      lso: 4,
    });
    log.truncate(2); // cuts the first ABORT: p1's a1, a2 are an open transaction again
    expect(books(log)).toEqual({ open: [[1, 0, 1]], aborted: [], lso: 0 });
  });

  it("drops a transaction whose batches were all cut, and the LSO follows", () => {
    const log = history();
    log.truncate(4);
    expect(books(log)).toEqual({ open: [], aborted: [[1, 0, 2]], lso: 4 });
    expect(log.committed()).toEqual(["plain"]);
    // The books go on from there as on any leader: a new transaction of p2 opens at the end.
    log.data(2, ["b3"], 2);
    expect(books(log).open).toEqual([[2, 4, 4]]);
  });
});

describe("the read_committed filter (a Kafka consumer's)", () => {
  it("drops an aborted producer's batches from its listed first offset to its ABORT marker only", () => {
    const log = new Log();
    log.data(1, ["a-before"], 1);
    log.marker(1, "COMMIT");
    const first = log.data(1, ["a-aborted"], 2);
    log.data(2, ["b"], 1);
    log.data(1, ["a-aborted-2"], 2);
    log.marker(1, "ABORT");
    log.marker(2, "COMMIT");
    log.data(1, ["a-after"], 3);
    log.marker(1, "COMMIT");
    const values = committedBatches(log.batches, [{ producerId: 1, firstOffset: first }]).flatMap((b) =>
      decodeRecords(b).map((r) => new TextDecoder().decode(r.value!)),
    );
    expect(values).toEqual(["a-before", "b", "a-after"]);
  });
});
