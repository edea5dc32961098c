// The leader's queue of compaction rewrites for its followers (replica_rewrites): a row compaction
// rewrote after a follower copied it must be rewritten there too, so the copies stay byte-identical.

import type { Rewrite } from "../contracts/partition.js";

export class RewriteQueue {
  /** Set while the partition has followers; without them there is nobody to tell. */
  enabled = false;
  /** The newest queued rewrite's number, once read (asked on every shipment). */
  #lastSeq?: number;

  /** `sql` is the partition's database: the queue joins the log's batches for each row's current bytes. */
  constructor(private readonly sql: SqlStorage) {}

  /** Compaction rewrote (or removed) the row at `baseOffset`; called inside compaction's transaction. */
  record(baseOffset: number): void {
    if (!this.enabled) return;
    this.sql.exec(`INSERT INTO replica_rewrites (base_offset) VALUES (?)`, baseOffset);
    // Read again when next asked: a rollback of the transaction would take this row back.
    this.#lastSeq = undefined;
  }

  /** Queued rewrites after `seq`: each row's current bytes, or null where the row is gone. */
  after(seq: number, limit: number): Rewrite[] {
    return this.sql
      .exec<{ seq: number; base_offset: number; data: ArrayBuffer | null }>(
        `SELECT r.seq, r.base_offset, b.data FROM replica_rewrites r LEFT JOIN batches b ON b.base_offset = r.base_offset
         WHERE r.seq > ? ORDER BY r.seq LIMIT ?`,
        seq,
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, baseOffset: r.base_offset, data: r.data === null ? null : new Uint8Array(r.data) }));
  }

  /** The newest queued rewrite's number (0 when none is queued). */
  get lastSeq(): number {
    this.#lastSeq ??= this.sql.exec<{ s: number | null }>(`SELECT MAX(seq) AS s FROM replica_rewrites`).one().s ?? 0;
    return this.#lastSeq;
  }

  /** Forgets rewrites every follower has applied. */
  prune(upTo: number): void {
    this.sql.exec(`DELETE FROM replica_rewrites WHERE seq <= ?`, upTo);
  }
}
