// Classic consumer groups (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) over the coordinator's
// "classic" member mode, plus offsets. The gateway holds no group state: member ids and
// generations (= member epochs) come from the coordinator, assignments are computed server-side.

import { randomUUID } from "node:crypto";
import type { CommittedOffsetsReply, HeartbeatBody, HeartbeatReply } from "../../protocol/api.js";
import { GROUP_ID_PATTERN } from "../../protocol/constants.js";
import { EdgelogError } from "../../protocol/errors.js";
import { tpKey } from "../../protocol/topic-partition.js";
import { decode, encode, Reader, Writer, type Value } from "../wire/codec.js";
import { ASSIGNMENT, SUBSCRIPTION } from "../wire/messages.js";
import { DENIED, errorMessage, failure, KAFKA, NONE, refused } from "../errors.js";
import { NODE_ID, type Handler, type RequestContext } from "./context.js";
import { fanOut } from "./fan-out.js";

const COOPERATIVE = "cooperative-sticky";

/** A joining member's client id and address, as DescribeGroups shows them (255 characters at most, as edgelog keeps). */
export function whoIs(ctx: RequestContext): Pick<HeartbeatBody, "client_id" | "client_host"> {
  const out: Pick<HeartbeatBody, "client_id" | "client_host"> = {};
  if (ctx.clientId !== null) out.client_id = ctx.clientId.slice(0, 255);
  if (ctx.clientHost !== null) out.client_host = ctx.clientHost;
  return out;
}

function heartbeat(ctx: RequestContext, group: string, body: Omit<HeartbeatBody, "protocol">): Promise<HeartbeatReply> {
  return ctx.upstream.heartbeat(group, { protocol: "classic", ...body }, ctx.signal);
}

/** A classic member's id and generation, as SyncGroup and Heartbeat carry them. */
function classicMember(req: Value): { member_id: string; member_epoch: number } {
  return { member_id: req.MemberId as string, member_epoch: req.GenerationId as number };
}

export const findCoordinator: Handler = async (req, ctx) => {
  // Every gateway is every group's and transactional id's coordinator (key type 0 and 1): the real
  // one is the group's or id's object behind edgelog. Other key types (2, KIP-932 share groups) are not served.
  const type = (req.KeyType as number | undefined) ?? 0;
  const answer = (Key: string, code = NONE, message: string | null = null) =>
    code === NONE
      ? { Key, ErrorCode: NONE, ErrorMessage: null, NodeId: NODE_ID, Host: ctx.identity.host, Port: ctx.identity.port }
      : { Key, ErrorCode: code, ErrorMessage: message, NodeId: -1, Host: "", Port: -1 };
  const coordinator = async (key: string) => {
    if (type !== 0 && type !== 1)
      return answer(key, KAFKA.INVALID_REQUEST, `coordinator key type ${type} is not served`);
    if (type === 0) return answer(key);
    // Kafka looks up a transaction coordinator only for a principal that may DESCRIBE the id.
    try {
      await ctx.upstream.describeTransaction(key, ctx.signal);
    } catch (e) {
      if (refused(e)) return answer(key, KAFKA.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage(e));
    }
    return answer(key);
  };
  // v4+ ask for many keys at once; earlier versions for one.
  if (ctx.version >= 4)
    return { ThrottleTimeMs: 0, Coordinators: await fanOut(req.CoordinatorKeys as string[], coordinator) };
  return { ThrottleTimeMs: 0, ...(await coordinator(req.Key as string)) };
};

/** The assignor the coordinator should use, from the protocol names Kafka's assignors go by. */
function assignorHint(protocol: string): string | undefined {
  if (protocol === "range") return "range";
  if (protocol === "roundrobin" || protocol === "RoundRobinAssigner") return "roundrobin";
  if (protocol.endsWith("sticky")) return "sticky";
  return undefined;
}

/**
 * A member's ConsumerProtocol Subscription. Kafka's broker never reads these (the group leader
 * does), so clients get away with short ones: @platformatic/kafka labels its subscription v1 and
 * ends it after the v0 fields. A subscription that does not parse at its own version is read at
 * the lower versions, whose fields are a prefix of it; null if none parses.
 */
