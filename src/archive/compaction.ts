// Log compaction over segments sealed in place: keep the latest record per key, drop tombstones
// after delete.retention.ms, keep offsets. Works in bounded slices with cursors in SQLite, through
// the narrow view of the log below (as roll and retention do their own jobs beside it).

import type { HotBatch } from "../log/partition-log.js";
import type { Segment, SegmentTable } from "../log/segments.js";
import { inAborted, type TxnTracker } from "../log/transactions.js";
import { filterBatch, decodeRecords, isControl, isTransactional, readBatchHeader } from "../protocol/record-batch.js";

/** What compaction needs of the log: its sealed segments, their hot rows, and replacing a row. */
export interface CompactionLog {
  readonly state: { readonly logStartOffset: number };
  readonly segments: Pick<SegmentTable, "newest" | "containing" | "addBytes">;
  hotBatches(from: number, to: number, maxRows: number): HotBatch[];
  /** Replaces a hot batch by its filtered copy, or removes it (null). */
  replaceBatch(baseOffset: number, data: Uint8Array | null, oldBytes: number): void;
  /** One transaction; a rollback restores the log's in-memory state too. */
  transaction<T>(fn: () => T): T;
  /** The aborted transactions: their records are removed, and never supersede committed ones. */
  readonly txns: Pick<TxnTracker, "aborted">;
}

/** Told of every row compaction rewrites (the followers' rewrite queue, src/replication/rewrites.ts). */
export interface RewriteSink {
  record(baseOffset: number): void;
}

/** Records one slice may visit: bounds the CPU of one alarm call. */
export const COMPACTION_RECORDS_PER_SLICE = 5_000;

interface CompactionState extends Record<string, SqlStorageValue> {
  key_cursor: number;
  clean_cursor: number;
  clean_after: number;
  delete_retention_ms: number;
}

export class Compactor {
  /** `sql` holds compaction's own tables (compaction_state, compact_keys; see log/schema.ts). */
  constructor(
    private readonly log: CompactionLog,
    private readonly sql: SqlStorage,
    private readonly rewrites?: RewriteSink,
  ) {}

