// The segments table and its sparse index: which offset ranges are sealed, and where they live.

export type SegmentState = "uploading" | "archived" | "sealed" | "deleting";

export interface Segment {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** Running maximum timestamp up to this segment's end (monotonic in offset). */
  timeIndex: number;
  bytes: number;
  batchCount: number;
  recordCount: number;
  /** The R2 object, or null for a segment sealed in place in SQLite. */
  r2Key: string | null;
  state: SegmentState;
  sealedAt: number;
  /** Aborted transactions listed in the segment's .txnindex object in R2 (0: it has none). */
  abortedTxns?: number;
}

/** One sparse index entry: a batch starting at `offset` sits at byte `position` of the object. */
export interface IndexEntry {
  offset: number;
  position: number;
  /** Running max timestamp through the end of the chunk this entry opens. */
  timeIndex: number;
}

interface SegmentRow extends Record<string, SqlStorageValue> {
  base_offset: number;
  last_offset: number;
  max_timestamp: number;
  time_index: number;
  bytes: number;
  batch_count: number;
  record_count: number;
  r2_key: string | null;
  state: string;
  sealed_at: number;
  aborted_txns: number;
}

function toSegment(r: SegmentRow): Segment {
  return {
    baseOffset: r.base_offset,
    lastOffset: r.last_offset,
    maxTimestamp: r.max_timestamp,
    timeIndex: r.time_index,
    bytes: r.bytes,
    batchCount: r.batch_count,
    recordCount: r.record_count,
    r2Key: r.r2_key,
    state: r.state as SegmentState,
    sealedAt: r.sealed_at,
    abortedTxns: r.aborted_txns,
  };
}

export interface SegmentTotals {
  archivedBytes: number;
  sealedHotBytes: number;
  count: number;
  /** The offset after the newest archived segment (0 when none): where the hot log's copy begins. */
  archivedEnd: number;
}

export class SegmentTable {
  /**
   * totals() is asked on every append (is the head past segment.bytes?), so it is kept in memory
   * and dropped by every write here; recomputing after a write also covers a rolled-back one.
   */
  #totals: SegmentTotals | undefined;

  constructor(private readonly sql: SqlStorage) {}

