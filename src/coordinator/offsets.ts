// A group's committed offsets in SQLite, each pinned to the topic id it was committed against.

export interface CommittedOffset {
  topic: string;
  partition: number;
  topic_id: string;
  offset: number;
  metadata: string | null;
  committed_at: number;
}

interface OffsetRow extends Record<string, SqlStorageValue> {
  topic: string;
  partition: number;
  topic_id: string;
  committed_offset: number;
  metadata: string | null;
  committed_at: number;
}

export class OffsetStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Writes all offsets; callers validate first, so the whole commit lands or none of it. */
  put(entries: readonly Omit<CommittedOffset, "committed_at">[], now: number): void {
    const position = nextPosition(this.sql);
    for (const e of entries) {
      this.sql.exec(
        `INSERT OR REPLACE INTO offsets (topic, partition, topic_id, committed_offset, metadata, committed_at, position)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        e.topic,
        e.partition,
        e.topic_id,
        e.offset,
        e.metadata,
        now,
        position,
      );
    }
  }

  list(): CommittedOffset[] {
    return this.sql
      .exec<OffsetRow>(`SELECT * FROM offsets ORDER BY topic, partition`)
      .toArray()
      .map((r) => ({
        topic: r.topic,
        partition: r.partition,
        topic_id: r.topic_id,
        offset: r.committed_offset,
        metadata: r.metadata,
        committed_at: r.committed_at,
      }));
  }

  get size(): number {
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM offsets`).one().n;
  }

  /** Forgets one partition's committed offset; false if there was none. */
  delete(topic: string, partition: number): boolean {
    return this.sql.exec(`DELETE FROM offsets WHERE topic = ? AND partition = ?`, topic, partition).rowsWritten > 0;
  }

  clear(): void {
    this.sql.exec(`DELETE FROM offsets`);
  }
}

/** The next number in the group's order of offset writes (plain and transactional alike). */
export function nextPosition(sql: SqlStorage): number {
  return sql
    .exec<{ n: number }>(`UPDATE offset_position SET next = next + 1 WHERE id = 0 RETURNING next - 1 AS n`)
    .one().n;
}
