// A heartbeat's input, checked in full before the group changes: the member's epoch, topics,
// session and rebalance timeouts, assignor, protocol and instance id, and the group's size cap.

import { EdgelogError } from "../protocol/errors.js";
import { ASSIGNORS, isAssignorName } from "./assignors/index.js";
import type { Member, Protocol } from "./members.js";

export interface SessionLimits {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  defaultSessionTimeoutMs: number;
  /** Most members a group holds, of either protocol (Kafka's group.consumer.max.size / group.max.size). */
  maxSize: number;
}

export interface HeartbeatInput {
  member_id: string | null;
  member_epoch: number;
  topics?: string[];
  instance_id?: string | null;
  session_timeout_ms?: number;
  /** How long the member may take to release partitions (Kafka's max.poll.interval.ms / KIP-848 rebalance timeout). */
  rebalance_timeout_ms?: number;
  assignor?: string;
  protocol?: Protocol;
  /** Partitions the member still holds; absent means "exactly what the previous reply gave me", null "as I last reported". */
  owned?: { topic: string; partitions: number[] }[] | null;
  /** The client's client.id and address, shown by describe; kept until the member sends new ones. */
  client_id?: string;
  client_host?: string;
}

export interface HeartbeatReply {
  member_id: string;
  member_epoch: number;
  heartbeat_interval_ms: number;
  assignment: { topic: string; partitions: number[] }[];
  /** Classic members only: rejoin to give up partitions or to take free ones. */
  rejoin?: boolean;
}

/** Kafka's max.poll.interval.ms default, which KIP-848 uses as the rebalance timeout. */
export const DEFAULT_REBALANCE_TIMEOUT_MS = 300_000;
const MAX_REBALANCE_TIMEOUT_MS = 3_600_000;

/** Heartbeats are due this often, at most; a third of the session leaves room for two misses. */
export const MAX_HEARTBEAT_INTERVAL_MS = 5_000;

/** What a valid heartbeat asks for, with what it leaves out taken from the member it names. */
export interface CheckedHeartbeat {
  /** The member the request names, if the group has it. */
  existing: Member | undefined;
  joining: boolean;
  topics: string[];
  timeout: number;
  instanceId: string | null;
  protocol: Protocol;
}

/** Throws the Kafka error for the first thing wrong with `req`; nothing has changed yet when it does. */
export function checkHeartbeat(
  groupId: string,
  req: HeartbeatInput,
  members: ReadonlyMap<string, Member>,
  limits: SessionLimits,
): CheckedHeartbeat {
  const existing = req.member_id === null ? undefined : members.get(req.member_id);
  const joining = req.member_epoch === 0;
  if (!joining) {
    if (req.member_id === null)
      throw new EdgelogError("INVALID_REQUEST", "member_id is null: join with member_epoch 0");
    if (!existing)
      throw new EdgelogError(
        "UNKNOWN_MEMBER_ID",
        `member ${req.member_id} is not in group ${groupId} (it left or its session expired)`,
      );
    // One epoch behind is a member whose previous reply was lost; it gets the current state.
    if (req.member_epoch > existing.epoch || req.member_epoch < existing.epoch - 1) {
      throw new EdgelogError(
        "FENCED_MEMBER_EPOCH",
        `member ${existing.id} sent epoch ${req.member_epoch}; its epoch is ${existing.epoch}`,
      );
    }
  }
  const topics = req.topics ?? existing?.topics;
  if (!topics)
    throw new EdgelogError("INVALID_REQUEST", "topics: a joining member must list the topics it subscribes to");
  const timeout = req.session_timeout_ms ?? existing?.sessionTimeoutMs ?? limits.defaultSessionTimeoutMs;
  if (timeout < limits.minSessionTimeoutMs || timeout > limits.maxSessionTimeoutMs) {
    throw new EdgelogError(
      "INVALID_SESSION_TIMEOUT",
      `session_timeout_ms ${timeout} is outside ${limits.minSessionTimeoutMs}..${limits.maxSessionTimeoutMs}`,
    );
  }
  if (req.assignor !== undefined && !isAssignorName(req.assignor)) {
    throw new EdgelogError(
      "UNSUPPORTED_ASSIGNOR",
      `assignor ${JSON.stringify(req.assignor)} is not one of ${Object.keys(ASSIGNORS).join(", ")}`,
    );
  }
  const instanceId = req.instance_id ?? existing?.instanceId ?? null;
  const protocol = req.protocol ?? existing?.protocol ?? "consumer";
  if (
    req.rebalance_timeout_ms !== undefined &&
    (!Number.isInteger(req.rebalance_timeout_ms) ||
      req.rebalance_timeout_ms < 1 ||
      req.rebalance_timeout_ms > MAX_REBALANCE_TIMEOUT_MS)
  ) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `rebalance_timeout_ms must be 1..${MAX_REBALANCE_TIMEOUT_MS}, got ${req.rebalance_timeout_ms}`,
    );
  }
  if (
    joining &&
    !existing &&
    members.size >= limits.maxSize &&
    // A static member's restart takes its predecessor's place, so the group does not grow.
    (instanceId === null || ![...members.values()].some((m) => m.instanceId === instanceId))
  ) {
    throw new EdgelogError(
      "GROUP_MAX_SIZE_REACHED",
      `group ${groupId} already has ${members.size} members, the most EDGELOG_GROUP_MAX_SIZE allows`,
    );
  }
  if (existing && !joining && (protocol !== existing.protocol || instanceId !== existing.instanceId)) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      "protocol and instance_id can change only when rejoining (member_epoch 0)",
    );
  }

  return { existing, joining, topics, timeout, instanceId, protocol };
}