  #state(): CompactionState {
    return this.sql
      .exec<CompactionState>(
        `SELECT key_cursor, clean_cursor, clean_after, delete_retention_ms FROM compaction_state WHERE id = 0`,
      )
      .one();
  }

  #save(s: CompactionState): void {
    this.sql.exec(
      `UPDATE compaction_state SET key_cursor = ?, clean_cursor = ?, clean_after = ?, delete_retention_ms = ?
      WHERE id = 0`,
      s.key_cursor,
      s.clean_cursor,
      s.clean_after,
      s.delete_retention_ms,
    );
  }

  /** When a kept tombstone may next be dropped (-1: none waiting). */
  get cleanAfter(): number {
    return this.#state().clean_after;
  }

  /**
   * One slice: first learn the keys of newly sealed segments (the offset map), then rewrite the
   * sealed range from the log start. The active head is never read. Returns whether it did work.
   */
  step(deleteRetentionMs: number, now: number, budget = COMPACTION_RECORDS_PER_SLICE): boolean {
    const s = this.#state();
    const sealedEnd = sealedInPlaceEnd(this.log);
    const start = this.log.state.logStartOffset;
    const retentionChanged = s.delete_retention_ms !== deleteRetentionMs;
    if (
      s.clean_cursor < 0 &&
      ((s.clean_after >= 0 && now >= s.clean_after) || (retentionChanged && s.clean_after >= 0))
    ) {
      this.#beginPass(s, start);
      s.clean_after = -1;
    }
    s.delete_retention_ms = deleteRetentionMs;
    if (retentionChanged) this.#save(s);
    // Retention removed these keys' latest records, so no record of theirs is left: forget them,
    // or the key map of a compact,delete topic would grow for ever.
    const forgotten = this.sql.exec(
      `DELETE FROM compact_keys WHERE key IN (SELECT key FROM compact_keys WHERE offset < ? LIMIT ?)`,
      start,
      budget,
    ).rowsWritten;
    if (forgotten > 0) return true;
    if (Math.max(s.key_cursor, start) < sealedEnd) {
      this.log.transaction(() => {
        s.key_cursor = this.#learnKeys(Math.max(s.key_cursor, start), sealedEnd - 1, budget);
        // New keys may supersede records anywhere below: clean from the start again.
        if (s.key_cursor >= sealedEnd) this.#beginPass(s, start);
        this.#save(s);
      });
      return true;
    }
    if (s.clean_cursor >= 0) {
      this.log.transaction(() => {
        const { next, tombstoneDue } = this.#clean(
          Math.max(s.clean_cursor, start),
          sealedEnd - 1,
          deleteRetentionMs,
          now,
          budget,
        );
        s.clean_cursor = next >= sealedEnd ? -1 : next;
        if (tombstoneDue >= 0) s.clean_after = s.clean_after < 0 ? tombstoneDue : Math.min(s.clean_after, tombstoneDue);
        this.#save(s);
      });
      return true;
    }
    return false;
  }

  /**
   * A cleaning pass runs from the log start, so it meets every transaction's records before its
   * marker: compact_txns notes, per producer, whether the pass kept any record of the transaction
   * it is in, which decides whether that transaction's marker may go.
   */
  #beginPass(s: CompactionState, start: number): void {
    s.clean_cursor = start;
    this.sql.exec(`DELETE FROM compact_txns`);
  }

  #learnKeys(from: number, to: number, budget: number): number {
    let next = from;
    const batches = this.log.hotBatches(from, to, budget);
    const aborted = batches.length > 0 ? this.log.txns.aborted(from, batches.at(-1)!.lastOffset) : [];
    for (const b of batches) {
      // A marker is no record, and an aborted record supersedes nothing.
      const h = readBatchHeader(b.data);
      if (isControl(h) || (isTransactional(h) && inAborted(aborted, h.producerId, b.baseOffset, b.lastOffset))) {
        next = b.lastOffset + 1;
        budget -= b.records;
        if (budget <= 0) break;
        continue;
      }
      for (const r of decodeRecords(b.data)) {
        if (r.key === null) continue;
        this.sql.exec(
          `INSERT INTO compact_keys (key, offset) VALUES (?, ?)
          ON CONFLICT (key) DO UPDATE SET offset = excluded.offset`,
          blob(r.key),
          r.offset,
        );
      }
      next = b.lastOffset + 1;
      budget -= b.records;
      if (budget <= 0) break;
    }
    return next > from ? next : to + 1;
  }

  #clean(from: number, to: number, deleteRetentionMs: number, now: number, budget: number) {
    let next = from;
    let tombstoneDue = -1;
    let seg: Segment | null = null;
    const batches = this.log.hotBatches(from, to, budget);
    const aborted = batches.length > 0 ? this.log.txns.aborted(from, batches.at(-1)!.lastOffset) : [];
    for (const b of batches) {
      if (!seg || b.baseOffset > seg.lastOffset) seg = this.log.segments.containing(b.baseOffset);
      const sealedAt = seg?.sealedAt ?? now;
      const h = readBatchHeader(b.data);
      let filtered: Uint8Array | null;
      if (isControl(h)) {
        // A marker stays while any record of its transaction does, then as long as a tombstone.
        const kept = this.sql
          .exec<{ retained: number }>(`SELECT retained FROM compact_txns WHERE producer_id = ?`, h.producerId)
          .toArray()[0];
        this.sql.exec(`DELETE FROM compact_txns WHERE producer_id = ?`, h.producerId);
        if (kept?.retained || sealedAt + deleteRetentionMs > now) {
          filtered = b.data;
          if (!kept?.retained) {
            const due = sealedAt + deleteRetentionMs;
            tombstoneDue = tombstoneDue < 0 ? due : Math.min(tombstoneDue, due);
          }
        } else {
          filtered = null;
        }
      } else if (isTransactional(h) && inAborted(aborted, h.producerId, b.baseOffset, b.lastOffset)) {
        // Records of an aborted transaction are never read by read_committed: the cleaner drops them.
        filtered = null;
      } else {
        filtered = this.#compact(b, sealedAt, deleteRetentionMs, now, (due) => {
          tombstoneDue = tombstoneDue < 0 ? due : Math.min(tombstoneDue, due);
        });
        if (isTransactional(h)) {
          this.sql.exec(
            `INSERT INTO compact_txns (producer_id, retained) VALUES (?, ?)
             ON CONFLICT (producer_id) DO UPDATE SET retained = MAX(retained, excluded.retained)`,
            h.producerId,
            filtered === null ? 0 : 1,
          );
        }
      }
      if (filtered !== b.data) {
        this.log.replaceBatch(b.baseOffset, filtered, b.bytes);
        this.rewrites?.record(b.baseOffset);
        if (seg) this.log.segments.addBytes(seg.baseOffset, (filtered?.byteLength ?? 0) - b.bytes);
      }
      next = b.lastOffset + 1;
      budget -= b.records;
      if (budget <= 0) break;
    }
    return { next: next > from ? next : to + 1, tombstoneDue };
  }

  /** Keeps a data batch's latest record per key, and tombstones until delete.retention.ms after sealing. */
  #compact(
    b: HotBatch,
    sealedAt: number,
    deleteRetentionMs: number,
    now: number,
    due: (at: number) => void,
  ): Uint8Array | null {
    return filterBatch(b.data, (r) => {
      if (r.key === null) return true; // unkeyed records have nothing to be superseded by
      const key = blob(r.key);
      const latest = this.sql
        .exec<{ offset: number }>(`SELECT offset FROM compact_keys WHERE key = ?`, key)
        .toArray()[0];
      if (latest && latest.offset > r.offset) return false;
      if (r.value !== null) return true;
      // A tombstone stays delete.retention.ms after its segment was sealed, so consumers
      // that were behind still see the delete.
      if (sealedAt + deleteRetentionMs <= now) {
        this.sql.exec(`DELETE FROM compact_keys WHERE key = ?`, key);
        return false;
      }
      due(sealedAt + deleteRetentionMs);
      return true;
    });
  }
}

/** The end (exclusive) of the contiguous run of segments sealed in place: what compaction may touch. */
function sealedInPlaceEnd(log: CompactionLog): number {
  const newest = log.segments.newest();
  return newest && newest.state === "sealed" ? newest.lastOffset + 1 : 0;
}

function blob(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
