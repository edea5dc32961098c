// What the leader ships to a follower and what the follower answers.

export interface ReplicaChunk {
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
  rewrites: { seq: number; baseOffset: number; data: Uint8Array | null }[];
}

export interface ReplicaAck {
  /** The follower's log end offset after applying the chunk. */
  logEndOffset: number;
}

/** A follower's object name: the leader's name plus the region (`${topicId}/${p}@${region}`). */
export function replicaObjectName(leaderName: string, region: string): string {
  return `${leaderName}@${region}`;
}