export function readSubscription(bytes: Uint8Array): Value | null {
  let version: number;
  try {
    version = new Reader(bytes).int16();
  } catch {
    return null;
  }
  for (let v = Math.min(Math.max(version, 0), 3); v >= 0; v--) {
    try {
      return decode(SUBSCRIPTION, v, new Reader(bytes, 2));
    } catch {
      /* try the version below */
    }
  }
  return null;
}

export const joinGroup: Handler = async (req, ctx) => {
  const group = req.GroupId as string;
  const protocols = req.Protocols as { Name: string; Metadata: Uint8Array }[];
  const reply = (code: number, extra: Value = {}) => ({
    ThrottleTimeMs: 0,
    ErrorCode: code,
    GenerationId: -1,
    ProtocolName: "",
    Leader: "",
    MemberId: "",
    Members: [],
    ...extra,
  });
  if (!GROUP_ID_PATTERN.test(group)) return reply(KAFKA.INVALID_GROUP_ID);
  if (req.ProtocolType !== "consumer" || protocols.length === 0) return reply(KAFKA.INCONSISTENT_GROUP_PROTOCOL);
  // The name must be one this member offered; it also sets librdkafka's eager or cooperative mode.
  const chosen = protocols.find((p) => p.Name !== COOPERATIVE) ?? protocols[0]!;
  const subscription = readSubscription(chosen.Metadata);
  if (!subscription) return reply(KAFKA.INCONSISTENT_GROUP_PROTOCOL);
  let memberId = req.MemberId as string;
  const instanceId = (req.GroupInstanceId as string | null | undefined) ?? null;
  if (memberId === "") {
    memberId = `${ctx.clientId ?? "member"}-${randomUUID()}`;
    // KIP-394: a dynamic member first gets its id and comes back with it, so a lost JoinGroup
    // reply cannot leave a ghost member holding partitions until its session expires.
    if (ctx.version >= 4 && instanceId === null) return reply(KAFKA.MEMBER_ID_REQUIRED, { MemberId: memberId });
  }
  const body: Omit<HeartbeatBody, "protocol"> = {
    member_id: memberId,
    member_epoch: 0,
    topics: subscription.Topics as string[],
    session_timeout_ms: req.SessionTimeoutMs as number,
    ...whoIs(ctx),
  };
  // JoinGroup v1+ carries the client's rebalance timeout (max.poll.interval.ms).
  if (typeof req.RebalanceTimeoutMs === "number" && req.RebalanceTimeoutMs > 0)
    body.rebalance_timeout_ms = Math.min(req.RebalanceTimeoutMs, 3_600_000);
  if (instanceId !== null) body.instance_id = instanceId;
  const assignor = assignorHint(chosen.Name);
  if (assignor) body.assignor = assignor;
  // Eager members revoked everything before rejoining; cooperative ones still hold what they list.
  if (chosen.Name === COOPERATIVE) {
    const owned = (subscription.OwnedPartitions as { Topic: string; Partitions: number[] }[] | undefined) ?? [];
    body.owned = owned.map((o) => ({ topic: o.Topic, partitions: o.Partitions }));
  }
  try {
    const hb = await heartbeat(ctx, group, body);
    // No leader (never equal to a member id): no client runs an assignor, the coordinator did.
    return reply(NONE, {
      GenerationId: hb.member_epoch,
      ProtocolType: "consumer",
      ProtocolName: chosen.Name,
      Leader: "",
      MemberId: hb.member_id,
    });
  } catch (e) {
    return reply(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group), { MemberId: memberId });
  }
};

export const syncGroup: Handler = async (req, ctx) => {
  const fail = (code: number) => ({ ThrottleTimeMs: 0, ErrorCode: code, Assignment: new Uint8Array(0) });
  if (!GROUP_ID_PATTERN.test(req.GroupId as string)) return fail(KAFKA.INVALID_GROUP_ID);
  try {
    // A classic member's assignment changes only at join, so a heartbeat reads it back unchanged.
    const hb = await heartbeat(ctx, req.GroupId as string, classicMember(req));
    // v5 echoes the protocol the member joined with (clients check it).
    return {
      ThrottleTimeMs: 0,
      ErrorCode: NONE,
      ProtocolType: "consumer",
      ProtocolName: (req.ProtocolName as string | null | undefined) ?? null,
      Assignment: encodeAssignment(hb.assignment),
    };
  } catch (e) {
    return fail(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group));
  }
};

