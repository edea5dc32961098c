// One follower's shipping state and what to ship it: whether it is behind, its next chunk, and
// what its ack says it now holds.

import type { ReplicaAck, ReplicaChunk } from "../contracts/partition.js";
import { divergence } from "../leadership/epochs.js";
import type { LeaderLog, RewriteSource } from "./ports.js";

/** One follower's shipping state. */
export interface Follower {
  region: string;
  /** What the follower holds (its log end), null until it answers. */
  leo: number | null;
  /** The high watermark the follower was last told. */
  toldHw: number;
  /** The leader's hot start the follower was last told (below it the copy drops its rows). */
  toldCopyStart: number;
  /** Where the archived segments the follower was shipped end (0 after a restart: resending is harmless). */
  segmentsTo: number;
  /** The log start the follower was last told. */
  toldLogStart: number;
  /** The last compaction rewrite the follower applied (0 after a restart: resending is harmless). */
  rewriteSeq: number;
  /** The copy diverged from this log here (a deposed leader's suffix): the next chunk cuts it. */
  truncateTo?: number;
  caughtUpAt: number;
  inFlight: boolean;
  again: boolean;
  failures: number;
  error?: string;
  retryTimer?: ReturnType<typeof setTimeout>;
}

/** One shipment's size: whole batches up to this many bytes (an RPC carries at most 32 MiB). */
const CHUNK_BYTES = 1024 * 1024;
export const CHUNK_ROWS = 1000;
/** Archived segments' descriptors per shipment (each with its sparse index, about 64 entries). */
export const SEGMENTS_PER_CHUNK = 32;

/** Whether the follower lacks anything the leader has: records, the high watermark, the hot start, segments, the log start, rewrites. */
export function behind(f: Follower, log: LeaderLog, rewrites: RewriteSource): boolean {
  const s = log.state;
  return (
    f.leo === null ||
    f.leo < s.logEndOffset ||
    f.toldHw < Math.min(s.highWatermark, f.leo) ||
    f.toldCopyStart < Math.min(log.copyStartOffset, f.leo) ||
    f.segmentsTo < log.archivedEnd ||
    f.toldLogStart < s.logStartOffset ||
    f.rewriteSeq < rewrites.lastSeq
  );
}

/** The follower's next chunk, from where its copy ends (a copy outside the hot log restarts at its start). */
export function chunkFor(f: Follower, log: LeaderLog, queue: RewriteSource, leader: string): ReplicaChunk {
  const from = f.leo!;
  const s = log.state;
  const copyStart = log.copyStartOffset;
  // Below the hot log the data is in R2, which every replica reads alike: start the copy there.
  const reset = from < copyStart || from > s.logEndOffset;
  const at = reset ? copyStart : from;
  // A fresh copy takes rows as they are now, compaction included: earlier rewrites are moot.
  if (reset) f.rewriteSeq = queue.lastSeq;
  // A reset copy forgets its segments too: they are shipped again from the oldest.
  if (reset) f.segmentsTo = 0;
  const batches =
    at < s.logEndOffset ? log.hotBatches(at, s.logEndOffset - 1, CHUNK_ROWS, CHUNK_BYTES).map((b) => b.data) : [];
  const rewrites = queue.after(f.rewriteSeq, CHUNK_ROWS);
  return {
    leader,
    leaderEpoch: s.leaderEpoch,
    to: f.region,
    ...(f.truncateTo !== undefined && !reset ? { truncateTo: f.truncateTo } : {}),
    from: at,
    reset,
    batches,
    copyStart,
    highWatermark: s.highWatermark,
    rewrites,
    // Most shipments follow an append with nothing newly archived: skip the segments query then.
    segments: f.segmentsTo < log.archivedEnd ? log.archivedSince(f.segmentsTo, SEGMENTS_PER_CHUNK) : [],
    logStart: s.logStartOffset,
  };
}

/** Records what the follower's ack says it holds, and what the chunk it acknowledged told it; returns its log end. */
export function recordAck(
  f: Follower,
  chunk: ReplicaChunk | null,
  ack: ReplicaAck,
  log: LeaderLog,
  sent: { archivedEnd: number; rewritesQueued: number },
): number {
  f.leo = ack.logEndOffset;
  if (!chunk && ack.epochs) {
    // A copy that led (or followed a leader) in an epoch this log does not share is cut
    // back to where the two agree, then copies this leader's batches from there.
    const cut = divergence(
      { epochs: log.epochs, logEnd: log.state.logEndOffset },
      { epochs: ack.epochs, logEnd: ack.logEndOffset },
    );
    if (cut < ack.logEndOffset) {
      f.truncateTo = cut;
      f.leo = cut;
    }
  }
  if (chunk) {
    if (chunk.truncateTo !== undefined && f.truncateTo === chunk.truncateTo) f.truncateTo = undefined;
    f.toldHw = Math.min(chunk.highWatermark, ack.logEndOffset);
    f.toldCopyStart = Math.min(chunk.copyStart, ack.logEndOffset);
    // A short list holds every segment archived when it was read; a full one may leave more.
    const shipped = chunk.segments ?? [];
    f.segmentsTo =
      shipped.length < SEGMENTS_PER_CHUNK ? Math.max(f.segmentsTo, sent.archivedEnd) : shipped.at(-1)!.lastOffset + 1;
    f.toldLogStart = chunk.logStart ?? f.toldLogStart;
    // A short page holds every rewrite queued when it was read; a full one may leave more.
    f.rewriteSeq =
      chunk.rewrites.length < CHUNK_ROWS ? Math.max(f.rewriteSeq, sent.rewritesQueued) : chunk.rewrites.at(-1)!.seq;
  }
  return f.leo;
}
