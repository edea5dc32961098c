// Leader epochs as Kafka uses them to keep copies consistent: each copy's map of where every
// epoch starts (its leader-epoch checkpoint), OffsetForLeaderEpoch on it, and the offset where a
// follower's log leaves the leader's (KIP-101, KIP-279), as pure functions.

/** One entry: the first offset written under `epoch`. */
export interface EpochStart {
  epoch: number;
  startOffset: number;
}

/** Kafka's OffsetForLeaderEpoch answer: the largest epoch at or below the one asked, and where it ends. */
export interface EpochEnd {
  /** -1 when this log holds no epoch at or below the one asked. */
  epoch: number;
  /** The first offset after that epoch's batches here (the log end for the latest epoch); -1 as above. */
  endOffset: number;
}

/** The end of `epoch` in a log whose epochs are `starts` (ascending) and whose end is `logEnd`. */
export function endOffsetFor(starts: readonly EpochStart[], logEnd: number, epoch: number): EpochEnd {
  let i = -1;
  for (let j = 0; j < starts.length && starts[j]!.epoch <= epoch; j++) i = j;
  if (i < 0) return { epoch: -1, endOffset: -1 };
  const next = starts[i + 1];
  return { epoch: starts[i]!.epoch, endOffset: next ? next.startOffset : logEnd };
}

/** A copy's log as divergence needs it: its epoch map and its end. */
export interface EpochLog {
  epochs: readonly EpochStart[];
  logEnd: number;
}

/**
 * The offset from which `follower` must be cut to be a prefix of `leader` (its log end when it
 * already is). KIP-279's loop: ask the leader where the follower's latest epoch ends; where the
 * leader knows only an earlier epoch, ask again with that one. Offsets below the answer hold
 * batches of the same epochs in both logs, and one epoch's batches come from its one leader.
 */
export function divergence(leader: EpochLog, follower: EpochLog): number {
  let asked = follower.epochs.at(-1)?.epoch ?? -1;
  // Batches from before epochs were recorded carry none: such a copy is a plain prefix.
  if (asked < 0) return Math.min(follower.logEnd, leader.logEnd);
  for (;;) {
    const l = endOffsetFor(leader.epochs, leader.logEnd, asked);
    if (l.epoch < 0) {
      // The leader has no epoch this old: the copies agree only below both their first epochs.
      const firstLeader = leader.epochs[0]?.startOffset ?? leader.logEnd;
      return Math.min(follower.logEnd, follower.epochs[0]!.startOffset, firstLeader);
    }
    const f = endOffsetFor(follower.epochs, follower.logEnd, l.epoch);
    if (f.epoch === l.epoch) return Math.min(follower.logEnd, l.endOffset, f.endOffset);
    if (f.epoch < 0) return Math.min(follower.logEnd, follower.epochs[0]!.startOffset, l.endOffset);
    asked = f.epoch;
  }
}
