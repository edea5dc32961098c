// Questions asked of a group's members without changing them: may this commit or offset delete go
// ahead, what describe shows, the group's state, and who owns each partition.

import { EdgelogError } from "../protocol/errors.js";
import { fromKey, sameSet, toTopicPartitions, type Member } from "./members.js";

type Members = ReadonlyMap<string, Member>;

/** Throws unless the member (or, with no member id, an empty group) may commit these partitions. */
export function requireCommitAllowed(
  members: Members,
  memberId: string | null,
  epoch: number | undefined,
  keys: Iterable<string>,
): void {
  if (memberId === null) {
    if (members.size > 0) {
      throw new EdgelogError("NON_EMPTY_GROUP", "the group has members: commit with a member_id and member_epoch");
    }
    return;
  }
  const m = members.get(memberId);
  if (!m)
    throw new EdgelogError(
      "UNKNOWN_MEMBER_ID",
      `member ${memberId} is not in the group (it left or its session expired)`,
    );
  if (epoch !== m.epoch) {
    // Kafka answers the two protocols differently: a classic member rejoins on ILLEGAL_GENERATION;
    // a KIP-848 member learns its epoch on its next heartbeat and commits again, so a stale epoch
    // must not send it back through a rejoin.
    throw new EdgelogError(
      m.protocol === "classic" ? "ILLEGAL_GENERATION" : "STALE_MEMBER_EPOCH",
      `member ${memberId} committed with ${m.protocol === "classic" ? "generation" : "epoch"} ${epoch ?? "none"}; its ${m.protocol === "classic" ? "generation" : "epoch"} is ${m.epoch}`,
    );
  }
  for (const k of keys) {
    // A partition being handed off may still be committed by the member draining it.
    if (!m.assigned.has(k) && !m.owned.has(k)) {
      const { topic, partition } = fromKey(k);
      throw new EdgelogError("PARTITION_NOT_OWNED", `member ${memberId} does not own ${topic} partition ${partition}`);
    }
  }
}

/**
 * Throws unless the group's committed offset for a partition of `topic` may be deleted: Kafka
 * refuses while a member subscribes to the topic (it would read from a reset position at once).
 */
export function requireOffsetDeletable(members: Members, topic: string): void {
  const by = [...members.values()].filter((m) => m.topics.includes(topic)).map((m) => m.id);
  if (by.length > 0)
    throw new EdgelogError(
      "GROUP_SUBSCRIBED_TO_TOPIC",
      `member${by.length > 1 ? "s" : ""} ${by.join(", ")} of the group subscribe${by.length > 1 ? "" : "s"} to ${topic}`,
    );
}

export function describeMembers(members: Members) {
  return [...members.values()]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((m) => ({
      member_id: m.id,
      instance_id: m.instanceId,
      client_id: m.clientId,
      client_host: m.clientHost,
      member_epoch: m.epoch,
      protocol: m.protocol,
      topics: m.topics,
      session_timeout_ms: m.sessionTimeoutMs,
      rebalance_timeout_ms: m.rebalanceTimeoutMs,
      revoke_by: m.revokeBy,
      assignment: toTopicPartitions(m.assigned),
      target_assignment: toTopicPartitions(m.target),
      owned: toTopicPartitions(m.owned),
    }));
}

/** empty: no members; stable: every member holds exactly its target; else reconciling. */
export function groupState(members: Members): "empty" | "stable" | "reconciling" {
  if (members.size === 0) return "empty";
  for (const m of members.values()) {
    if (!sameSet(m.assigned, m.target) || !sameSet(m.owned, m.assigned)) return "reconciling";
  }
  return "stable";
}

/** Owner (member holding it as assigned) of each partition, for lag reports. */
export function partitionOwners(members: Members): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of members.values()) for (const k of m.assigned) out.set(k, m.id);
  return out;
}
