// ListGroups, DescribeGroups and DeleteGroups over GET/DELETE /v1/groups: every edgelog group is a
// consumer group whose members may speak the classic or the KIP-848 protocol.

import type { GroupDescription, GroupSummary } from "../../protocol/api.js";
import { GROUP_ID_PATTERN, MAX_PARTITIONS } from "../../protocol/constants.js";
import { EdgelogError } from "../../protocol/errors.js";
import { encode, Writer } from "../wire/codec.js";
import { SUBSCRIPTION } from "../wire/messages.js";
import { DENIED, errorMessage, failure, KAFKA, NONE } from "../errors.js";
import type { Handler } from "./context.js";
import { fanOut, fanOutPartitions } from "./fan-out.js";
import { validName } from "./topics.js";
import { encodeAssignment } from "./groups.js";

/** A group's state as the classic protocol names it (DescribeGroups, ListGroups of classic clients). */
export function classicState(state: GroupSummary["state"]): string {
  return state === "empty" ? "Empty" : state === "reconciling" ? "PreparingRebalance" : "Stable";
}

/** A group's state as KIP-848 names it (ConsumerGroupDescribe, ListGroups v5 with types). */
export function consumerState(state: GroupSummary["state"]): string {
  return state === "empty" ? "Empty" : state === "reconciling" ? "Reconciling" : "Stable";
}

export const listGroups: Handler = async (req, ctx) => {
  let groups: GroupSummary[];
  try {
    groups = await ctx.upstream.listGroups(ctx.signal);
  } catch (e) {
    // Kafka lists only the groups a client may describe; a token that may list none sees none.
    const code = failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group);
    return { ThrottleTimeMs: 0, ErrorCode: code === DENIED.group ? NONE : code, Groups: [] };
  }
  const states = ((req.StatesFilter as string[] | undefined) ?? []).map((s) => s.toLowerCase());
  const types = ((req.TypesFilter as string[] | undefined) ?? []).map((t) => t.toLowerCase());
  // v5 (with types) speaks KIP-848's state names; earlier versions the classic ones.
  const name = ctx.version >= 5 ? consumerState : classicState;
  return {
    ThrottleTimeMs: 0,
    ErrorCode: NONE,
    Groups: groups
      .filter((g) => states.length === 0 || states.includes(name(g.state).toLowerCase()))
      .filter(() => types.length === 0 || types.includes("consumer"))
      .map((g) => ({
        GroupId: g.group_id,
        ProtocolType: "consumer",
        GroupState: name(g.state),
        GroupType: "consumer",
      })),
  };
};

/** A member's address as Kafka's brokers show it: Java's InetAddress form, "/10.0.0.7" ("" when unknown). */
export function kafkaHost(host: string | null): string {
  return host === null ? "" : `/${host}`;
}

/** ConsumerProtocol Subscription v0 bytes for a member's topics. */
function subscriptionBytes(topics: string[]): Uint8Array {
  const w = new Writer().int16(0);
  encode(SUBSCRIPTION, 0, { Topics: topics, UserData: null }, w);
  return w.bytes();
}

export const describeGroups: Handler = async (req, ctx) => {
  const groups = await fanOut(req.Groups as string[], async (id) => {
    const fail = (code: number, message: string | null, state = "") => ({
      ErrorCode: code,
      ErrorMessage: message,
      GroupId: id,
      GroupState: state,
      ProtocolType: "",
      ProtocolData: "",
      Members: [],
    });
    if (!GROUP_ID_PATTERN.test(id)) return fail(KAFKA.INVALID_GROUP_ID, `invalid group id ${JSON.stringify(id)}`);
    let d: GroupDescription;
    try {
      d = await ctx.upstream.describeGroup(id, ctx.signal);
    } catch (e) {
      // A group that does not exist: "Dead" before v6, GROUP_ID_NOT_FOUND from v6 (KIP-1043).
      if (e instanceof EdgelogError && e.code === "GROUP_ID_NOT_FOUND" && ctx.version < 6)
        return fail(NONE, null, "Dead");
      return fail(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group), errorMessage(e));
    }
    return {
      ErrorCode: NONE,
      ErrorMessage: null,
      GroupId: id,
      GroupState: classicState(d.state),
      ProtocolType: "consumer",
      ProtocolData: d.members.length > 0 ? d.assignor : "",
      Members: d.members.map((m) => ({
        MemberId: m.member_id,
        GroupInstanceId: m.instance_id,
        ClientId: m.client_id ?? "",
        ClientHost: kafkaHost(m.client_host),
        MemberMetadata: subscriptionBytes(m.topics),
        MemberAssignment: encodeAssignment(m.assignment),
      })),
    };
  });
  return { ThrottleTimeMs: 0, Groups: groups };
};

/** Kafka's codes about the whole group: an OffsetDelete answers them once, at the top. */
const GROUP_LEVEL = new Set([
  KAFKA.GROUP_ID_NOT_FOUND,
  KAFKA.GROUP_AUTHORIZATION_FAILED,
  KAFKA.COORDINATOR_NOT_AVAILABLE,
  KAFKA.NON_EMPTY_GROUP,
]);

/** OffsetDelete: one DELETE /v1/groups/{g}/offsets/{t}/partitions/{p} per partition. */
export const offsetDelete: Handler = async (req, ctx) => {
  const group = req.GroupId as string;
  const topics = req.Topics as { Name: string; Partitions: { PartitionIndex: number }[] }[];
  if (!GROUP_ID_PATTERN.test(group)) return { ErrorCode: KAFKA.INVALID_GROUP_ID, ThrottleTimeMs: 0, Topics: [] };
  const done = await fanOutPartitions(topics, async (t, p) => {
    if (!validName(t.Name) || p.PartitionIndex < 0 || p.PartitionIndex >= MAX_PARTITIONS)
      return KAFKA.UNKNOWN_TOPIC_OR_PARTITION;
    try {
      await ctx.upstream.deleteOffset(group, t.Name, p.PartitionIndex, ctx.signal);
      return NONE;
    } catch (e) {
      // A refusal edgelog names keeps its resource: the topic's READ (consume) is per partition.
      return failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group);
    }
  });
  const top = done.flatMap((d) => d.answers).find((code) => GROUP_LEVEL.has(code)) ?? NONE;
  return {
    ErrorCode: top,
    ThrottleTimeMs: 0,
    Topics: done
      .map(({ topic, answers }) => ({
        Name: topic.Name,
        Partitions: topic.Partitions.map((p, i) => ({
          PartitionIndex: p.PartitionIndex,
          ErrorCode: answers[i]!,
        })).filter((p) => !GROUP_LEVEL.has(p.ErrorCode)),
      }))
      .filter((t) => t.Partitions.length > 0 || top === NONE),
  };
};

export const deleteGroups: Handler = async (req, ctx) => ({
  ThrottleTimeMs: 0,
  Results: await fanOut(req.GroupsNames as string[], async (id) => {
    if (!GROUP_ID_PATTERN.test(id)) return { GroupId: id, ErrorCode: KAFKA.INVALID_GROUP_ID };
    try {
      await ctx.upstream.deleteGroup(id, ctx.signal);
      return { GroupId: id, ErrorCode: NONE };
    } catch (e) {
      // Kafka's own answer here (commits map a non-empty group to UNKNOWN_MEMBER_ID instead).
      if (e instanceof EdgelogError && e.code === "NON_EMPTY_GROUP")
        return { GroupId: id, ErrorCode: KAFKA.NON_EMPTY_GROUP };
      return { GroupId: id, ErrorCode: failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group) };
    }
  }),
});
