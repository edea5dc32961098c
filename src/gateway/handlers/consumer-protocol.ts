// KIP-848's consumer group protocol (group.protocol=consumer): ConsumerGroupHeartbeat and
// ConsumerGroupDescribe mapped onto the coordinator, which is server-side and incremental already.
// A group may hold classic members (JoinGroup/SyncGroup) and consumer members at once, as Kafka 4 allows.

import { createContext, Script } from "node:vm";
import type { GroupDescription, HeartbeatBody, HeartbeatReply } from "../../protocol/api.js";
import { GROUP_ID_PATTERN } from "../../protocol/constants.js";
import { EdgelogError } from "../../protocol/errors.js";
import { DENIED, errorMessage, failure, KAFKA, NONE } from "../errors.js";
import type { Handler, RequestContext } from "./context.js";
import { consumerState, kafkaHost } from "./group-admin.js";
import { whoIs } from "./groups.js";
import { fanOut } from "./fan-out.js";
import { idsOf, listTopics, topicsById } from "./topic-ids.js";

/** KIP-848's server assignors by edgelog's names ("uniform" is Kafka's sticky-spreading default). */
const ASSIGNORS: Record<string, string> = { uniform: "sticky", range: "range" };

/** The Kafka code for a failed heartbeat: KIP-848 clients act on the epoch errors themselves. */
function heartbeatCode(e: unknown): number {
  if (e instanceof EdgelogError && (e.code === "FENCED_MEMBER_EPOCH" || e.code === "STALE_MEMBER_EPOCH"))
    return KAFKA[e.code];
  return failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group);
}

/**
 * How long a subscription regex may run over the topic list. Kafka matches with RE2, in linear
 * time; JavaScript's regexes backtrack, so a pattern like (a+)+$ could hold the gateway's one
 * thread for ever. Matching runs in a vm context whose timeout interrupts it.
 */
const REGEX_BUDGET_MS = 100;
const MATCH = new Script("names.filter((n) => re.test(n))");
const sandbox = createContext({});

