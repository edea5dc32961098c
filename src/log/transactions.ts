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

  clear(): void {
    this.sql.exec(`DELETE FROM txn_open`);
    this.sql.exec(`DELETE FROM txn_aborted`);
  }
}
