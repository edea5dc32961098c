// What the router and the other objects exchange with a partition object (PartitionDO): its RPC
// methods and their messages. No Workers APIs, so the log, the router and tests all share it.

import type { LeadershipRecord } from "../leadership/record.js";
import type { AbortedPartitionTransactionSchema, PartitionTransactions } from "../protocol/api.js";
import type { IsolationLevel } from "../protocol/constants.js";
import type { Result } from "../protocol/errors.js";
import type { AbortedTxn } from "../protocol/transactions.js";
import type { TxnMarker } from "./transactions.js";
import type { z } from "zod";
import type { TopicRef } from "../protocol/topic.js";
import type { EpochStart } from "../leadership/epochs.js";
import type {
  AppendStreamRequest,
  CreateStreamRequest,
  DeleteOutcome,
  ForkSource,
  OffsetParam,
  StreamPosition,
  StreamRead,
  StreamReply,
} from "./durable-streams.js";

/**
 * A partition object's RPC methods. Every one answers a Result (errors travel as data). Besides
 * these, its fetch() takes a live tail's WebSocket upgrade (HEADER_TOPIC_REF, HEADER_REPLICA_MISS).
 */
export interface PartitionRpc {
  /**
   * With `txn` the batches are a transaction's (transactional, one producer): the partition checks
   * with the transactional id's coordinator before the transaction's first write here (KIP-890).
   */
  append(ref: TopicRef, batches: Uint8Array, acks?: Acks, txn?: TxnAppend): Promise<Result<AppendedBatch[]>>;
  /** A coordinator's marker: ends the producer's open transaction here (idempotent). */
  writeTxnMarker(ref: TopicRef, marker: TxnMarker): Promise<Result<{ written: boolean }>>;
  /** The open transactions (Kafka's DescribeProducers). */
  transactions(ref: TopicRef): Promise<Result<PartitionTransactions>>;
  /** An administrator's abort of a hanging transaction on this partition alone. */
  abortTransaction(
    ref: TopicRef,
    which: { producerId: number } | { startOffset: number },
  ): Promise<Result<AbortedHere>>;
  /** A mirror's slice, appended with the mirror's progress in one transaction. */
  appendMirrored(ref: TopicRef, batches: Uint8Array, slice: MirrorSlice): Promise<Result<MirroredAppend>>;
  /** The next source offset mirror `mirror` will copy into this partition (null: none copied yet). */
  mirrorProgress(ref: TopicRef, mirror: string): Promise<Result<number | null>>;
  read(ref: TopicRef, req: ReadRequest): Promise<Result<ReadResult>>;
  /** Ends a long-poll parked under `pollId` (a multi-partition fetch another partition answered). */
  cancelWait(pollId: string): Promise<Result<null>>;
  offsets(ref: TopicRef, at: OffsetSpec, isolation?: IsolationLevel): Promise<Result<OffsetAtTime>>;
  /** The log's bounds: log start, high watermark, last stable offset. */
  ends(ref: TopicRef): Promise<Result<LogEnds>>;
  describe(ref: TopicRef): Promise<Result<PartitionInfo>>;
  /**
   * Kafka's DeleteRecords: records below `offset` (-1: the high watermark) become unreadable and
   * their storage is freed. Only for topics whose cleanup.policy includes delete.
   */
  deleteRecords(ref: TopicRef, offset: number): Promise<Result<{ log_start_offset: number }>>;
  /** The topic's config changed: the partition applies it (retention, segment sizes, replicas). */
  configure(ref: TopicRef): Promise<Result<null>>;
  /** The topic was deleted: the partition becomes unreachable and frees its storage. */
  drop(): Promise<Result<null>>;

  // Geo-replication: a follower copy's side.
  /** Applies a chunk the leader shipped (null: the leader asks where this copy ends). */
  replicate(ref: TopicRef, chunk: ReplicaChunk | null): Promise<Result<ReplicaAck>>;
  /** A read served by this follower, or null when the copy cannot serve it (the router asks the leader). */
  readReplica(ref: TopicRef, req: ReadRequest): Promise<Result<ReadResult | null>>;
  /** The topic no longer has a replica in this region: forget the copy. */
  dropReplica(): Promise<Result<null>>;

