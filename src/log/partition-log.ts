// The partition log engine: appends and reads whole RecordBatch v2 rows in SQLite.
// Knows nothing of Durable Objects or R2; the storage is injected so it can be tested directly.

import { EdgelogError } from "../protocol/errors.js";
import {
  crcMatches,
  isControl,
  decodeRecords,
  lastOffset,
  readBatchHeader,
  type BatchHeader,
  setBaseOffset,
  setCreateTime,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatches,
  type ValidatedBatch,
} from "../protocol/record-batch.js";
import type { TimestampType } from "../protocol/topic-config.js";
import { migrate } from "../util/migrations.js";
import { endOffsetFor, type EpochEnd, type EpochStart } from "../leadership/epochs.js";
import { LeaderEpochs } from "./leader-epochs.js";
import { ProducerStates } from "./producer-state.js";
import { SqlTxnStore, TxnTracker, type TxnOrigin } from "./transactions.js";
import { encodeMarker, type MarkerType } from "../protocol/transactions.js";
import type { IsolationLevel } from "../protocol/constants.js";
import { LOG_MIGRATIONS } from "./schema.js";
import { SegmentTable, type IndexEntry, type Segment } from "./segments.js";
import type { AppendedBatch, OffsetAtTime, ReadResult, ShippedSegment } from "../contracts/partition.js";

/** The slice of DurableObjectStorage the log needs. */
export interface LogStorage {
  sql: SqlStorage;
  transactionSync<T>(fn: () => T): T;
}

export interface LogState {
  logStartOffset: number;
  /** The next offset to be written. */
  logEndOffset: number;
  /** The last offset consumers may read, plus one. Equals logEndOffset without replication. */
  highWatermark: number;
  leaderEpoch: number;
  hotBytes: number;
  maxTimestamp: number;
}

export interface AppendOptions {
  timestampType: TimestampType;
  maxMessageBytes: number;
  /** Wall clock in ms, used as the append time. */
  now: number;
  /**
   * Leave the high watermark where it is: a replicated partition moves it once the in-sync
   * followers hold the batches (Replicator), so consumers never read what could still be lost.
   */
  holdHighWatermark?: boolean;
  /**
   * The batches are this transaction's: transactional batches of one producer, which the caller
   * checked with the transaction coordinator (KIP-890). Without it, transactional batches are refused.
   */
  transaction?: TxnOrigin;
}

export interface ReadOptions {
  maxBytes: number;
  maxRecords: number;
  /** read_committed stops at the last stable offset and lists the aborted transactions read over. */
  isolation?: IsolationLevel;
}

interface StateRow extends Record<string, SqlStorageValue> {
  log_start_offset: number;
  log_end_offset: number;
  high_watermark: number;
  leader_epoch: number;
  hot_bytes: number;
  max_timestamp: number;
}

/** A hot batch row without its bytes: what sealing and retention decide on. */
export interface HotBatchMeta {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  timeIndex: number;
  records: number;
  bytes: number;
}

export interface HotBatch extends HotBatchMeta {
  data: Uint8Array;
}

interface HotRow extends Record<string, SqlStorageValue> {
  base_offset: number;
  last_offset: number;
  max_timestamp: number;
  time_index: number;
  records: number;
  bytes: number;
}

function readRecordCount(batch: Uint8Array): number {
  return new DataView(batch.buffer, batch.byteOffset, batch.byteLength).getInt32(57);
}

function toMeta(r: HotRow): HotBatchMeta {
  return {
    baseOffset: r.base_offset,
    lastOffset: r.last_offset,
    maxTimestamp: r.max_timestamp,
    timeIndex: r.time_index,
    records: r.records,
    bytes: r.bytes,
  };
}

/** Never read more rows than this in one fetch, whatever the caller asks. */
const MAX_ROWS_PER_READ = 1000;

export class PartitionLog {
  #state: LogState;
  readonly #producers: ProducerStates;
  /** Where each leader epoch starts in this copy (Kafka's leader-epoch checkpoint). */
  readonly #epochs: LeaderEpochs;
  /** Sealed ranges (archived to R2 or sealed in place) and their sparse index. */
  readonly segments: SegmentTable;
  /** Open transactions and aborted ranges, fed every batch appended (src/log/transactions.ts). */
  readonly txns: TxnTracker;

