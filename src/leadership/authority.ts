// The election authority of one topic as its users see it: a partition's leadership record read
// and changed through a quorum of the topic's voters (quorum.ts), and the voters' view of a leader.

import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import {
  Proposer,
  QuorumUnavailable,
  type AcceptReply,
  type Ballot,
  type Change,
  type PrepareReply,
} from "./quorum.js";
import type { TopicRef } from "../protocol/topic.js";
import {
  alterIsr,
  elect,
  readRecord,
  replicasOf,
  type ElectionRequest,
  type LeadershipRecord,
  type Outcome,
} from "./record.js";

/** One voter as its RPC stub answers (ElectionRpc's methods this module uses). */
export interface VoterStub {
  prepare(key: string, ballot: Ballot): Promise<Result<PrepareReply<LeadershipRecord>>>;
  accept(key: string, ballot: Ballot, value: LeadershipRecord): Promise<Result<AcceptReply>>;
  reaches(topicId: string, partition: number, leader: string): Promise<Result<boolean>>;
}

export class Authority {
  readonly #proposer: Proposer<LeadershipRecord>;

  /** `proposer` names the caller (a copy, or a router isolate) so ballots of two callers never tie. */
  constructor(
    private readonly topicId: string,
    private readonly voters: readonly VoterStub[],
    proposer: string,
    callTimeoutMs = 2_000,
  ) {
    this.#proposer = new Proposer(
      proposer,
      {
        count: voters.length,
        prepare: async (v, key, b) => unwrap(await voters[v]!.prepare(key, b)),
        accept: async (v, key, b, value) => unwrap(await voters[v]!.accept(key, b, value)),
      },
      { callTimeoutMs },
    );
  }

  /** The partition's record (null: nothing recorded, the home copy leads epoch 0). */
  async record(partition: number): Promise<LeadershipRecord | null> {
    return (await this.#change(partition, readRecord)).result;
  }

  /** The leader records its in-sync set; FENCED_LEADER_EPOCH when it was deposed. */
  async alterIsr(partition: number, epoch: number, leader: string, isr: readonly string[]): Promise<LeadershipRecord> {
    return settle(await this.#change(partition, alterIsr(epoch, leader, isr)));
  }

  /** An election (record.ts `elect`): the new record, or the refusal as an EdgelogError. */
  async elect(partition: number, req: ElectionRequest): Promise<LeadershipRecord> {
    return settle(await this.#change(partition, elect(req)));
  }

  /**
   * The controller's view: true when a majority of voters cannot reach `leader` (a voter that
   * does not answer counts as not confirming the failure, so a lost voter never triggers one).
   */
  async leaderUnreachable(partition: number, leader: string): Promise<boolean> {
    const views = await Promise.allSettled(
      this.voters.map(async (v) => unwrap(await v.reaches(this.topicId, partition, leader))),
    );
    const down = views.filter((v) => v.status === "fulfilled" && v.value === false).length;
    return down > this.voters.length / 2;
  }

  async #change<R>(partition: number, change: Change<LeadershipRecord, R>) {
    try {
      return await this.#proposer.change(`${partition}`, change);
    } catch (e) {
      if (e instanceof QuorumUnavailable) {
        throw new EdgelogError("NOT_LEADER_OR_FOLLOWER", `the election authority is unavailable: ${e.message}`);
      }
      throw e;
    }
  }
}

function settle(r: { result: Outcome }): LeadershipRecord {
  if ("refused" in r.result) throw r.result.refused;
  return r.result.record;
}

/**
 * An election through the authority, then the news to every copy (the new leader first, so it
 * takes writes at once; the rest learn from its first chunk if this message is lost).
 */
export async function electAndTell(
  authority: Authority,
  adopt: (to: string, record: LeadershipRecord) => Promise<unknown>,
  ref: TopicRef,
  req: { leaderFailed: boolean; expectEpoch?: number; prefer?: string; candidate?: string; unclean?: boolean },
): Promise<LeadershipRecord> {
  const replicas = replicasOf(ref.config);
  const unclean = req.unclean ?? (req.leaderFailed && ref.config["unclean.leader.election.enable"]);
  let candidate = req.candidate;
  if (candidate === undefined && req.prefer !== undefined) {
    const current = await authority.record(ref.partition);
    if (current?.isr.includes(req.prefer)) candidate = req.prefer;
  }
  const record = await authority.elect(ref.partition, {
    expectEpoch: req.expectEpoch,
    candidate,
    leaderFailed: req.leaderFailed,
    unclean,
    replicas,
  });
  await adopt(record.leader, record).catch(() => undefined);
  await Promise.allSettled(replicas.filter((r) => r !== record.leader).map((r) => adopt(r, record)));
  return record;
}
