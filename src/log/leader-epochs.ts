// The leader-epoch checkpoint of one copy of a partition (Kafka's LeaderEpochFileCache): where each
// leader epoch's batches start in this log, so two copies can find the offset where they diverge.

import type { EpochStart } from "../leadership/epochs.js";

/** The epoch map in SQLite (table leader_epochs), with its newest entry kept in memory for appends. */
export class LeaderEpochs {
  #last: EpochStart | null;

  constructor(private readonly sql: SqlStorage) {
    this.#last =
      sql
        .exec<{ epoch: number; start_offset: number }>(
          `SELECT epoch, start_offset FROM leader_epochs ORDER BY epoch DESC LIMIT 1`,
        )
        .toArray()
        .map((r) => ({ epoch: r.epoch, startOffset: r.start_offset }))[0] ?? null;
  }

  get latest(): EpochStart | null {
    return this.#last;
  }

  all(): EpochStart[] {
    return this.sql
      .exec<{ epoch: number; start_offset: number }>(`SELECT epoch, start_offset FROM leader_epochs ORDER BY epoch`)
      .toArray()
      .map((r) => ({ epoch: r.epoch, startOffset: r.start_offset }));
  }

  /** A batch of `epoch` was written at `offset`: the first of a newer epoch opens an entry. */
  note(epoch: number, offset: number): void {
    if (epoch < 0 || (this.#last && this.#last.epoch >= epoch)) return;
    this.sql.exec(`INSERT OR REPLACE INTO leader_epochs (epoch, start_offset) VALUES (?, ?)`, epoch, offset);
    this.#last = { epoch, startOffset: offset };
  }

  /** The log was cut at `offset`: epochs starting there or later are gone with their batches. */
  truncate(offset: number): void {
    this.sql.exec(`DELETE FROM leader_epochs WHERE start_offset >= ?`, offset);
    this.reload();
  }

  /** Re-reads the newest entry (after a rolled-back transaction, or a truncation). */
  reload(): void {
    this.#last = new LeaderEpochs(this.sql).#last;
  }
}