/** The topic names a KIP-848 regex subscription matches, or why it cannot be used. */
export function matching(regex: string, names: string[]): string[] | string {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${regex})$`);
  } catch (e) {
    return `invalid SubscribedTopicRegex: ${errorMessage(e)}`;
  }
  sandbox.re = re;
  sandbox.names = names;
  try {
    return MATCH.runInContext(sandbox, { timeout: REGEX_BUDGET_MS }) as string[];
  } catch {
    return `SubscribedTopicRegex ${JSON.stringify(regex)} took over ${REGEX_BUDGET_MS} ms to match ${names.length} topic names`;
  } finally {
    sandbox.re = sandbox.names = undefined;
  }
}

async function withIds(ctx: RequestContext, assignment: HeartbeatReply["assignment"]) {
  const ids = await idsOf(
    ctx,
    assignment.map((a) => a.topic),
  );
  return assignment.map((a) => ({ TopicId: ids.get(a.topic)!, TopicName: a.topic, Partitions: a.partitions }));
}

export const consumerGroupHeartbeat: Handler = async (req, ctx) => {
  const group = req.GroupId as string;
  const epoch = req.MemberEpoch as number;
  const memberId = req.MemberId as string;
  const reply = (code: number, message: string | null, extra: Record<string, unknown> = {}) => ({
    ThrottleTimeMs: 0,
    ErrorCode: code,
    ErrorMessage: message,
    MemberId: memberId === "" ? null : memberId,
    MemberEpoch: -1,
    HeartbeatIntervalMs: 0,
    Assignment: null,
    ...extra,
  });
  if (!GROUP_ID_PATTERN.test(group)) return reply(KAFKA.INVALID_GROUP_ID, `invalid group id ${JSON.stringify(group)}`);
  // -1 leaves the group; -2 is a static member leaving for now (its partitions move all the same).
  if (epoch < 0) {
    if (memberId === "") return reply(KAFKA.UNKNOWN_MEMBER_ID, "a member id is needed to leave");
    try {
      await ctx.upstream.leaveGroup(group, memberId, ctx.signal);
      return reply(NONE, null, { MemberEpoch: epoch });
    } catch (e) {
      return reply(heartbeatCode(e), errorMessage(e));
    }
  }
  const body: HeartbeatBody = {
    protocol: "consumer",
    // v0: the coordinator names a joining member; v1 clients choose their own id (a UUID).
    member_id: memberId === "" ? null : memberId,
    member_epoch: epoch,
    ...(epoch === 0 ? whoIs(ctx) : {}),
  };
  try {
    let topics = req.SubscribedTopicNames as string[] | null;
    const regex = (req.SubscribedTopicRegex as string | null | undefined) ?? null;
    if (regex !== null) {
      // edgelog's coordinator subscribes by name: the pattern is resolved against today's topics.
      const matched = matching(regex, [...(await listTopics(ctx)).keys()]);
      if (typeof matched === "string") return reply(KAFKA.INVALID_REGULAR_EXPRESSION, matched);
      topics = matched;
    }
    if (topics !== null) body.topics = topics;
    else if (epoch === 0) return reply(KAFKA.INVALID_REQUEST, "SubscribedTopicNames is required when joining");
    const instance = req.InstanceId as string | null;
    if (instance !== null) body.instance_id = instance;
    const rebalance = req.RebalanceTimeoutMs as number;
    if (rebalance > 0) body.rebalance_timeout_ms = Math.min(rebalance, 3_600_000);
    const assignor = req.ServerAssignor as string | null;
    if (assignor !== null) body.assignor = ASSIGNORS[assignor] ?? assignor;
    const owned = req.TopicPartitions as { TopicId: string; Partitions: number[] }[] | null;
    // Null is Kafka's "unchanged since my last heartbeat", not edgelog's omitted "what you last gave me":
    // a client still draining a revoked partition reports null until it has let go.
    if (owned === null) body.owned = null;
    else {
      const byId = await topicsById(
        ctx,
        owned.map((o) => o.TopicId),
      );
      // Partitions of a topic deleted since are no longer owned by anyone.
      body.owned = owned.flatMap((o) => {
        const t = byId.get(o.TopicId);
        return t ? [{ topic: t.name, partitions: o.Partitions }] : [];
      });
    }
    const hb = await ctx.upstream.heartbeat(group, body, ctx.signal);
    const assignment = await withIds(ctx, hb.assignment);
    return reply(NONE, null, {
      MemberId: hb.member_id,
      MemberEpoch: hb.member_epoch,
      HeartbeatIntervalMs: hb.heartbeat_interval_ms,
      Assignment: { TopicPartitions: assignment.map(({ TopicId, Partitions }) => ({ TopicId, Partitions })) },
    });
  } catch (e) {
    return reply(heartbeatCode(e), errorMessage(e));
  }
};

export const consumerGroupDescribe: Handler = async (req, ctx) => ({
  ThrottleTimeMs: 0,
  Groups: await fanOut(req.GroupIds as string[], async (id) => {
    const fail = (code: number, message: string) => ({
      ErrorCode: code,
      ErrorMessage: message,
      GroupId: id,
      GroupState: "Dead",
      GroupEpoch: -1,
      AssignmentEpoch: -1,
      AssignorName: "",
      Members: [],
    });
    if (!GROUP_ID_PATTERN.test(id)) return fail(KAFKA.INVALID_GROUP_ID, `invalid group id ${JSON.stringify(id)}`);
    let d: GroupDescription;
    try {
      d = await ctx.upstream.describeGroup(id, ctx.signal);
    } catch (e) {
      return fail(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.group), errorMessage(e));
    }
    return {
      ErrorCode: NONE,
      ErrorMessage: null,
      GroupId: id,
      GroupState: consumerState(d.state),
      GroupEpoch: d.group_epoch,
      AssignmentEpoch: d.group_epoch,
      AssignorName: d.assignor,
      Members: await Promise.all(
        d.members.map(async (m) => ({
          MemberId: m.member_id,
          InstanceId: m.instance_id,
          RackId: null,
          MemberEpoch: m.member_epoch,
          ClientId: m.client_id ?? "",
          ClientHost: kafkaHost(m.client_host),
          SubscribedTopicNames: m.topics,
          SubscribedTopicRegex: null,
          Assignment: { TopicPartitions: await withIds(ctx, m.assignment) },
          TargetAssignment: { TopicPartitions: await withIds(ctx, m.target_assignment) },
          MemberType: m.protocol === "classic" ? 0 : 1,
        })),
      ),
    };
  }),
});
