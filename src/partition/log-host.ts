// A partition object's log side, so PartitionDO stays an adapter: opens the log for a caller's
// topic ref (remembering the newest config for background work), appends (plain or mirrored) and
// reads across tiers, parking long-polls at the tail, and tells replication and the alarm what
// each append changed.

import type {
  AbortedHere,
  Acks,
  AppendedBatch,
  LogEnds,
  MirroredAppend,
  MirrorSlice,
  OffsetAtTime,
  OffsetSpec,
  PartitionInfo,
  ReadRequest,
  ReadResult,
  TxnAppend,
} from "../contracts/partition.js";
import type { TxnMarker } from "../contracts/transactions.js";
import type { IsolationLevel } from "../protocol/constants.js";
import type { TxnHost } from "./transactions-host.js";
import { offsetForTimeTiered, readTiered } from "../archive/read.js";
import { deleteRecordsBefore } from "../archive/retention.js";
import { unsealedBytes } from "../archive/roll.js";
import type { SegmentStore } from "../archive/store.js";
import { PartitionLog, type AppendOptions, type LogStorage } from "../log/partition-log.js";
import { EdgelogError } from "../protocol/errors.js";
import type { TopicRef } from "../protocol/topic.js";
import type { Replicator } from "../replication/replicator.js";
import { nextAlarm, type AlarmScheduler } from "./alarm.js";
import type { PartitionKv } from "./keys.js";
import { appendWithProgress, readProgress } from "./mirror-target.js";
import type { ReplicationHost } from "./replication-host.js";
import type { Waiters } from "./waiters.js";
import { mark } from "../metrics/bench-trace.js";

export interface LogHostParts {
  storage: LogStorage;
  kv: PartitionKv;
  segments: SegmentStore;
  /** Long-polls parked at the tail. */
  waiters: Waiters;
  alarm: AlarmScheduler;
  replication(): ReplicationHost;
  /** Transactions: the coordinator's check before a transaction's first write, and markers. */
  txns: TxnHost;
  /** New data became readable: wake long-polls and live subscribers. */
  onHighWatermark(): void;
  /** Batches were appended: called inside the append's write, before anything awaits (metrics count there). */
  onAppended?(batches: Uint8Array, out: readonly AppendedBatch[]): void;
  /** Benchmarks only (EDGELOG_BENCH_TRACE=on): mark each record's append and wake (metrics/bench-trace.ts). */
  benchTrace?: boolean;
}

export class LogHost {
  #log?: PartitionLog;
  /** The newest topic ref seen (also kept in storage as "topic"). */
  #topic?: TopicRef;

  /** Opens the log unless the partition was dropped: construct it inside blockConcurrencyWhile. */
  constructor(private readonly parts: LogHostParts) {
    // A dropped partition keeps only its tombstone, so late writers cannot revive it.
    if (parts.kv.get("dropped") !== true) this.#log = PartitionLog.open(parts.storage);
  }

  /** The log, or undefined once the topic was deleted. */
  get log(): PartitionLog | undefined {
    return this.#log;
  }

  /** The newest topic ref seen, for work that has no caller to ask (the alarm, replication). */
  get topic(): TopicRef | undefined {
    return this.#topic ?? this.parts.kv.get("topic");
  }