  // Leader failover: every copy's side.
  /**
   * The authority recorded `record`: this copy (`self`, HOME or its region) leads it or follows its
   * leader. Older records than the copy knows are ignored.
   */
  adopt(ref: TopicRef, self: string, record: LeadershipRecord): Promise<Result<LeaderView>>;
  /** Whether this copy answers, and whom it takes for the leader (health checks, the controller's view). */
  ping(): Promise<Result<LeaderView>>;
  /** A client found the leader silent: this copy checks the leader's health soon, whatever its idle backoff. */
  suspectLeader(ref: TopicRef): Promise<Result<null>>;
  /** Kafka's OffsetForLeaderEpoch on this copy: the largest epoch at or below `epoch` and where it ends. */
  endOffsetForEpoch(ref: TopicRef, epoch: number): Promise<Result<{ leader_epoch: number; end_offset: number }>>;

  // Durable Streams: a stream is partition 0 of a `stream.<name>` topic.
  streamCreate(ref: TopicRef, req: CreateStreamRequest): Promise<Result<StreamReply>>;
  streamAppend(ref: TopicRef, req: AppendStreamRequest): Promise<Result<StreamReply>>;
  streamHead(ref: TopicRef): Promise<Result<StreamReply>>;
  /** Reads from `from`; with waitMs, parks at the tail of an open stream until an append or close. */
  streamRead(ref: TopicRef, from: OffsetParam, waitMs: number): Promise<Result<StreamRead>>;
  streamDelete(ref: TopicRef): Promise<Result<DeleteOutcome>>;
  /** Whether an expired stream's topic should now be removed (and which source it held a fork of). */
  streamReap(ref: TopicRef): Promise<Result<DeleteOutcome>>;
  streamForkSource(ref: TopicRef, offset: StreamPosition | null, subOffset: number): Promise<Result<ForkSource>>;
  streamAddFork(ref: TopicRef): Promise<Result<null>>;
  streamReleaseFork(ref: TopicRef): Promise<Result<DeleteOutcome>>;
}

/** Kafka's acks: 1 answers once the leader's write is durable, "all" once every in-sync replica has it. */
export type Acks = 1 | "all";

export type OffsetSpec = "earliest" | "latest" | number;

/** A transactional append: whose transaction the batches belong to. */
export interface TxnAppend {
  transactionalId: string;
}

export type AbortedHere = z.infer<typeof AbortedPartitionTransactionSchema>;

export interface LogEnds {
  logStartOffset: number;
  highWatermark: number;
  lastStableOffset: number;
}

export interface ReadRequest {
  /** read_committed reads to the last stable offset and lists the aborted transactions it overlaps. */
  isolation?: IsolationLevel;
  offset: number;
  maxBytes: number;
  maxRecords: number;
  /** Long-poll up to this long when `offset` is at the end of the log. */
  waitMs: number;
  /** Names the wait so cancelWait() can end it (multi-partition fetches). */
  pollId?: string;
}

export interface ReadResult {
  /** Whole batches in offset order; the first may start below the requested offset. */
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
  /** read_committed: the aborted transactions overlapping `batches` (Kafka's Fetch AbortedTransactions). */
  aborted?: AbortedTxn[];
  /** SQLite rows stepped to serve this read: the cost measure that must not grow with the log. */
  rowsRead: number;
}

export interface AppendedBatch {
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
  /** The broker's append time under LogAppendTime, else -1 (as Kafka's ProduceResponse). */
  logAppendTime: number;
  /** True when an idempotent producer's retry matched a batch already written: nothing was appended. */
  duplicate: boolean;
}

export interface OffsetAtTime {
  offset: number;
  timestamp: number;
}