  private constructor(private readonly storage: LogStorage) {
    this.#state = this.#loadState();
    this.#producers = new ProducerStates(storage.sql);
    this.#epochs = new LeaderEpochs(storage.sql);
    this.segments = new SegmentTable(storage.sql);
    this.txns = new TxnTracker(new SqlTxnStore(storage.sql));
  }

  /** Opens the log, applying any pending migrations. */
  static open(storage: LogStorage): PartitionLog {
    migrate(storage.sql, LOG_MIGRATIONS);
    return new PartitionLog(storage);
  }

  get state(): Readonly<LogState> {
    return this.#state;
  }

  /** Kafka's last stable offset: the oldest open transaction's first offset, or the high watermark. */
  get lastStableOffset(): number {
    return this.txns.lastStableOffset(this.#state.highWatermark);
  }

  /**
   * Validates then appends one or more concatenated batches atomically: all are written or none
   * is. Offsets are assigned densely by rewriting each batch's base offset. A batch from an
   * idempotent producer (producerId >= 0) is checked against that producer's epoch and sequence
   * in the same transaction; a retry of a written batch returns its original offsets and writes nothing.
   */
  append(buf: Uint8Array, opts: AppendOptions): AppendedBatch[] {
    const headers = validateBatches(buf, { transactional: opts.transaction !== undefined });
    for (const h of headers) {
      if (h.size > opts.maxMessageBytes) {
        throw new EdgelogError(
          "MESSAGE_TOO_LARGE",
          `record batch of ${h.size} bytes exceeds max.message.bytes (${opts.maxMessageBytes})`,
        );
      }
    }
    try {
      return this.transaction(() => this.#appendValidated(buf, headers, opts));
    } finally {
      this.#producers.discard();
    }
  }

  #appendValidated(buf: Uint8Array, headers: ValidatedBatch[], opts: AppendOptions): AppendedBatch[] {
    const s = { ...this.#state };
    const logAppend = opts.timestampType === "LogAppendTime";
    const out: AppendedBatch[] = [];
    let pos = 0;
    for (const h of headers) {
      const batch = buf.subarray(pos, pos + h.size);
      pos += h.size;
      if (h.producerId >= 0) {
        const { duplicate } = this.#producers.check(h);
        if (duplicate) {
          out.push({
            baseOffset: duplicate.baseOffset,
            lastOffset: duplicate.lastOffset,
            logStartOffset: s.logStartOffset,
            logAppendTime: duplicate.logAppendTime,
            duplicate: true,
          });
          continue;
        }
      }
      const base = s.logEndOffset;
      setBaseOffset(batch, base);
      // Every batch carries the epoch of the leader that wrote it, as Kafka's do.
      setPartitionLeaderEpoch(batch, s.leaderEpoch);
      this.#epochs.note(s.leaderEpoch, base);
      if (logAppend) setLogAppendTime(batch, opts.now);
      else setCreateTime(batch, h.recordsMaxTimestamp);
      const maxTs = logAppend ? opts.now : h.recordsMaxTimestamp;
      s.maxTimestamp = Math.max(s.maxTimestamp, maxTs);
      const last = base + h.lastOffsetDelta;
      this.storage.sql.exec(
        `INSERT INTO batches (base_offset, last_offset, max_timestamp, time_index, records, bytes, data)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        base,
        last,
        maxTs,
        s.maxTimestamp,
        h.recordCount,
        h.size,
        batch,
      );
      s.logEndOffset = last + 1;
      s.hotBytes += h.size;
      const logAppendTime = logAppend ? opts.now : -1;
      if (h.producerId >= 0) this.#producers.record(h, { baseOffset: base, lastOffset: last, logAppendTime });
      if (opts.transaction) this.txns.observe({ ...h, baseOffset: base }, batch, opts.now, opts.transaction);
      out.push({
        baseOffset: base,
        lastOffset: last,
        logStartOffset: s.logStartOffset,
        logAppendTime,
        duplicate: false,
      });
    }
    if (!opts.holdHighWatermark) s.highWatermark = s.logEndOffset;
    this.#producers.commit(opts.now);
    this.#saveState(s);
    this.#state = s;
    return out;
  }

  /** Moves the high watermark up to `hw`, never down and never past the log end; true when it moved. */
  advanceHighWatermark(hw: number): boolean {
    const target = Math.min(hw, this.#state.logEndOffset);
    if (target <= this.#state.highWatermark) return false;
    this.#update({ highWatermark: target });
    return true;
  }

  /**
   * A follower's append: batches exactly as the leader stores them (offsets and timestamps
   * already assigned), written verbatim so the copy stays byte-identical. Batches the follower
   * already holds (a resend after a restart) are skipped. A batch may start past the copy's end
   * only where compaction removed whole batches from the leader's log (the leader ships its rows
   * in order, so such a gap is one the leader has too).
   */
  appendReplica(batches: readonly Uint8Array[], now = Date.now()): void {
    this.transaction(() => {
      const s = { ...this.#state };
      for (const batch of batches) {
        const h = readBatchHeader(batch);
        const last = lastOffset(h);
        if (last < s.logEndOffset) continue;
        if (h.baseOffset < s.logEndOffset || h.size !== batch.byteLength || !crcMatches(batch, h)) {
          throw new EdgelogError(
            "CORRUPT_MESSAGE",
            `replica batch at ${h.baseOffset} overlaps the copy's end ${s.logEndOffset} or fails its CRC`,
          );
        }
        s.maxTimestamp = Math.max(s.maxTimestamp, h.maxTimestamp);
        this.#epochs.note(h.partitionLeaderEpoch, h.baseOffset);
        // Followers keep producer state too, so a new leader answers an idempotent retry as a duplicate.
        if (h.producerId >= 0 && isControl(h)) this.#producers.recordMarker(h.producerId, h.producerEpoch);
        else if (h.producerId >= 0) {
          this.#producers.record(h, { baseOffset: h.baseOffset, lastOffset: last, logAppendTime: -1 });
        }
        this.storage.sql.exec(
          `INSERT INTO batches (base_offset, last_offset, max_timestamp, time_index, records, bytes, data)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          h.baseOffset,
          last,
          h.maxTimestamp,
          s.maxTimestamp,
          h.recordCount,
          h.size,
          batch,
        );
        s.logEndOffset = last + 1;
        s.hotBytes += h.size;
        // The copy keeps the same transaction books as its leader, from the same batches.
        this.txns.observe(h, batch, now);
      }
      this.#producers.commit(Date.now());
      this.#saveState(s);
      this.#state = s;
    });
  }

  /**
   * Appends a transaction marker (a control batch, Kafka's EndTransactionMarker) for a producer,
   * ending its open transaction here: the LSO moves, and an abort records the aborted range. A
   * marker's newer epoch fences the producer's older ones. Returns the marker's offset.
   */
  appendMarker(
    m: { producerId: number; producerEpoch: number; type: MarkerType },
    opts: { now: number; holdHighWatermark?: boolean },
  ): number {
    const batch = encodeMarker({ ...m, timestamp: opts.now });
    return this.transaction(() => {
      const s = { ...this.#state };
      const base = s.logEndOffset;
      setBaseOffset(batch, base);
      setPartitionLeaderEpoch(batch, s.leaderEpoch);
      this.#epochs.note(s.leaderEpoch, base);
      const h = readBatchHeader(batch);
      s.maxTimestamp = Math.max(s.maxTimestamp, opts.now);
      this.storage.sql.exec(
        `INSERT INTO batches (base_offset, last_offset, max_timestamp, time_index, records, bytes, data)
         VALUES (?, ?, ?, ?, 1, ?, ?)`,
        base,
        base,
        opts.now,
        s.maxTimestamp,
        h.size,
        batch,
      );
      s.logEndOffset = base + 1;
      s.hotBytes += h.size;
      if (!opts.holdHighWatermark) s.highWatermark = s.logEndOffset;
      this.#producers.recordMarker(m.producerId, m.producerEpoch);
      this.#producers.commit(opts.now);
      this.txns.observe(h, batch, opts.now);
      this.#saveState(s);
      this.#state = s;
      return base;
    });
  }

  /** A marker with nothing to end here still fences the producer's older epochs. */
  fenceProducer(producerId: number, epoch: number, now: number): void {
    this.transaction(() => {
      this.#producers.recordMarker(producerId, epoch);
      this.#producers.commit(now);
    });
  }

  /** The epoch map, oldest first. */
  get epochs(): EpochStart[] {
    return this.#epochs.all();
  }

  /** The newest epoch this copy holds batches of (-1: none). */
  get lastEpoch(): number {
    return this.#epochs.latest?.epoch ?? -1;
  }

  /** Kafka's OffsetForLeaderEpoch: the largest epoch here at or below `epoch`, and where it ends. */
  endOffsetForEpoch(epoch: number): EpochEnd {
    return endOffsetFor(this.#epochs.all(), this.#state.logEndOffset, epoch);
  }

  /**
   * This copy leads from now on under `epoch` (never lower than the one it had): its appends are
   * stamped with it, and its first batch opens the epoch's entry in the map.
   */
  setLeaderEpoch(epoch: number): void {
    if (epoch <= this.#state.leaderEpoch) return;
    this.#update({ leaderEpoch: epoch });
  }

  /**
   * Cuts the log at `offset` (a batch boundary): a deposed leader's or a diverged follower's
   * suffix that the new leader does not hold. Batches, epochs, producer state and the transaction
   * books (open transactions, aborted ranges, so the LSO) go back to the remaining log, in one transaction; the high watermark never passes the new end. Only hot batches can be cut:
   * archived ranges are below every high watermark, which no clean election truncates.
   */
  truncateTo(offset: number): void {
    if (offset >= this.#state.logEndOffset) return;
    if (offset < this.hotStartOffset && offset < this.#state.logEndOffset) {
      throw new EdgelogError("UNKNOWN_SERVER_ERROR", `cannot truncate to ${offset}: below the hot log's start`);
    }
    this.transaction(() => {
      // Before the cut: the transaction books look at the markers it removes.
      this.txns.truncate(offset, (from, to) => this.#batchHeaders(from, to));
      const freed = this.#deleteHot(offset, Number.MAX_SAFE_INTEGER);
      this.#epochs.truncate(offset);
      this.#producers.truncate(offset, (from, to) => this.#batchHeaders(from, to));
      const s = this.#state;
      this.#update({
        logEndOffset: offset,
        highWatermark: Math.min(s.highWatermark, offset),
        logStartOffset: Math.min(s.logStartOffset, offset),
        hotBytes: s.hotBytes - freed,
      });
    });
  }

  /** Headers of the hot batches in [from, to), newest first (producer and transaction state rebuild from them). */
  *#batchHeaders(from: number, to: number): Generator<{ h: BatchHeader; last: number }> {
    const cursor = this.storage.sql.exec<{ data: ArrayBuffer; last_offset: number }>(
      `SELECT substr(data, 1, 61) AS data, last_offset FROM batches WHERE base_offset >= ? AND base_offset < ?
       ORDER BY base_offset DESC`,
      from,
      to,
    );
    for (const r of cursor) yield { h: readBatchHeader(new Uint8Array(r.data), 0, false), last: r.last_offset };
  }