  #one(query: string, ...args: SqlStorageValue[]): Segment | null {
    const r = this.sql.exec<SegmentRow>(query, ...args).toArray()[0];
    return r ? toSegment(r) : null;
  }

  /** The segment whose range holds `offset`, if any. */
  containing(offset: number): Segment | null {
    const s = this.#one(`SELECT * FROM segments WHERE base_offset <= ? ORDER BY base_offset DESC LIMIT 1`, offset);
    return s && s.lastOffset >= offset ? s : null;
  }

  oldest(): Segment | null {
    return this.#one(`SELECT * FROM segments WHERE state != 'deleting' ORDER BY base_offset LIMIT 1`);
  }

  newest(): Segment | null {
    return this.#one(`SELECT * FROM segments ORDER BY base_offset DESC LIMIT 1`);
  }

  inState(state: SegmentState): Segment[] {
    return this.sql
      .exec<SegmentRow>(`SELECT * FROM segments WHERE state = ? ORDER BY base_offset`, state)
      .toArray()
      .map(toSegment);
  }

  /** The first archived segment whose records reach time `ts`. */
  firstArchivedAtTime(ts: number): Segment | null {
    return this.#one(
      `SELECT * FROM segments WHERE time_index >= ? AND state = 'archived' ORDER BY time_index, base_offset LIMIT 1`,
      ts,
    );
  }

  insert(s: Segment): void {
    this.#totals = undefined;
    this.sql.exec(
      `INSERT OR REPLACE INTO segments (base_offset, last_offset, max_timestamp, time_index, bytes, batch_count,
         record_count, r2_key, state, sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.baseOffset,
      s.lastOffset,
      s.maxTimestamp,
      s.timeIndex,
      s.bytes,
      s.batchCount,
      s.recordCount,
      s.r2Key,
      s.state,
      s.sealedAt,
    );
  }

  setState(baseOffset: number, state: SegmentState, abortedTxns?: number): void {
    this.#totals = undefined;
    if (abortedTxns === undefined)
      this.sql.exec(`UPDATE segments SET state = ? WHERE base_offset = ?`, state, baseOffset);
    else
      this.sql.exec(
        `UPDATE segments SET state = ?, aborted_txns = ? WHERE base_offset = ?`,
        state,
        abortedTxns,
        baseOffset,
      );
  }

  addBytes(baseOffset: number, delta: number): void {
    this.#totals = undefined;
    this.sql.exec(`UPDATE segments SET bytes = bytes + ? WHERE base_offset = ?`, delta, baseOffset);
  }

  delete(baseOffset: number): void {
    this.#totals = undefined;
    this.sql.exec(`DELETE FROM segments WHERE base_offset = ?`, baseOffset);
    this.sql.exec(`DELETE FROM segment_index WHERE segment_base = ?`, baseOffset);
  }

  /** Bytes and count of segments by where they live, for describe(). */
  totals(): SegmentTotals {
    if (this.#totals) return this.#totals;
    const r = this.sql
      .exec<{ archived: number | null; hot: number | null; n: number; last: number | null }>(
        `SELECT SUM(CASE WHEN state = 'archived' THEN bytes END) AS archived,
              SUM(CASE WHEN state IN ('sealed', 'uploading') THEN bytes END) AS hot,
              COUNT(CASE WHEN state IN ('archived', 'sealed') THEN 1 END) AS n,
              MAX(CASE WHEN state = 'archived' THEN last_offset END) AS last
       FROM segments`,
      )
      .one();
    return (this.#totals = {
      archivedBytes: r.archived ?? 0,
      sealedHotBytes: r.hot ?? 0,
      count: r.n,
      archivedEnd: (r.last ?? -1) + 1,
    });
  }

  writeIndex(segmentBase: number, entries: readonly IndexEntry[]): void {
    this.sql.exec(`DELETE FROM segment_index WHERE segment_base = ?`, segmentBase);
    for (const e of entries) {
      this.sql.exec(
        `INSERT INTO segment_index (segment_base, offset, position, time_index) VALUES (?, ?, ?, ?)`,
        segmentBase,
        e.offset,
        e.position,
        e.timeIndex,
      );
    }
  }

  /** A segment's whole sparse index, in offset order (shipped to followers with the segment). */
  index(segmentBase: number): IndexEntry[] {
    return this.sql
      .exec<{ offset: number; position: number; time_index: number }>(
        `SELECT offset, position, time_index FROM segment_index WHERE segment_base = ? ORDER BY offset`,
        segmentBase,
      )
      .toArray()
      .map((r) => ({ offset: r.offset, position: r.position, timeIndex: r.time_index }));
  }

  /** Archived segments starting at or after `from`, oldest first, up to `limit`. */
  archivedFrom(from: number, limit: number): Segment[] {
    return this.sql
      .exec<SegmentRow>(
        `SELECT * FROM segments WHERE state = 'archived' AND base_offset >= ? ORDER BY base_offset LIMIT ?`,
        from,
        limit,
      )
      .toArray()
      .map(toSegment);
  }

  /** Forgets segments overlapping [from, to] that are not archived (a copy's own sealing, superseded). */
  dropUnarchived(from: number, to: number): void {
    for (const s of this.sql
      .exec<{ base_offset: number }>(
        `SELECT base_offset FROM segments WHERE state != 'archived' AND base_offset <= ? AND last_offset >= ?`,
        to,
        from,
      )
      .toArray())
      this.delete(s.base_offset);
  }

  /** Forgets segments wholly below `offset` (their objects are the leader's to delete). */
  dropBelow(offset: number): void {
    for (const s of this.sql
      .exec<{ base_offset: number }>(`SELECT base_offset FROM segments WHERE last_offset < ?`, offset)
      .toArray())
      this.delete(s.base_offset);
  }

  /** Forgets every segment (a follower's copy starting again). */
  clear(): void {
    this.#totals = undefined;
    this.sql.exec(`DELETE FROM segments`);
    this.sql.exec(`DELETE FROM segment_index`);
  }

  /** The last index entry at or below `offset`: where a read for it starts. */
  indexFloor(segmentBase: number, offset: number): IndexEntry | null {
    return this.#entry(
      `SELECT offset, position, time_index FROM segment_index WHERE segment_base = ? AND offset <= ?
      ORDER BY offset DESC LIMIT 1`,
      segmentBase,
      offset,
    );
  }

  /** The first index entry at or after byte `position`: a batch boundary a read may stop at. */
  indexAtOrAfter(segmentBase: number, position: number): IndexEntry | null {
    return this.#entry(
      `SELECT offset, position, time_index FROM segment_index WHERE segment_base = ? AND position >= ?
      ORDER BY position LIMIT 1`,
      segmentBase,
      position,
    );
  }

  /** The first chunk whose running max timestamp reaches `ts`. */
  indexAtTime(segmentBase: number, ts: number): IndexEntry | null {
    return this.#entry(
      `SELECT offset, position, time_index FROM segment_index WHERE segment_base = ? AND time_index >= ?
      ORDER BY offset LIMIT 1`,
      segmentBase,
      ts,
    );
  }

  #entry(query: string, ...args: SqlStorageValue[]): IndexEntry | null {
    const r = this.sql.exec<{ offset: number; position: number; time_index: number }>(query, ...args).toArray()[0];
    return r ? { offset: r.offset, position: r.position, timeIndex: r.time_index } : null;
  }
}
