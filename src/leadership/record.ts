// A geo-replicated partition's leadership record, as the election authority keeps it: who leads,
// in which epoch, and the in-sync replicas last recorded; and the changes the authority accepts
// (Kafka's AlterPartition and its clean, unclean and preferred elections), as pure functions.

import { EdgelogError } from "../protocol/errors.js";
import { REPLICA_REGIONS, type TopicConfig } from "../protocol/topic-config.js";
import type { Change } from "./quorum.js";

/** The copy named `{topicId}/{partition}`, where a topic's partitions are first written: the home leader. */
export const HOME = "home";

export interface LeadershipRecord {
  /** Kafka's partition leader epoch: bumped by every election, never reused. */
  epoch: number;
  /** The leading copy: HOME or a region. */
  leader: string;
  /** The in-sync replicas, the leader included, as the leader last recorded them. */
  isr: string[];
}

/** Every copy of a partition: HOME first, then the topic's replica regions. */
export function replicasOf(config: Pick<TopicConfig, "replica.regions">): string[] {
  return [HOME, ...config["replica.regions"]];
}

/** Before anything is recorded the home copy leads in epoch 0 (every partition starts so). */
export const INITIAL: Omit<LeadershipRecord, "isr"> = { epoch: 0, leader: HOME };

/** Why a change was refused, for the caller to act on (a deposed leader steps down). */
export type Refusal = { refused: EdgelogError; record: LeadershipRecord | null };
export type Outcome = { record: LeadershipRecord } | Refusal;

/**
 * Kafka's AlterPartition: the leader of `epoch` records a new in-sync set. Refused with
 * FENCED_LEADER_EPOCH when another leader or a later epoch is recorded (the caller was deposed).
 */
export function alterIsr(epoch: number, leader: string, isr: readonly string[]): Change<LeadershipRecord, Outcome> {
  return (cur) => {
    const at = cur ?? { ...INITIAL, isr: [] };
    if (at.epoch !== epoch || at.leader !== leader) {
      return refuse(
        cur,
        "FENCED_LEADER_EPOCH",
        `${leader} is not the leader of epoch ${epoch}: ${at.leader} leads epoch ${at.epoch}`,
      );
    }
    const next = { epoch, leader, isr: [leader, ...isr.filter((r) => r !== leader)] };
    if (cur && sameSet(cur.isr, next.isr)) return { keep: true, result: { record: cur } };
    return { value: next, result: { record: next } };
  };
}

/** Only reads the record (a linearizable read: it completes any change a proposer left half-done). */
export const readRecord: Change<LeadershipRecord, LeadershipRecord | null> = (cur) => ({ keep: true, result: cur });

export interface ElectionRequest {
  /** The epoch the requester saw: if another election happened since, this one is moot. */
  expectEpoch?: number;
  /** The copy to elect; absent: the first in-sync copy other than the failed leader (HOME first). */
  candidate?: string;
  /** The current leader has failed: it leaves the in-sync set with its leadership. */
  leaderFailed: boolean;
  /** Elect an out-of-sync copy if need be (the topic's unclean.leader.election.enable). */
  unclean: boolean;
  /** Every copy of the partition, for an unclean choice. */
  replicas: readonly string[];
}

/**
 * An election: a clean one picks only from the recorded ISR, so the new leader holds every record
 * acknowledged to acks=all; an unclean one (only when asked and allowed) may pick any copy. The
 * epoch goes up by one; the new leader starts with the old ISR (less a failed leader).
 */
export function elect(req: ElectionRequest): Change<LeadershipRecord, Outcome> {
  return (cur) => {
    if (cur === null && req.candidate === HOME) {
      return refuse(null, "ELECTION_NOT_NEEDED", `${HOME} already leads epoch 0`);
    }
    if (cur === null) {
      return refuse(
        null,
        "ELIGIBLE_LEADERS_NOT_AVAILABLE",
        "no in-sync set is recorded yet for this partition (its leader has not reported one)",
      );
    }
    if (req.expectEpoch !== undefined && cur.epoch !== req.expectEpoch) {
      return refuse(
        cur,
        "FENCED_LEADER_EPOCH",
        `epoch ${req.expectEpoch} is over: ${cur.leader} leads epoch ${cur.epoch}`,
      );
    }
    const eligible = cur.isr.filter((r) => r !== cur.leader || !req.leaderFailed);
    let candidate = req.candidate;
    if (candidate === undefined) candidate = eligible.find((r) => r !== cur.leader);
    if (candidate === undefined && req.unclean) candidate = req.replicas.find((r) => r !== cur.leader);
    if (candidate === undefined) {
      return refuse(
        cur,
        "ELIGIBLE_LEADERS_NOT_AVAILABLE",
        `no in-sync replica besides the leader ${cur.leader} (ISR ${cur.isr.join(", ")}) can take over`,
      );
    }
    if (candidate === cur.leader) {
      return refuse(cur, "ELECTION_NOT_NEEDED", `${candidate} already leads epoch ${cur.epoch}`);
    }
    if (!req.replicas.includes(candidate)) {
      return refuse(
        cur,
        "INVALID_REQUEST",
        `${candidate} holds no copy of this partition (${req.replicas.join(", ")})`,
      );
    }
    const clean = cur.isr.includes(candidate);
    if (!clean && !req.unclean) {
      return refuse(
        cur,
        "ELIGIBLE_LEADERS_NOT_AVAILABLE",
        `${candidate} is not in the in-sync set (${cur.isr.join(", ")}): electing it could lose acknowledged records; ` +
          `an unclean election needs unclean.leader.election.enable on the topic`,
      );
    }
    const kept = clean ? eligible.filter((r) => r !== candidate) : [];
    const next = { epoch: cur.epoch + 1, leader: candidate, isr: [candidate, ...kept] };
    return { value: next, result: { record: next } };
  };
}

/**
 * Where a topic's voters live: three distinct location hints, those without a copy of the topic
 * first, so losing any one region loses at most one voter (and, where possible, no copy with it).
 */
export function voterRegions(config: Pick<TopicConfig, "replica.regions">): string[] {
  const used = new Set(config["replica.regions"]);
  const free = REPLICA_REGIONS.filter((r) => !used.has(r));
  return [...free, ...REPLICA_REGIONS.filter((r) => used.has(r))].slice(0, VOTERS);
}

/** Voters per topic: a majority (2) survives the loss of any one. */
export const VOTERS = 3;

function refuse(
  record: LeadershipRecord | null,
  code: "FENCED_LEADER_EPOCH" | "ELIGIBLE_LEADERS_NOT_AVAILABLE" | "ELECTION_NOT_NEEDED" | "INVALID_REQUEST",
  message: string,
): { keep: true; result: Refusal } {
  return { keep: true, result: { refused: new EdgelogError(code, message), record } };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