  /**
   * The leader's archived segments this copy was shipped (oldest first) and its log start: the copy
   * records each segment (its R2 object and sparse index) as its own, so it reads the archived
   * range from R2 as the leader does and serves it once it leads. The hot rows a segment covers
   * leave SQLite, with the aborted ranges its .txnindex holds; segments wholly below the log start
   * are forgotten (the leader deletes their objects). The copy starts where its segments run
   * unbroken up to its hot rows (shipping is in order; until the run reaches them, at the hot rows).
   */
  adoptArchived(shipped: readonly ShippedSegment[], leaderLogStart: number): void {
    this.transaction(() => {
      let hotBytes = this.#state.hotBytes;
      for (const seg of shipped) {
        // A segment this copy sealed itself while it led, left unfinished, gives way to the leader's.
        this.segments.dropUnarchived(seg.baseOffset, seg.lastOffset);
        this.segments.insert({ ...seg, state: "archived" });
        this.segments.writeIndex(seg.baseOffset, seg.index);
        this.segments.setState(seg.baseOffset, "archived", seg.abortedTxns);
        this.txns.forgetAbortedThrough(seg.lastOffset);
        hotBytes -= this.#deleteHot(0, seg.lastOffset);
      }
      const oldest = this.segments.oldest();
      const hotStart = this.hotStartOffset;
      const unbroken = oldest !== null && this.segments.totals().archivedEnd >= hotStart;
      const start = Math.min(
        Math.max(unbroken ? oldest.baseOffset : hotStart, leaderLogStart),
        this.#state.logEndOffset,
      );
      this.segments.dropBelow(start);
      const r = this.storage.sql
        .exec<{ n: number | null }>(`SELECT SUM(bytes) AS n FROM batches WHERE last_offset < ?`, start)
        .one();
      this.storage.sql.exec(`DELETE FROM batches WHERE last_offset < ?`, start);
      this.txns.forgetAbortedThrough(start - 1);
      this.#update({ logStartOffset: start, hotBytes: hotBytes - (r.n ?? 0) });
    });
  }