/** ConsumerProtocol Assignment bytes: version 0 (every version to 3 has the same fields). */
export function encodeAssignment(assignment: HeartbeatReply["assignment"]): Uint8Array {
  const w = new Writer().int16(0);
  encode(
    ASSIGNMENT,
    0,
    { AssignedPartitions: assignment.map((a) => ({ Topic: a.topic, Partitions: a.partitions })), UserData: null },
    w,
  );
  return w.bytes();
}

export const heartbeatHandler: Handler = async (req, ctx) => {
  if (!GROUP_ID_PATTERN.test(req.GroupId as string)) return { ThrottleTimeMs: 0, ErrorCode: KAFKA.INVALID_GROUP_ID };
  try {
    const hb = await heartbeat(ctx, req.GroupId as string, classicMember(req));
    return { ThrottleTimeMs: 0, ErrorCode: hb.rejoin ? KAFKA.REBALANCE_IN_PROGRESS : NONE };
  } catch (e) {
    return { ThrottleTimeMs: 0, ErrorCode: failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group) };
  }
};

export const leaveGroup: Handler = async (req, ctx) => {
  const group = req.GroupId as string;
  const members =
    ctx.version >= 3
      ? (req.Members as { MemberId: string; GroupInstanceId: string | null }[])
      : [{ MemberId: req.MemberId as string, GroupInstanceId: null }];
  if (!GROUP_ID_PATTERN.test(group)) return { ThrottleTimeMs: 0, ErrorCode: KAFKA.INVALID_GROUP_ID, Members: [] };
  const results = await fanOut(members, async (m) => {
    if (m.MemberId === "") return { ...m, ErrorCode: KAFKA.UNKNOWN_MEMBER_ID };
    try {
      await ctx.upstream.leaveGroup(group, m.MemberId, ctx.signal);
      return { ...m, ErrorCode: NONE };
    } catch (e) {
      return { ...m, ErrorCode: failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group) };
    }
  });
  // v0-2 carry one member, whose outcome is the top-level code; v3 reports each.
  const top = ctx.version >= 3 ? NONE : results[0]!.ErrorCode;
  return { ThrottleTimeMs: 0, ErrorCode: top, Members: results };
};

interface CommitTopic {
  Name: string;
  Partitions: { PartitionIndex: number; CommittedOffset: number; CommittedMetadata: string | null }[];
}

export const offsetCommit: Handler = async (req, ctx) => {
  const group = req.GroupId as string;
  const topics = req.Topics as CommitTopic[];
  const answer = (code: number) => ({
    ThrottleTimeMs: 0,
    Topics: topics.map((t) => ({
      Name: t.Name,
      Partitions: t.Partitions.map((p) => ({ PartitionIndex: p.PartitionIndex, ErrorCode: code })),
    })),
  });
  if (!GROUP_ID_PATTERN.test(group)) return answer(KAFKA.INVALID_GROUP_ID);
  const offsets = topics.flatMap((t) =>
    t.Partitions.map((p) => ({
      topic: t.Name,
      partition: p.PartitionIndex,
      offset: p.CommittedOffset,
      metadata: p.CommittedMetadata,
    })),
  );
  if (offsets.length === 0) return answer(NONE);
  // v0 has neither: a standalone commit, as generation -1 with no member id is in later versions.
  const memberId = (req.MemberId as string | undefined) ?? "";
  const generation = (req.GenerationIdOrMemberEpoch as number | undefined) ?? -1;
  // Generation -1 with no member id is a standalone commit (kcat -C, admin tools): only into an empty group.
  const member =
    memberId === "" && generation < 0 ? {} : { member_id: memberId, member_epoch: Math.max(0, generation) };
  try {
    await ctx.upstream.commitOffsets(group, { ...member, offsets }, ctx.signal);
    return answer(NONE);
  } catch (e) {
    // v9+ carry a KIP-848 member's epoch: a stale one is STALE_MEMBER_EPOCH, which such a client
    // retries after its next heartbeat (ILLEGAL_GENERATION would tear its consumer down to rejoin).
    // The coordinator answers a classic member's stale generation with ILLEGAL_GENERATION itself.
    if (ctx.version >= 9 && e instanceof EdgelogError && e.code === "STALE_MEMBER_EPOCH")
      return answer(KAFKA.STALE_MEMBER_EPOCH);
    return answer(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group));
  }
};