  /** The log for a caller's ref; UNKNOWN_TOPIC_OR_PARTITION once the topic was deleted. */
  open(ref: TopicRef): PartitionLog {
    if (!this.#log) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${ref.name} was deleted`);
    this.#remember(ref);
    return this.#log;
  }

  /** The storage was wiped: forget the log (`reopen` starts an empty one, as a follower copy does). */
  close(reopen = false): void {
    this.#log = reopen ? PartitionLog.open(this.parts.storage) : undefined;
  }

  async append(ref: TopicRef, batches: Uint8Array, acks: Acks, txn?: TxnAppend): Promise<AppendedBatch[]> {
    const started = this.parts.benchTrace ? Date.now() : 0;
    const log = this.open(ref);
    await this.parts.replication().checkLeader(ref);
    const replicator = this.parts.replication().leader();
    if (acks === "all") replicator?.checkWritable();
    const opts = appendOptions(ref, replicator);
    // Counted inside the append's write, so the counters persist with the records (metrics-host.ts).
    const write = (o: AppendOptions) => {
      const written = log.append(batches, o);
      this.parts.onAppended?.(batches, written);
      return written;
    };
    // A transaction's batches wait for its coordinator's check (KIP-890) before they are written.
    const out = txn
      ? await this.parts.txns.append(log, ref, batches, txn, (transaction) => write({ ...opts, transaction }))
      : write(opts);
    if (started) for (const b of out) mark(ref.name, ref.partition, b.baseOffset, "append", started);
    await this.#afterAppend(log, ref, replicator);
    if (acks === "all" && replicator) await replicator.waitForReplicas(Math.max(...out.map((b) => b.lastOffset + 1)));
    return out;
  }

  /** A mirror's slice, appended with the mirror's progress in one transaction (mirror-target.ts). */
  async appendMirrored(ref: TopicRef, batches: Uint8Array, slice: MirrorSlice): Promise<MirroredAppend> {
    const log = this.open(ref);
    await this.parts.replication().checkLeader(ref);
    // Mirrored data replicates like any other: the high watermark waits for the in-sync copies.
    const replicator = this.parts.replication().leader();
    const out = appendWithProgress(this.parts.kv, log, batches, appendOptions(ref, replicator), slice);
    this.parts.onAppended?.(batches, out.batches);
    if (out.batches.length > 0) await this.#afterAppend(log, ref, replicator);
    return out;
  }

  /** A coordinator's marker: ends the producer's open transaction here, and the LSO moves on. */
  async writeTxnMarker(ref: TopicRef, marker: TxnMarker): Promise<{ written: boolean }> {
    const log = this.open(ref);
    // A deposed copy takes no marker (it would be cut away): the refusal names the leader.
    await this.parts.replication().checkLeader(ref);
    const replicator = this.parts.replication().leader();
    const out = this.parts.txns.marker(log, marker, { now: Date.now(), holdHighWatermark: replicator !== undefined });
    if (out.written) await this.#afterAppend(log, ref, replicator);
    // Acknowledged only once the in-sync copies hold it (Kafka writes markers with acks=all): a
    // marker only a deposed leader took is cut on its return, and the coordinator must resend it.
    await replicator?.waitForReplicas(log.state.logEndOffset);
    return out;
  }

  /** An administrator's abort of a hanging transaction on this partition alone. */
  async abortTransaction(ref: TopicRef, which: { producerId: number } | { startOffset: number }): Promise<AbortedHere> {
    const log = this.open(ref);
    await this.parts.replication().checkLeader(ref);
    const replicator = this.parts.replication().leader();
    const out = this.parts.txns.abort(log, which, { now: Date.now(), holdHighWatermark: replicator !== undefined });
    await this.#afterAppend(log, ref, replicator);
    await replicator?.waitForReplicas(out.marker_offset + 1);
    return out;
  }

  ends(ref: TopicRef): LogEnds {
    const log = this.open(ref);
    this.parts.replication().leader();
    const s = log.state;
    return { logStartOffset: s.logStartOffset, highWatermark: s.highWatermark, lastStableOffset: log.lastStableOffset };
  }

  mirrorProgress(ref: TopicRef, mirror: string): number | null {
    this.open(ref);
    return readProgress(this.parts.kv, mirror);
  }

  /** A leader's read. One whose replicas changed applies that first (the ISR decides what is readable). */
  read(ref: TopicRef, req: ReadRequest): Promise<ReadResult> {
    this.open(ref);
    this.parts.replication().leader();
    return this.#read(ref, req);
  }

  /** A follower's read, or null when the copy cannot serve it (the router asks the leader). */
  async readReplica(ref: TopicRef, req: ReadRequest): Promise<ReadResult | null> {
    const log = this.open(ref);
    if (!(await this.parts.replication().canServe(log, ref, req.offset))) return null;
    return this.#read(ref, req);
  }

  /** A live subscriber's next chunk (the log may be gone: the topic was deleted under it). */
  readLive(
    offset: number,
    opts: { maxBytes: number; maxRecords: number; isolation?: IsolationLevel },
  ): Promise<ReadResult> {
    if (!this.#log) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "topic was deleted");
    return readTiered(this.#log, this.parts.segments, offset, opts);
  }

  /** Ends a long-poll parked under `pollId` (a multi-partition fetch another partition answered). */
  cancelWait(pollId: string): null {
    this.parts.waiters.cancel(pollId);
    return null;
  }

  /** Refuses a live tail's start offset before the upgrade (archived offsets are fine); false when this follower cannot serve it. */
  async liveFrom(ref: TopicRef, offset: number, replicaMiss: boolean): Promise<boolean> {
    const log = this.open(ref);
    if (replicaMiss && !(await this.parts.replication().canServe(log, ref, offset, false))) return false;
    await readTiered(log, this.parts.segments, offset, { maxBytes: 1, maxRecords: 1 });
    return true;
  }

  async offsets(ref: TopicRef, at: OffsetSpec, isolation?: IsolationLevel): Promise<OffsetAtTime> {
    const log = this.open(ref);
    // read_committed reads no further than the last stable offset, so no lookup answers beyond it.
    const end = isolation === "read_committed" ? log.lastStableOffset : log.state.highWatermark;
    if (at === "earliest") return { offset: log.state.logStartOffset, timestamp: -1 };
    if (at === "latest") return { offset: end, timestamp: -1 };
    const found = await offsetForTimeTiered(log, this.parts.segments, at);
    return found.offset > end ? { offset: end, timestamp: -1 } : found;
  }

  /**
   * Kafka's DeleteRecords: records below `offset` (-1: the high watermark) become unreadable and
   * their storage is freed. Only for topics whose cleanup.policy includes delete, as Kafka.
   */
  async deleteRecords(ref: TopicRef, offset: number): Promise<{ log_start_offset: number }> {
    const log = this.open(ref);
    if (!ref.config["cleanup.policy"].includes("delete")) {
      throw new EdgelogError(
        "POLICY_VIOLATION",
        `records of topic ${ref.name} cannot be deleted: its cleanup.policy is ${ref.config["cleanup.policy"]}, not delete`,
      );
    }
    const { logStartOffset, highWatermark } = log.state;
    const target = offset === -1 ? highWatermark : offset;
    if (target < 0 || target > highWatermark) {
      throw new EdgelogError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${offset} is beyond the high watermark ${highWatermark}; records can be deleted up to it`,
        { log_start_offset: logStartOffset, high_watermark: highWatermark },
      );
    }
    return { log_start_offset: await deleteRecordsBefore(log, this.parts.segments, target) };
  }

  describe(ref: TopicRef): PartitionInfo {
    const log = this.open(ref);
    const replication = this.parts.replication();
    const replicator = replication.leader();
    const s = log.state;
    const totals = log.segments.totals();
    return {
      partition: ref.partition,
      log_start_offset: s.logStartOffset,
      high_watermark: s.highWatermark,
      last_stable_offset: log.lastStableOffset,
      log_end_offset: s.logEndOffset,
      bytes: s.hotBytes,
      archived_bytes: totals.archivedBytes,
      segments: totals.count,
      ...(replicator && replicator.regions.length > 0
        ? {
            isr: ["leader", ...replicator.recordedIsr],
            replicas: replicator.status(ref.config["unclean.leader.election.enable"]),
            leader: replication.self,
            leader_epoch: replication.view.epoch,
          }
        : {}),
    };
  }

  /** The topic's config changed: remember it and let the alarm apply it (retention, segment sizes, replicas). */
  async configure(ref: TopicRef): Promise<null> {
    this.open(ref);
    this.parts.replication().leader();
    await this.parts.alarm.wakeBy(Date.now());
    return null;
  }

  /** Background work an append makes due: a roll, the time deadlines, the producers' sweep. */
  async appended(log: PartitionLog, ref: TopicRef): Promise<void> {
    const { hotBytes } = log.state;
    const unsealed = hotBytes >= ref.config["segment.bytes"] ? unsealedBytes(log) : 0;
    const state = { alarmAt: this.parts.alarm.at, hotBytes, unsealedBytes: unsealed, hasProducers: log.hasProducers };
    await this.parts.alarm.wakeBy(nextAlarm({ after: "append", config: ref.config, ...state }, Date.now()));
  }

  /** New data becomes readable (at once, or once replicated), and background work is scheduled. */
  async #afterAppend(log: PartitionLog, ref: TopicRef, replicator: Replicator | undefined): Promise<void> {
    if (replicator) replicator.afterAppend();
    else this.parts.onHighWatermark();
    await this.appended(log, ref);
  }

  /** Reads up to the high watermark (read_committed: the LSO), parking at the tail for up to waitMs. */
  async #read(ref: TopicRef, req: ReadRequest): Promise<ReadResult> {
    const opts = { maxBytes: req.maxBytes, maxRecords: req.maxRecords, isolation: req.isolation };
    let result = await readTiered(this.open(ref), this.parts.segments, req.offset, opts);
    const end = req.isolation === "read_committed" ? result.lastStableOffset : result.highWatermark;
    if (result.batches.length === 0 && req.waitMs > 0 && req.offset >= end) {
      const woken = await this.parts.waiters.wait(req.waitMs, req.pollId);
      if (woken) result = await readTiered(this.open(ref), this.parts.segments, req.offset, opts);
      if (this.parts.benchTrace && result.batches.length > 0) mark(ref.name, ref.partition, req.offset, "wake");
    } else if (this.parts.benchTrace && result.batches.length > 0) mark(ref.name, ref.partition, req.offset, "found");
    return result;
  }

  /** Keeps the newest topic config seen, for background work (alarm) that has no caller to ask. */
  #remember(ref: TopicRef): void {
    if (this.#topic !== undefined && ref.version <= this.#topic.version) return;
    const stored = this.parts.kv.get("topic");
    if (!stored || ref.version > stored.version) this.parts.kv.put("topic", ref);
    this.#topic = !stored || ref.version > stored.version ? ref : stored;
  }
}

function appendOptions(ref: TopicRef, replicator: Replicator | undefined): AppendOptions {
  return {
    timestampType: ref.config["message.timestamp.type"],
    maxMessageBytes: ref.config["max.message.bytes"],
    now: Date.now(),
    // A replicated partition's high watermark moves once the in-sync followers hold the batches.
    holdHighWatermark: replicator !== undefined,
  };
}