  /** A follower whose copy fell behind the leader's hot log starts again, empty, at `offset`. */
  resetTo(offset: number): void {
    this.transaction(() => {
      this.storage.sql.exec(`DELETE FROM batches`);
      this.segments.clear();
      this.txns.clear();
      this.#update({ logStartOffset: offset, logEndOffset: offset, highWatermark: offset, hotBytes: 0 });
    });
  }

  /** Forgets producers idle for longer than producer.id.expiration.ms. */
  expireProducers(now: number, expirationMs: number): void {
    this.#producers.expire(now - expirationMs);
  }

  get producerCount(): number {
    return this.#producers.count();
  }

  /** Whether any idempotent producer state is kept (no query: appends ask this every time). */
  get hasProducers(): boolean {
    return this.#producers.any;
  }

  /**
   * Reads whole batches from `offset`: at least one batch when any exists (so a batch larger
   * than maxBytes still makes progress, as in Kafka), then more while under both limits.
   */
  read(offset: number, opts: ReadOptions): ReadResult {
    const { logStartOffset, highWatermark } = this.#state;
    this.checkOffset(offset);
    const lastStableOffset = this.lastStableOffset;
    const committed = opts.isolation === "read_committed";
    const result: ReadResult = { batches: [], highWatermark, logStartOffset, lastStableOffset, rowsRead: 0 };
    if (committed) result.aborted = [];
    // Between the high watermark and the log end: written, not yet replicated, so not yet readable.
    // read_committed stops earlier, at the first offset of the oldest open transaction.
    const end = committed ? lastStableOffset : highWatermark;
    if (offset >= end) return result;

    // Each row holds at least one record, so maxRecords + 1 rows always suffice.
    const limit = Math.min(opts.maxRecords + 1, MAX_ROWS_PER_READ);
    const cursor = this.storage.sql.exec<{
      base_offset: number;
      last_offset: number;
      bytes: number;
      data: ArrayBuffer;
    }>(
      `SELECT base_offset, last_offset, bytes, data FROM batches
       WHERE base_offset >= IFNULL((SELECT MAX(base_offset) FROM batches WHERE base_offset <= ?1), ?1)
         AND base_offset < ?2
       ORDER BY base_offset LIMIT ?3`,
      offset,
      end,
      limit,
    );
    let bytes = 0;
    let records = 0;
    let last = offset;
    for (const row of cursor) {
      if (row.last_offset < offset) continue;
      result.batches.push(new Uint8Array(row.data));
      bytes += row.bytes;
      records += row.last_offset - Math.max(row.base_offset, offset) + 1;
      last = row.last_offset;
      if (bytes >= opts.maxBytes || records >= opts.maxRecords) break;
    }
    result.rowsRead = cursor.rowsRead;
    if (committed && result.batches.length > 0) result.aborted = this.abortedBetween(offset, last);
    return result;
  }

