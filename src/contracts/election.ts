// What partitions and the router exchange with a topic's election voters (ElectionDO): the two
// phases of a quorum round on a partition's leadership record, and the controller's view of a leader.

import type { Result } from "../protocol/errors.js";
import type { Ballot, AcceptReply, PrepareReply } from "../leadership/quorum.js";
import type { LeadershipRecord } from "../leadership/record.js";

/** One voter of a topic (three per topic, in three regions); `key` names a partition's record. */
export interface ElectionRpc {
  prepare(key: string, ballot: Ballot): Promise<Result<PrepareReply<LeadershipRecord>>>;
  accept(key: string, ballot: Ballot, value: LeadershipRecord): Promise<Result<AcceptReply>>;
  /**
   * The controller's view of a leader: whether this voter can reach the copy `leader` of the
   * partition (true) or not (false). An election on a leader's failure needs a majority saying false.
   */
  reaches(topicId: string, partition: number, leader: string): Promise<Result<boolean>>;
  /** The topic was deleted: forget its records. */
  drop(): Promise<Result<null>>;
}
