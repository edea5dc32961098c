// A partition's transaction bookkeeping (Kafka's ProducerStateManager ongoing transactions and
// the aborted-transaction index): which producers have a transaction open here and from which
// offset, the aborted ranges, and the last stable offset. Fed every batch the log takes, in offset
// order, so a leader and a follower copying its batches keep the same books.

import { decodeMarker } from "../protocol/transactions.js";
import { isControl, isTransactional, type BatchHeader } from "../protocol/record-batch.js";

export interface OpenTxn {
  producerId: number;
  producerEpoch: number;
  /** The transaction's first offset in this partition: the LSO cannot pass it. */
  firstOffset: number;
  lastOffset: number;
  /** The coordinator's number for the transaction (null on a follower's copy, which never takes markers). */
  txnSeq: number | null;
  transactionalId: string | null;
  /** When its first batch was appended here (ms). */
  startedAt: number;
}

/** An aborted transaction: its producer's transactional batches in [firstOffset, lastOffset] are not committed. */
export interface AbortedRange {
  producerId: number;
  firstOffset: number;
  /** The ABORT marker's offset (Kafka's AbortedTxn.lastOffset). */
  lastOffset: number;
}

/** Who opened a transaction on the leader: what the coordinator answered the partition's check. */
export interface TxnOrigin {
  txnSeq: number;
  transactionalId: string;
}

/** Where the books are kept: SQLite in a partition object (SqlTxnStore), memory in unit tests. */
export interface TxnStore {
  loadOpen(): OpenTxn[];
  saveOpen(t: OpenTxn): void;
  deleteOpen(producerId: number): void;
  addAborted(a: AbortedRange): void;
  /** Ranges with firstOffset <= to and lastOffset >= from, in firstOffset order. */
  abortedBetween(from: number, to: number): AbortedRange[];
  /** Forgets ranges wholly at or below `offset` (archived with their segment, or below the log start). */
  deleteAbortedThrough(offset: number): void;
  /** Forgets ranges whose ABORT marker is at or after `offset` (a truncation cut the marker away). */
  deleteAbortedFrom(offset: number): void;
  clear(): void;
}

export class TxnTracker {
  #open = new Map<number, OpenTxn>();

  constructor(private readonly store: TxnStore) {
    this.reload();
  }

  /** Re-reads the open transactions, after a rolled-back append or a reset. */
  reload(): void {
    this.#open = new Map(this.store.loadOpen().map((t) => [t.producerId, t]));
  }

  /**
   * Takes one batch the log appended at [h.baseOffset, last]. A transactional data batch opens its
   * producer's transaction here, or extends it; a control batch ends it, recording the range when
   * it was an abort. A marker for a producer with nothing open changes nothing (a retried or
   * superseded marker, or one for a transaction that never wrote here).
   */
  observe(h: BatchHeader, batch: Uint8Array, now: number, origin?: TxnOrigin): void {
    if (!isTransactional(h) && !isControl(h)) return;
    const last = h.baseOffset + h.lastOffsetDelta;
    const open = this.#open.get(h.producerId);
    if (isControl(h)) {
      if (!open) return;
      this.#open.delete(h.producerId);
      this.store.deleteOpen(h.producerId);
      if (decodeMarker(batch).type === "ABORT") {
        this.store.addAborted({ producerId: h.producerId, firstOffset: open.firstOffset, lastOffset: last });
      }
      return;
    }
    const next: OpenTxn = open
      ? { ...open, lastOffset: last, producerEpoch: Math.max(open.producerEpoch, h.producerEpoch) }
      : {
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          firstOffset: h.baseOffset,
          lastOffset: last,
          txnSeq: origin?.txnSeq ?? null,
          transactionalId: origin?.transactionalId ?? null,
          startedAt: now,
        };
    this.#open.set(h.producerId, next);
    this.store.saveOpen(next);
  }

