// The follower's side of geo-replication: applies the leader's chunks to its copy of the log
// (refusing a deposed leader's, cutting a diverged suffix first) and decides which reads the copy
// can serve (the rest go to the leader).

import type { PartitionLog } from "../log/partition-log.js";
import type { ReplicaAck, ReplicaChunk } from "../contracts/partition.js";
import { EdgelogError } from "../protocol/errors.js";

/** Applies one chunk (null: a probe) and reports what the copy now holds. */
export function applyChunk(log: PartitionLog, chunk: ReplicaChunk | null): ReplicaAck & { moved: boolean } {
  const before = log.state.highWatermark;
  if (chunk) {
    // Fencing: a copy that knows a later epoch takes nothing from an earlier leader.
    if (chunk.leaderEpoch < log.state.leaderEpoch) {
      throw new EdgelogError(
        "FENCED_LEADER_EPOCH",
        `${chunk.leader} ships in epoch ${chunk.leaderEpoch}, but epoch ${log.state.leaderEpoch} has begun`,
        { leader_epoch: log.state.leaderEpoch },
      );
    }
    log.setLeaderEpoch(chunk.leaderEpoch);
    if (chunk.truncateTo !== undefined) log.truncateTo(chunk.truncateTo);
    if (chunk.reset) log.resetTo(chunk.from);
    // A gap (the leader lost track of this copy, say after a restart): answer where the copy ends
    // and the leader resends from there.
    if (chunk.from <= log.state.logEndOffset) {
      log.appendReplica(chunk.batches);
      for (const r of chunk.rewrites) log.applyRewrite(r.baseOffset, r.data);
      // The leader's archived segments become this copy's too (their R2 objects are shared), so it
      // reads the archived range itself and serves it once it leads. A leader that ships none: the
      // range is readable through it alone, and the copy drops its rows.
      if (chunk.segments !== undefined && chunk.logStart !== undefined) {
        if (chunk.segments.length > 0 || chunk.logStart > log.state.logStartOffset) {
          log.adoptArchived(chunk.segments, chunk.logStart);
        }
      } else if (chunk.copyStart > log.state.logStartOffset) log.advanceStart(chunk.copyStart);
      log.advanceHighWatermark(chunk.highWatermark);
    }
  }
  return {
    logEndOffset: log.state.logEndOffset,
    moved: log.state.highWatermark !== before,
    // A probe starts a leader's shipping: it finds where this copy diverged from its epoch map.
    ...(chunk ? {} : { epochs: log.epochs }),
  };
}

/**
 * Whether the copy can answer a read at `offset`: the offset is in the copy, and at its tail the
 * copy is as far as the leader's high watermark was when last told (else the leader has more).
 */
export function canServe(log: PartitionLog, offset: number, leaderHw: number | undefined): boolean {
  const { logStartOffset, highWatermark } = log.state;
  if (leaderHw === undefined || offset < logStartOffset || offset > highWatermark) return false;
  return offset < highWatermark || highWatermark >= leaderHw;
}
