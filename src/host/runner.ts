// The contract between a group member (member.ts) and what it runs: streams tasks, connector sink
// tasks. The member owns membership, fetching and positions; the runner owns processing and what
// "committed" means for its output.

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface PartitionOffset extends TopicPartition {
  /** The next offset to read: everything below it is processed. */
  offset: number;
  /** Stored with the committed offset (Kafka's offset metadata). */
  metadata?: string | null;
}

/** A newly assigned partition and where reading resumes (committed offset, or the reset policy's). */
export interface AssignedPartition extends TopicPartition {
  offset: number;
  /** The metadata committed with that offset, if any. */
  metadata: string | null;
}

/** A fetched record with its key, value and headers as bytes/text, exactly as stored. */
export interface MemberRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, string | null>;
}

export interface MemberBatch extends TopicPartition {
  records: MemberRecord[];
  highWatermark: number;
}

/** Commits offsets to the group under this member's id and epoch (fenced if the member lost them). */
export type CommitOffsets = (offsets: PartitionOffset[]) => Promise<void>;

/** Kafka's ConsumerGroupMetadata: what fences offsets committed inside a transaction (KIP-447). */
export interface GroupMetadata {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
}

/**
 * What a commit can answer besides success: "rewind" means nothing since the last commit took
 * effect (a transaction aborted): every held partition resumes from its committed offset; a list
 * is the offsets committed when the runner committed less than it was asked to.
 */
export type CommitOutcome = void | "rewind" | PartitionOffset[];

export interface MemberRunner {
  /** Partitions just assigned, with where each resumes. Restoring state may happen here. */
  assigned(partitions: AssignedPartition[]): Promise<void>;
  /** One partition's records, in offset order; processed once the promise resolves. */
  process(batch: MemberBatch): Promise<void>;
  /**
   * Makes what was processed durable and commits `offsets` (every held partition whose position
   * moved). At-least-once: flush outputs, then `commitOffsets`. A transactional runner commits the
   * offsets inside its transaction instead (fenced by `group`) and never calls `commitOffsets`. A
   * runner that makes only part of its output durable (a sink still filling an object) commits
   * less and answers the offsets it did commit, so the member commits the rest later.
   */
  commit(offsets: PartitionOffset[], commitOffsets: CommitOffsets, group: GroupMetadata): Promise<CommitOutcome>;
  /**
   * Newly assigned partitions, before their committed offsets are read: a transactional runner
   * fences their previous writers here (initTransactions), so that a zombie's open transaction,
   * which would hold those offsets unstable, ends first.
   */
  claim?(partitions: TopicPartition[]): Promise<void>;
  /**
   * Partitions taken away: after their final commit (lost = false), or without one because the
   * member was fenced and they may already be someone else's (lost = true).
   */
  revoked(partitions: TopicPartition[], lost: boolean): Promise<void>;
  /** Output waiting for a commit though no position moved (a transaction a punctuator wrote into). */
  hasUncommittedOutput?(): boolean;
  /** Whether to fetch a held partition now (default: all of them). */
  fetchable?(tp: TopicPartition): boolean;
  /** Called once per slice after processing (wall-clock work such as punctuation). */
  tick?(now: number): Promise<void>;
  /** True when the runner wants a commit before the interval is up (a sink with a full object to write). */
  commitDue?(): boolean;
}
