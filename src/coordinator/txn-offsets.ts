// A group's offsets committed inside transactions (Kafka's pending transactional offset commits):
// held per producer until the transaction coordinator's marker makes them the group's committed
// offsets (commit) or drops them (abort).

import type { TxnMarker } from "../contracts/transactions.js";
import { nextPosition } from "./offsets.js";

export interface PendingOffset {
  topic: string;
  partition: number;
  topic_id: string;
  offset: number;
  metadata: string | null;
}

export class TxnOffsets {
  constructor(private readonly sql: SqlStorage) {}

  /** Stages a transaction's offsets; a later commit of the same partition in the transaction replaces its row. */
  stage(txn: { producerId: number; transactionalId: string; txnSeq: number }, entries: readonly PendingOffset[]): void {
    const position = nextPosition(this.sql);
    for (const e of entries) {
      this.sql.exec(
        `INSERT OR REPLACE INTO txn_offsets (producer_id, topic, partition, topic_id, committed_offset, metadata,
           transactional_id, txn_seq, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        txn.producerId,
        e.topic,
        e.partition,
        e.topic_id,
        e.offset,
        e.metadata,
        txn.transactionalId,
        txn.txnSeq,
        position,
      );
    }
  }

  /**
   * Applies a marker to the producer's offsets of that transaction: on commit each becomes the
   * committed offset unless a plain commit of the partition came after it; either way they leave
   * the pending table. A retried marker finds nothing left and changes nothing.
   */
  complete(marker: TxnMarker, now: number): number {
    const where = `producer_id = ? AND txn_seq = ?`;
    if (marker.result === "commit") {
      this.sql.exec(
        `INSERT INTO offsets (topic, partition, topic_id, committed_offset, metadata, committed_at, position)
         SELECT topic, partition, topic_id, committed_offset, metadata, ?, position FROM txn_offsets WHERE ${where}
         ON CONFLICT (topic, partition) DO UPDATE SET topic_id = excluded.topic_id,
           committed_offset = excluded.committed_offset, metadata = excluded.metadata,
           committed_at = excluded.committed_at, position = excluded.position
         WHERE offsets.position < excluded.position`,
        now,
        marker.producerId,
        marker.txnSeq,
      );
    }
    return this.sql.exec(`DELETE FROM txn_offsets WHERE ${where}`, marker.producerId, marker.txnSeq).rowsWritten;
  }

  /** Partitions with offsets still pending in a transaction (of `topics` only, when given). */
  pending(topics?: readonly string[]): { topic: string; partition: number }[] {
    const rows = this.sql
      .exec<{ topic: string; partition: number }>(
        `SELECT DISTINCT topic, partition FROM txn_offsets ORDER BY topic, partition`,
      )
      .toArray();
    return topics ? rows.filter((r) => topics.includes(r.topic)) : rows;
  }

  clear(): void {
    this.sql.exec(`DELETE FROM txn_offsets`);
  }
}
