// The parts the leader's replicator is given, as interfaces it is tested through: its log, the
// compaction rewrite queue, a transport to the followers, a store for the in-sync set, its hooks.

import type { ReplicaAck, ReplicaChunk, Rewrite, ShippedSegment } from "../contracts/partition.js";
import type { EpochStart } from "../leadership/epochs.js";
import type { EdgelogError } from "../protocol/errors.js";

/** What the replicator needs of the leader's log. */
export interface LeaderLog {
  readonly state: {
    readonly logStartOffset: number;
    readonly logEndOffset: number;
    readonly highWatermark: number;
    readonly leaderEpoch: number;
  };
  /** Where each leader epoch starts in this log (to find where a follower's copy diverged). */
  readonly epochs: EpochStart[];
  /** The first offset still held in SQLite; below it the log lives in R2, which followers share. */
  readonly copyStartOffset: number;
  /** The offset after the newest archived segment (0: none). */
  readonly archivedEnd: number;
  /** Archived segments starting at or after `from`, oldest first, with their sparse indexes. */
  archivedSince(from: number, limit: number): ShippedSegment[];
  hotBatches(from: number, to: number, maxRows: number, maxBytes: number): { data: Uint8Array }[];
  /** Moves the high watermark up to `hw` (never down, never past the log end); true when it moved. */
  advanceHighWatermark(hw: number): boolean;
}

/** The compaction rewrites queued for followers (RewriteQueue, src/replication/rewrites.ts). */
export interface RewriteSource {
  /** Queued rewrites after `seq`, oldest first. */
  after(seq: number, limit: number): Rewrite[];
  /** The newest queued rewrite's number (0: none). */
  readonly lastSeq: number;
  prune(upTo: number): void;
}

/** Sends a chunk to one region's follower (a probe when `chunk` is null) and returns what it holds. */
export interface ReplicaTransport {
  replicate(region: string, chunk: ReplicaChunk | null): Promise<ReplicaAck>;
}

/**
 * Where the in-sync set is recorded. A promise when an election authority must accept it first:
 * then a follower leaves the set only once recorded (until then the high watermark still waits
 * for it), and a refusal with FENCED_LEADER_EPOCH means this leader was deposed.
 */
export interface IsrStore {
  load(): string[] | undefined;
  save(isr: string[]): void | Promise<void>;
}

export interface ReplicationConfig {
  /** The follower copies (regions, or HOME when a region leads). */
  regions: readonly string[];
  /** This copy's name (HOME or its region): chunks carry it, with the epoch. */
  self?: string;
  minInsyncReplicas: number;
  /** A follower behind the leader's end for longer than this leaves the ISR. */
  lagTimeMaxMs: number;
}

export interface ReplicatorHooks {
  /** The high watermark moved: wake long-polls and live subscribers. */
  onHighWatermark(): void;
  /** Background catch-up is due at `at` (ms): the object's alarm should fire by then. */
  wakeAt(at: number): void;
  /** A follower or the authority knows a later epoch: this leader was deposed and must step down. */
  onFenced?(e: EdgelogError): void;
}