  /** The aborted transactions overlapping [from, to] that SQLite holds (archived ones: the segment's .txnindex). */
  abortedBetween(from: number, to: number): { producerId: number; firstOffset: number }[] {
    return this.txns.aborted(from, to).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
  }

  /** The first offset held in SQLite; offsets below it (and at or above logStartOffset) are archived. */
  get hotStartOffset(): number {
    const r = this.storage.sql.exec<{ b: number | null }>(`SELECT MIN(base_offset) AS b FROM batches`).one();
    return r.b ?? this.#state.logEndOffset;
  }

  /**
   * The first offset not archived to R2: where a follower's copy begins. Above the log start only
   * by archived segments (compaction's gaps are rows a copy simply lacks too).
   */
  get copyStartOffset(): number {
    // From the segments' cached totals: the replicator asks this on every shipment.
    return Math.max(this.#state.logStartOffset, this.segments.totals().archivedEnd);
  }

  /** Archived segments starting at or after `from`, with their sparse indexes, to ship to a follower. */
  archivedSince(from: number, limit: number): ShippedSegment[] {
    return this.segments.archivedFrom(from, limit).map((s) => ({
      baseOffset: s.baseOffset,
      lastOffset: s.lastOffset,
      maxTimestamp: s.maxTimestamp,
      timeIndex: s.timeIndex,
      bytes: s.bytes,
      batchCount: s.batchCount,
      recordCount: s.recordCount,
      r2Key: s.r2Key!,
      sealedAt: s.sealedAt,
      abortedTxns: s.abortedTxns ?? 0,
      index: this.segments.index(s.baseOffset),
    }));
  }

  /** The offset after the newest archived segment (0: none). */
  get archivedEnd(): number {
    return this.segments.totals().archivedEnd;
  }

  /** Hot batches from `from` on, without their bytes, oldest first, while `more` says so. */
  *hotMeta(from: number, to = Number.MAX_SAFE_INTEGER): Generator<HotBatchMeta> {
    const cursor = this.storage.sql.exec<HotRow>(
      `SELECT base_offset, last_offset, max_timestamp, time_index, records, bytes FROM batches
       WHERE base_offset >= ? AND base_offset <= ? ORDER BY base_offset`,
      from,
      to,
    );
    for (const r of cursor) yield toMeta(r);
  }

  /** Whole hot batches in [from, to], oldest first: up to `maxRows`, stopping once `maxBytes` are in hand. */
  hotBatches(from: number, to: number, maxRows: number, maxBytes = 8 * 1024 * 1024): HotBatch[] {
    const cursor = this.storage.sql.exec<HotRow & { data: ArrayBuffer }>(
      `SELECT base_offset, last_offset, max_timestamp, time_index, records, bytes, data FROM batches
       WHERE base_offset >= ? AND base_offset <= ? ORDER BY base_offset LIMIT ?`,
      from,
      to,
      maxRows,
    );
    const out: HotBatch[] = [];
    let bytes = 0;
    for (const r of cursor) {
      out.push({ ...toMeta(r), data: new Uint8Array(r.data) });
      bytes += r.bytes;
      if (bytes >= maxBytes) break;
    }
    return out;
  }

  /**
   * The last step of rolling, in one transaction: the uploaded segment becomes the copy readers
   * use, its index is written, and its rows leave SQLite.
   */
  commitArchived(seg: Segment, index: readonly IndexEntry[], abortedTxns = 0): void {
    this.transaction(() => {
      this.segments.writeIndex(seg.baseOffset, index);
      this.segments.setState(seg.baseOffset, "archived", abortedTxns);
      // Aborted ranges ending in the segment now live in its .txnindex object beside it.
      this.txns.forgetAbortedThrough(seg.lastOffset);
      const freed = this.#deleteHot(seg.baseOffset, seg.lastOffset);
      this.#update({ hotBytes: this.#state.hotBytes - freed });
    });
  }

  /**
   * Moves the log start offset up to `offset` and drops hot batches wholly below it, atomically
   * with any segment changes `alsoDo` makes. Retention moves it to a batch or segment boundary;
   * DeleteRecords anywhere, keeping the batch that holds the new start (readers skip below it).
   */
  advanceStart(offset: number, alsoDo: () => void = () => {}): void {
    this.transaction(() => {
      alsoDo();
      const target = Math.min(Math.max(offset, this.#state.logStartOffset), this.#state.logEndOffset);
      const r = this.storage.sql
        .exec<{ n: number | null }>(`SELECT SUM(bytes) AS n FROM batches WHERE last_offset < ?`, target)
        .one();
      this.storage.sql.exec(`DELETE FROM batches WHERE last_offset < ?`, target);
      this.txns.forgetAbortedThrough(target - 1);
      this.#update({ logStartOffset: target, hotBytes: this.#state.hotBytes - (r.n ?? 0) });
    });
  }

  /** Compaction: replaces a hot batch by its filtered copy, or removes it when nothing is left. */
  replaceBatch(baseOffset: number, data: Uint8Array | null, oldBytes: number): void {
    if (data === null) {
      this.storage.sql.exec(`DELETE FROM batches WHERE base_offset = ?`, baseOffset);
    } else {
      this.storage.sql.exec(
        `UPDATE batches SET data = ?, bytes = ?, records = ? WHERE base_offset = ?`,
        data,
        data.byteLength,
        readRecordCount(data),
        baseOffset,
      );
    }
    this.#update({ hotBytes: this.#state.hotBytes - oldBytes + (data?.byteLength ?? 0) });
  }

  /** A follower applies a leader's rewrite to a row it holds (a row it lacks arrives whole later). */
  applyRewrite(baseOffset: number, data: Uint8Array | null): void {
    const row = this.storage.sql
      .exec<{ bytes: number }>(`SELECT bytes FROM batches WHERE base_offset = ?`, baseOffset)
      .toArray()[0];
    if (row) this.replaceBatch(baseOffset, data, row.bytes);
  }

  /**
   * Runs `fn` in one SQLite transaction, which may append and change the log. When it throws, the
   * rows roll back and so does the state kept in memory: no caller has to remember to reload it.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.storage.transactionSync(fn);
    } catch (e) {
      this.#state = this.#loadState();
      this.#producers.discard();
      this.txns.reload();
      this.#epochs.reload();
      throw e;
    }
  }

  /** Deletes hot batches starting in [from, to] (whole batches) and returns the bytes freed. */
  #deleteHot(from: number, to: number): number {
    const r = this.storage.sql
      .exec<{ n: number | null }>(
        `SELECT SUM(bytes) AS n FROM batches WHERE base_offset >= ? AND base_offset <= ?`,
        from,
        to,
      )
      .one();
    this.storage.sql.exec(`DELETE FROM batches WHERE base_offset >= ? AND base_offset <= ?`, from, to);
    return r.n ?? 0;
  }

  #update(change: Partial<LogState>): void {
    const s = { ...this.#state, ...change };
    this.#saveState(s);
    this.#state = s;
  }

  /**
   * Throws OFFSET_OUT_OF_RANGE (with the bounds beside it) unless `offset` is in [logStart, logEnd]
   * (Kafka's range: an offset past the high watermark but written is waited on, not refused).
   */
  checkOffset(offset: number): void {
    const { logStartOffset, highWatermark, logEndOffset } = this.#state;
    if (offset < logStartOffset || offset > logEndOffset) {
      throw new EdgelogError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${offset} is outside the log [${logStartOffset}, ${highWatermark}]`,
        { log_start_offset: logStartOffset, high_watermark: highWatermark },
      );
    }
  }

  /** Kafka's ListOffsets by time: the first offset whose timestamp is at or after `ts`. */
  offsetForTime(ts: number): OffsetAtTime {
    const row = this.storage.sql
      .exec<{ data: ArrayBuffer }>(
        `SELECT data FROM batches WHERE time_index >= ? ORDER BY time_index, base_offset LIMIT 1`,
        ts,
      )
      .toArray()[0];
    if (row) {
      for (const r of decodeRecords(new Uint8Array(row.data))) {
        if (r.timestamp >= ts && r.offset >= this.#state.logStartOffset)
          return { offset: r.offset, timestamp: r.timestamp };
      }
    }
    return { offset: this.#state.highWatermark, timestamp: -1 };
  }

  #loadState(): LogState {
    const r = this.storage.sql.exec<StateRow>(`SELECT * FROM log_state WHERE id = 0`).one();
    return {
      logStartOffset: r.log_start_offset,
      logEndOffset: r.log_end_offset,
      highWatermark: r.high_watermark,
      leaderEpoch: r.leader_epoch,
      hotBytes: r.hot_bytes,
      maxTimestamp: r.max_timestamp,
    };
  }

  #saveState(s: LogState): void {
    this.storage.sql.exec(
      `UPDATE log_state SET log_start_offset = ?, log_end_offset = ?, high_watermark = ?,
         leader_epoch = ?, hot_bytes = ?, max_timestamp = ? WHERE id = 0`,
      s.logStartOffset,
      s.logEndOffset,
      s.highWatermark,
      s.leaderEpoch,
      s.hotBytes,
      s.maxTimestamp,
    );
  }
}