  /** The first offset of the oldest open transaction, or null when none is open. */
  get firstUnstableOffset(): number | null {
    let first: number | null = null;
    for (const t of this.#open.values()) if (first === null || t.firstOffset < first) first = t.firstOffset;
    return first;
  }

  /** Kafka's last stable offset: read_committed readers stop here. */
  lastStableOffset(highWatermark: number): number {
    const first = this.firstUnstableOffset;
    return first === null ? highWatermark : Math.min(first, highWatermark);
  }

  openFor(producerId: number): OpenTxn | undefined {
    return this.#open.get(producerId);
  }

  /**
   * Whether a transactional write needs the coordinator's check first (KIP-890): it does unless
   * this producer's transaction is already open here at the same epoch (registered by its first write).
   */
  needsCheck(producerId: number, producerEpoch: number): boolean {
    return this.#open.get(producerId)?.producerEpoch !== producerEpoch;
  }

  /**
   * The open transaction a coordinator's marker ends, or undefined when the marker is to be
   * ignored: nothing is open for the producer (a retried marker, or a transaction that never
   * wrote here), or what is open is another transaction (a late marker of an earlier one) or has
   * a newer epoch than the marker's.
   */
  endedBy(m: { producerId: number; producerEpoch: number; txnSeq: number }): OpenTxn | undefined {
    const open = this.#open.get(m.producerId);
    if (!open || m.producerEpoch < open.producerEpoch) return undefined;
    return open.txnSeq === null || open.txnSeq === m.txnSeq ? open : undefined;
  }

  /** Open transactions, oldest first. */
  open(): OpenTxn[] {
    return [...this.#open.values()].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  get anyOpen(): boolean {
    return this.#open.size > 0;
  }

  aborted(from: number, to: number): AbortedRange[] {
    return this.store.abortedBetween(from, to);
  }

  forgetAbortedThrough(offset: number): void {
    this.store.deleteAbortedThrough(offset);
  }

  /**
   * The log was cut at `offset` (a failover truncated a divergent suffix): the books go back to
   * what the remaining log says, as Kafka rebuilds its producer state on truncation. An abort whose
   * marker was cut is no aborted range any more; a transaction whose marker was cut is open again
   * from its first remaining batch; one whose batches were all cut is gone; one open across the cut
   * keeps its start and ends at its last remaining batch. `batches(from, to)` yields the headers of
   * the remaining hot batches in [from, to), newest first; the scan stops once every producer
   * concerned met its previous marker (a transaction's first batch is never archived: segments
   * are sealed below the last stable offset).
   */
  truncate(offset: number, batches: (from: number, to: number) => Iterable<{ h: BatchHeader; last: number }>): void {
    this.store.deleteAbortedFrom(offset);
    const concerned = new Set(this.#open.keys());
    for (const { h } of batches(offset, Number.MAX_SAFE_INTEGER)) if (isControl(h)) concerned.add(h.producerId);
    const found = new Map<number, { first: number; last: number; epoch: number }>();
    for (const { h, last } of concerned.size > 0 ? batches(0, offset) : []) {
      if (!concerned.has(h.producerId)) continue;
      if (isControl(h)) {
        concerned.delete(h.producerId);
        if (concerned.size === 0) break;
        continue;
      }
      if (!isTransactional(h)) continue;
      const f = found.get(h.producerId);
      if (f) {
        f.first = h.baseOffset;
        f.epoch = Math.max(f.epoch, h.producerEpoch);
      } else found.set(h.producerId, { first: h.baseOffset, last, epoch: h.producerEpoch });
      // Down to the first batch of a transaction open across the cut: nothing older is its.
      if (this.#open.get(h.producerId)?.firstOffset === h.baseOffset) concerned.delete(h.producerId);
      if (concerned.size === 0) break;
    }
    const now = Date.now();
    for (const id of this.#open.keys()) if (!found.has(id)) this.store.deleteOpen(id);
    for (const [id, f] of found) {
      const before = this.#open.get(id);
      // What the leader learnt from the coordinator stays with a transaction the cut kept the start of.
      const kept = before !== undefined && before.firstOffset === f.first;
      if (before) this.store.deleteOpen(id);
      this.store.saveOpen({
        producerId: id,
        producerEpoch: f.epoch,
        firstOffset: f.first,
        lastOffset: f.last,
        txnSeq: kept ? before.txnSeq : null,
        transactionalId: kept ? before.transactionalId : null,
        startedAt: kept ? before.startedAt : now,
      });
    }
    this.reload();
  }

  /** A follower copy starting again empty. */
  clear(): void {
    this.store.clear();
    this.#open.clear();
  }
}

/** Whether an aborted range covers a producer's data batch (ranges of one producer never overlap). */
export function inAborted(ranges: readonly AbortedRange[], producerId: number, base: number, last: number): boolean {
  return ranges.some((r) => r.producerId === producerId && r.firstOffset <= base && r.lastOffset >= last);
}

interface OpenRow extends Record<string, SqlStorageValue> {
  producer_id: number;
  producer_epoch: number;
  first_offset: number;
  last_offset: number;
  txn_seq: number | null;
  transactional_id: string | null;
  started_at: number;
}

/** The books in the partition's SQLite (tables of log/schema.ts, version 7). */
export class SqlTxnStore implements TxnStore {
  constructor(private readonly sql: SqlStorage) {}

  loadOpen(): OpenTxn[] {
    return this.sql
      .exec<OpenRow>(`SELECT * FROM txn_open`)
      .toArray()
      .map((r) => ({
        producerId: r.producer_id,
        producerEpoch: r.producer_epoch,
        firstOffset: r.first_offset,
        lastOffset: r.last_offset,
        txnSeq: r.txn_seq,
        transactionalId: r.transactional_id,
        startedAt: r.started_at,
      }));
  }

  saveOpen(t: OpenTxn): void {
    this.sql.exec(
      `INSERT INTO txn_open (producer_id, producer_epoch, first_offset, last_offset, txn_seq, transactional_id, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (producer_id) DO UPDATE SET producer_epoch = excluded.producer_epoch, last_offset = excluded.last_offset`,
      t.producerId,
      t.producerEpoch,
      t.firstOffset,
      t.lastOffset,
      t.txnSeq,
      t.transactionalId,
      t.startedAt,
    );
  }

  deleteOpen(producerId: number): void {
    this.sql.exec(`DELETE FROM txn_open WHERE producer_id = ?`, producerId);
  }

  addAborted(a: AbortedRange): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO txn_aborted (first_offset, producer_id, last_offset) VALUES (?, ?, ?)`,
      a.firstOffset,
      a.producerId,
      a.lastOffset,
    );
  }

  abortedBetween(from: number, to: number): AbortedRange[] {
    return this.sql
      .exec<{ producer_id: number; first_offset: number; last_offset: number }>(
        `SELECT producer_id, first_offset, last_offset FROM txn_aborted
         WHERE last_offset >= ? AND first_offset <= ? ORDER BY first_offset`,
        from,
        to,
      )
      .toArray()
      .map((r) => ({ producerId: r.producer_id, firstOffset: r.first_offset, lastOffset: r.last_offset }));
  }

  deleteAbortedThrough(offset: number): void {
    this.sql.exec(`DELETE FROM txn_aborted WHERE last_offset <= ?`, offset);
  }

  deleteAbortedFrom(offset: number): void {
    this.sql.exec(`DELETE FROM txn_aborted WHERE last_offset >= ?`, offset);
  }

  clear(): void {
    this.sql.exec(`DELETE FROM txn_open`);
    this.sql.exec(`DELETE FROM txn_aborted`);
  }
}