export interface PartitionInfo {
  partition: number;
  log_start_offset: number;
  high_watermark: number;
  last_stable_offset: number;
  /** Bytes in SQLite (the hot tier). */
  bytes: number;
  /** Bytes in R2 segments. */
  archived_bytes: number;
  /** Sealed segments, archived or (compacted topics) sealed in place. */
  segments: number;
  /** The next offset to be written; above high_watermark while followers have yet to copy it. */
  log_end_offset: number;
  /** Geo-replicated topics: the replicas in sync, the leader first, and each follower's state. */
  isr?: string[];
  replicas?: ReplicaStatus[];
  /** Geo-replicated topics: the copy that leads (HOME or a region) and its epoch. */
  leader?: string;
  leader_epoch?: number;
}

export interface ReplicaStatus {
  region: string;
  /** The follower's log end offset as last acknowledged (null until it first answers). */
  log_end_offset: number | null;
  /** Offsets the follower is behind the leader's log end. */
  lag: number | null;
  in_sync: boolean;
  /** Milliseconds since the follower last held everything the leader had. */
  caught_up_ms_ago: number;
  /** The last shipping failure, while the follower is failing. */
  error?: string;
  /**
   * With unclean.leader.election.enable, on an out-of-sync copy: the records an unclean election
   * of this copy would lose now (what the leader holds beyond it).
   */
  unclean_election_loss?: number;
}

/** Whom a copy takes for the partition's leader. */
export interface LeaderView {
  leader: string;
  epoch: number;
}

/** What the leader ships to a follower. */
export interface ReplicaChunk {
  /** The shipping leader (HOME or its region) and its epoch: a copy that knows a later epoch refuses it. */
  leader: string;
  leaderEpoch: number;
  /** The copy shipped to (HOME or its region), so it knows its own name. */
  to: string;
  /** Cut the copy here first: its suffix from this offset diverged from the leader's log. */
  truncateTo?: number;
  /** The offset of the first batch in `batches` (or where the copy restarts when `reset`). */
  from: number;
  /** The follower's copy is behind the leader's hot log: discard it and start again at `from`. */
  reset: boolean;
  /** Whole batches, exactly as the leader stores them, in offset order from `from`. */
  batches: Uint8Array[];
  /** The leader's first hot offset: below it the log is archived in R2 and the follower drops its rows. */
  copyStart: number;
  /** The leader's high watermark: what the follower may show readers. */
  highWatermark: number;
  /** Compaction rewrites of rows the follower may hold, applied after the batches. */
  rewrites: Rewrite[];
  /**
   * Archived segments the follower has not been shipped yet, oldest first: the R2 objects are the
   * leader's, shared by every copy, so a copy reads the archived range itself and serves it once
   * it leads. Absent from a leader that ships none (the copy then drops its rows below `copyStart`).
   */
  segments?: ShippedSegment[];
  /** The leader's log start offset: the copy forgets segments wholly below it. */
  logStart?: number;
}

/** An archived segment as the leader's segments table holds it, with its sparse index. */
export interface ShippedSegment {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  timeIndex: number;
  bytes: number;
  batchCount: number;
  recordCount: number;
  r2Key: string;
  sealedAt: number;
  /** Aborted transactions in the segment's .txnindex object (0: it has none). */
  abortedTxns: number;
  index: { offset: number; position: number; timeIndex: number }[];
}

/** A compaction rewrite shipped to followers: the row's new bytes, or null when it was removed. */
export interface Rewrite {
  seq: number;
  baseOffset: number;
  data: Uint8Array | null;
}

/** What a follower answers the leader. */
export interface ReplicaAck {
  /** The follower's log end offset after applying the chunk. */
  logEndOffset: number;
  /** On a probe: the copy's epoch map (leader-epoch checkpoint), to find where it diverged. */
  epochs?: EpochStart[];
}

/** Where a mirror's slice sits in the source partition. */
export interface MirrorSlice {
  /** The mirror's id (minted at creation, so a recreated mirror never resumes an old one's progress). */
  mirror: string;
  /** The source offset the slice starts at: must equal the progress stored, when one is. */
  from: number;
  /** The source offset after the slice: stored as the progress. */
  next: number;
}

export interface MirroredAppend {
  /** The progress now stored: the next source offset to copy. */
  progress: number;
  batches: AppendedBatch[];
}