type AskedOffsets = { Name: string; PartitionIndexes: number[] }[] | null;

export const offsetFetch: Handler = async (req, ctx) => {
  // v8+ ask for many groups at once, each answered as one group is before v8.
  if (ctx.version >= 8) {
    const groups = req.Groups as { GroupId: string; Topics: AskedOffsets }[];
    return {
      ThrottleTimeMs: 0,
      Groups: await fanOut(groups, async (g) => ({
        GroupId: g.GroupId,
        ...(await groupOffsets(ctx, g.GroupId, g.Topics, req.RequireStable === true)),
      })),
    };
  }
  const stable = ctx.version >= 7 && req.RequireStable === true;
  return { ThrottleTimeMs: 0, ...(await groupOffsets(ctx, req.GroupId as string, req.Topics as AskedOffsets, stable)) };
};

/**
 * One group's committed offsets. `requireStable` (v7+, KIP-447): a partition whose offset a
 * transaction still holds pending answers UNSTABLE_OFFSET_COMMIT (retriable), the others their offsets.
 */
async function groupOffsets(
  ctx: RequestContext,
  group: string,
  asked: AskedOffsets,
  requireStable = false,
): Promise<Value> {
  const failAll = (code: number) => ({
    ErrorCode: code,
    Topics: (asked ?? []).map((t) => ({
      Name: t.Name,
      Partitions: t.PartitionIndexes.map((p) => ({
        PartitionIndex: p,
        CommittedOffset: -1,
        CommittedLeaderEpoch: -1,
        Metadata: null,
        ErrorCode: code,
      })),
    })),
  });
  if (!GROUP_ID_PATTERN.test(group)) return failAll(KAFKA.INVALID_GROUP_ID);
  let committed: CommittedOffsetsReply["offsets"];
  const pending = new Set<string>();
  try {
    committed = (await ctx.upstream.committedOffsets(group, ctx.signal, requireStable)).offsets;
  } catch (e) {
    if (!(e instanceof EdgelogError && e.code === "UNSTABLE_OFFSET_COMMIT"))
      return failAll(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group));
    // The reply names the pending partitions beside the offsets committed so far.
    const extra = e.extra as { partitions?: { topic: string; partition: number }[]; offsets?: typeof committed };
    for (const p of extra.partitions ?? []) pending.add(tpKey(p.topic, p.partition));
    committed = extra.offsets ?? [];
  }
  const byKey = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c]));
  let wanted = asked;
  if (wanted === null) {
    const byTopic = new Map<string, number[]>();
    for (const c of committed) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c.partition]);
    wanted = [...byTopic].map(([Name, PartitionIndexes]) => ({ Name, PartitionIndexes }));
  }
  return {
    ErrorCode: NONE,
    Topics: wanted.map((t) => ({
      Name: t.Name,
      Partitions: t.PartitionIndexes.map((p) => {
        const c = byKey.get(tpKey(t.Name, p));
        if (pending.has(tpKey(t.Name, p)))
          return {
            PartitionIndex: p,
            CommittedOffset: -1,
            CommittedLeaderEpoch: -1,
            Metadata: null,
            ErrorCode: KAFKA.UNSTABLE_OFFSET_COMMIT,
          };
        // -1 means "nothing committed": the client falls back to auto.offset.reset.
        return {
          PartitionIndex: p,
          CommittedOffset: c?.offset ?? -1,
          CommittedLeaderEpoch: -1,
          Metadata: c?.metadata ?? "",
          ErrorCode: NONE,
        };
      }),
    })),
  };
}
