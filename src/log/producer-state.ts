// Idempotent producer state of one partition: Kafka's epoch and sequence rules, in SQLite.

import { EdgelogError } from "../protocol/errors.js";
import { isTransactional, type BatchHeader } from "../protocol/record-batch.js";

/** Batches remembered per producer: Kafka's max.in.flight.requests.per.connection bound for idempotence. */
export const RETAINED_BATCHES = 5;
const INT32_MAX = 2 ** 31 - 1;
/** Batches a truncation scans back to rebuild the state of producers whose recent batches it cut. */
const REBUILD_SCAN_ROWS = 10_000;

/** A batch already written, as its retry must be answered. */
export interface WrittenBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
  lastOffset: number;
  logAppendTime: number;
}

interface ProducerRow extends Record<string, SqlStorageValue> {
  producer_id: number;
  epoch: number;
  last_sequence: number;
  recent: string;
  updated_at: number;
}

interface Entry {
  epoch: number;
  lastSeq: number;
  recent: WrittenBatch[];
}

export type SequenceCheck = { duplicate: WrittenBatch } | { duplicate: null };

/**
 * Checks and records batches inside the append transaction. Entries touched by one append are
 * staged in memory and flushed by commit(), so several batches of one producer in one append see
 * each other.
 */
export class ProducerStates {
  readonly #staged = new Map<number, Entry>();
  /** Whether any producer state is stored; kept in memory so appends need not count rows. */
  #any: boolean;

  constructor(private readonly sql: SqlStorage) {
    this.#any = this.count() > 0;
  }

  get any(): boolean {
    return this.#any;
  }

  /** Kafka's ProducerAppendInfo.checkSequence / checkProducerEpoch, plus duplicate detection. */
  check(h: BatchHeader): SequenceCheck {
    const entry = this.#entry(h.producerId);
    const firstSeq = h.baseSequence;
    const lastSeq = firstSeq + h.lastOffsetDelta;
    if (lastSeq > INT32_MAX) {
      throw new EdgelogError(
        "INVALID_RECORD",
        `sequence ${firstSeq}..${lastSeq} passes 2^31-1; re-initialise the producer for a new epoch and start at 0`,
      );
    }
    if (!entry) return { duplicate: null }; // unknown (or expired) producer: any first sequence starts it
    if (h.producerEpoch < entry.epoch) {
      // A transactional producer's older epoch was fenced by a newer init or transaction (KIP-890).
      throw new EdgelogError(
        isTransactional(h) ? "PRODUCER_FENCED" : "INVALID_PRODUCER_EPOCH",
        `producer ${h.producerId} epoch ${h.producerEpoch} is fenced by epoch ${entry.epoch}`,
      );
    }
    if (h.producerEpoch > entry.epoch) {
      if (firstSeq !== 0) {
        throw new EdgelogError(
          "OUT_OF_ORDER_SEQUENCE_NUMBER",
          `producer ${h.producerId}: a new epoch (${h.producerEpoch}) must start at sequence 0, got ${firstSeq}`,
        );
      }
      return { duplicate: null };
    }
    const dup = entry.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { duplicate: dup };
    if (firstSeq !== entry.lastSeq + 1) {
      throw new EdgelogError(
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        `producer ${h.producerId} epoch ${entry.epoch}: expected sequence ${entry.lastSeq + 1}, got ${firstSeq}`,
      );
    }
    return { duplicate: null };
  }

  /** Records a batch that passed check() and was appended. */
  record(h: BatchHeader, written: Omit<WrittenBatch, "firstSeq" | "lastSeq">): void {
    const prev = this.#entry(h.producerId);
    const firstSeq = h.baseSequence;
    const lastSeq = firstSeq + h.lastOffsetDelta;
    const sameEpoch = prev !== undefined && prev.epoch === h.producerEpoch;
    const recent = sameEpoch ? prev.recent.slice(-(RETAINED_BATCHES - 1)) : [];
    recent.push({ firstSeq, lastSeq, ...written });
    this.#staged.set(h.producerId, { epoch: h.producerEpoch, lastSeq, recent });
  }

