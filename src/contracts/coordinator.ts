// What the router exchanges with a group coordinator object (GroupCoordinatorDO): its RPC methods.

import type {
  CommitOffsetsRequest,
  GroupDescription,
  HeartbeatReply,
  HeartbeatRequest,
  ResetOffsetsRequest,
} from "../protocol/api.js";
import type { Result } from "../protocol/errors.js";

/** One consumer group's object (named by the group id). Every method answers a Result. */
export interface CoordinatorRpc {
  heartbeat(groupId: string, req: HeartbeatRequest): Promise<Result<HeartbeatReply>>;
  leave(groupId: string, memberId: string): Promise<Result<null>>;
  commit(groupId: string, req: CommitOffsetsRequest): Promise<Result<null>>;
  /** Committed offsets of topics that still exist as the incarnation they were committed against. */
  committed(): Promise<Result<{ offsets: CommittedOffset[] }>>;
  describe(groupId: string): Promise<Result<GroupDescription>>;
  summary(groupId: string): Promise<Result<GroupSummary>>;
  resetOffsets(groupId: string, req: ResetOffsetsRequest): Promise<Result<{ offsets: ResetOffset[] }>>;
  deleteGroup(groupId: string): Promise<Result<null>>;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
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
