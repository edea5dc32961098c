// What the router exchanges with a group coordinator object (GroupCoordinatorDO): its RPC methods.

import type {
  CommitOffsetsRequest,
  GroupDescription,
  HeartbeatReply,
  HeartbeatRequest,
  ResetOffsetsRequest,
} from "../protocol/api.js";
import type { IsolationLevel } from "../protocol/constants.js";
import type { Result } from "../protocol/errors.js";
import type { TxnMarker, TxnProducer } from "./transactions.js";

/** One consumer group's object (named by the group id). Every method answers a Result. */
export interface CoordinatorRpc {
  heartbeat(groupId: string, req: HeartbeatRequest): Promise<Result<HeartbeatReply>>;
  leave(groupId: string, memberId: string): Promise<Result<null>>;
  commit(groupId: string, req: CommitOffsetsRequest): Promise<Result<null>>;
  /** TxnOffsetCommit: offsets pending in a transaction until its coordinator's marker. */
  txnCommit(groupId: string, req: TxnOffsetCommit): Promise<Result<null>>;
  /** A transaction coordinator's marker: the producer's pending offsets become committed, or are dropped. */
  completeTxn(groupId: string, marker: TxnMarker): Promise<Result<null>>;
  /**
   * Committed offsets of topics that still exist as the incarnation they were committed against
   * (of `topics` only, when given), and the partitions a transaction holds pending offsets for.
   */
  committed(opts?: { topics?: string[] }): Promise<Result<{ offsets: CommittedOffset[]; pending: PendingPartition[] }>>;
  describe(groupId: string, isolation?: IsolationLevel): Promise<Result<GroupDescription>>;
  summary(groupId: string): Promise<Result<GroupSummary>>;
  resetOffsets(groupId: string, req: ResetOffsetsRequest): Promise<Result<{ offsets: ResetOffset[] }>>;
  /** Forgets one partition's committed offset (OffsetDelete); GROUP_SUBSCRIBED_TO_TOPIC while subscribed. */
  deleteOffset(groupId: string, topic: string, partition: number): Promise<Result<null>>;
  deleteGroup(groupId: string): Promise<Result<null>>;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

/** A partition with offsets pending in an open transaction. */
export interface PendingPartition {
  topic: string;
  partition: number;
}

export interface ResetOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** A group as GET /v1/groups lists it. */
export interface GroupSummary {
  group_id: string;
  state: GroupDescription["state"];
  members: number;
}

/** A transactional offset commit, fenced by the group's member id and epoch (KIP-447). */
export interface TxnOffsetCommit {
  transactionalId: string;
  producer: TxnProducer;
  member_id?: string | null;
  member_epoch?: number;
  instance_id?: string | null;
  offsets: { topic: string; partition: number; offset: number; metadata?: string | null }[];
}