  /**
   * A transaction marker's epoch: a newer one fences older epochs here, and the producer's next
   * batch (of that epoch) starts at sequence 0, as after a version 2 bump.
   */
  recordMarker(producerId: number, epoch: number): void {
    const prev = this.#entry(producerId);
    if (prev && prev.epoch >= epoch) return;
    this.#staged.set(producerId, { epoch, lastSeq: -1, recent: [] });
  }

  commit(now: number): void {
    for (const [id, e] of this.#staged) {
      this.sql.exec(
        `INSERT INTO producers (producer_id, epoch, last_sequence, recent, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (producer_id) DO UPDATE SET epoch = excluded.epoch, last_sequence = excluded.last_sequence,
           recent = excluded.recent, updated_at = excluded.updated_at`,
        id,
        e.epoch,
        e.lastSeq,
        JSON.stringify(e.recent),
        now,
      );
      this.#any = true;
    }
    this.#staged.clear();
  }

  /** Drops staged changes of an append that failed. */
  discard(): void {
    this.#staged.clear();
  }

  /**
   * The log was cut at `offset` (a failover truncated a divergent suffix): every producer's
   * state goes back to what the remaining batches say, so an idempotent retry of a cut batch is
   * written again (it is no longer in the log) and one of a kept batch is still a duplicate.
   * `batches(from, to)` yields the idempotent batch headers below the cut, newest first.
   */
  truncate(offset: number, batches: (from: number, to: number) => Iterable<{ h: BatchHeader; last: number }>): void {
    const rebuild = new Set<number>();
    for (const row of this.sql.exec<ProducerRow>(`SELECT * FROM producers`).toArray()) {
      const recent: WrittenBatch[] = JSON.parse(row.recent);
      const kept = recent.filter((b) => b.lastOffset < offset);
      if (kept.length === recent.length) continue;
      if (kept.length > 0) {
        this.sql.exec(
          `UPDATE producers SET last_sequence = ?, recent = ? WHERE producer_id = ?`,
          kept.at(-1)!.lastSeq,
          JSON.stringify(kept),
          row.producer_id,
        );
      } else {
        this.sql.exec(`DELETE FROM producers WHERE producer_id = ?`, row.producer_id);
        rebuild.add(row.producer_id);
      }
    }
    // Producers whose remembered batches were all cut: find their latest batches below the cut
    // (bounded: one not found within the scan starts afresh, as an expired producer does).
    const found = new Map<number, Entry>();
    let scanned = 0;
    for (const { h, last } of batches(0, offset)) {
      if (rebuild.size === 0 || ++scanned > REBUILD_SCAN_ROWS) break;
      if (!rebuild.has(h.producerId)) continue;
      const e = found.get(h.producerId) ?? {
        epoch: h.producerEpoch,
        lastSeq: h.baseSequence + h.lastOffsetDelta,
        recent: [],
      };
      found.set(h.producerId, e);
      if (h.producerEpoch === e.epoch) {
        e.recent.unshift({
          firstSeq: h.baseSequence,
          lastSeq: h.baseSequence + h.lastOffsetDelta,
          baseOffset: h.baseOffset,
          lastOffset: last,
          logAppendTime: -1,
        });
      }
      if (e.recent.length >= RETAINED_BATCHES || h.producerEpoch !== e.epoch) rebuild.delete(h.producerId);
    }
    for (const [id, e] of found) this.#staged.set(id, e);
    this.commit(Date.now());
    this.#any = this.count() > 0;
  }

  /** Forgets producers idle since before `cutoff` (producer.id.expiration.ms), keeping the table bounded. */
  expire(cutoff: number): void {
    this.sql.exec(`DELETE FROM producers WHERE updated_at < ?`, cutoff);
    this.#any = this.count() > 0;
  }

  count(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM producers`).one().n;
  }

  #entry(id: number): Entry | undefined {
    const staged = this.#staged.get(id);
    if (staged) return staged;
    const row = this.sql.exec<ProducerRow>(`SELECT * FROM producers WHERE producer_id = ?`, id).toArray()[0];
    return row ? { epoch: row.epoch, lastSeq: row.last_sequence, recent: JSON.parse(row.recent) } : undefined;
  }
}
