// An in-memory TxnStore for Node tests of the partition's transaction bookkeeping.

import type { AbortedRange, OpenTxn, TxnStore } from "../../src/log/transactions.js";

export class MemoryTxnStore implements TxnStore {
  readonly openRows = new Map<number, OpenTxn>();
  abortedRows: AbortedRange[] = [];

  loadOpen(): OpenTxn[] {
    return [...this.openRows.values()].map((t) => ({ ...t }));
  }

  saveOpen(t: OpenTxn): void {
    const prev = this.openRows.get(t.producerId);
    // As the SQL upsert: an existing row keeps where it began, and who opened it.
    this.openRows.set(
      t.producerId,
      prev ? { ...prev, producerEpoch: t.producerEpoch, lastOffset: t.lastOffset } : { ...t },
    );
  }

  deleteOpen(producerId: number): void {
    this.openRows.delete(producerId);
  }

  addAborted(a: AbortedRange): void {
    this.abortedRows = this.abortedRows.filter(
      (r) => !(r.firstOffset === a.firstOffset && r.producerId === a.producerId),
    );
    this.abortedRows.push({ ...a });
  }

  abortedBetween(from: number, to: number): AbortedRange[] {
    return this.abortedRows
      .filter((r) => r.lastOffset >= from && r.firstOffset <= to)
      .sort((a, b) => a.firstOffset - b.firstOffset);
  }

  deleteAbortedThrough(offset: number): void {
    this.abortedRows = this.abortedRows.filter((r) => r.lastOffset > offset);
  }

  deleteAbortedFrom(offset: number): void {
    this.abortedRows = this.abortedRows.filter((r) => r.lastOffset < offset);
  }

  clear(): void {
    this.openRows.clear();
    this.abortedRows = [];
  }
}
