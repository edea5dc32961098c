// Metadata and topic admin: the gateway names itself leader of every partition and controller.

import { TOPIC_NAME_PATTERN } from "../../protocol/constants.js";
import type { CreateTopicBody } from "../../protocol/api.js";
import { ZERO_UUID, type Value } from "../wire/codec.js";
import { EdgelogError } from "../../protocol/errors.js";
import { DENIED, errorMessage, failure, KAFKA, NONE, refused } from "../errors.js";
import { CLUSTER_ID, NODE_ID, type Handler, type RequestContext } from "./context.js";
import { fanOut, repeated } from "./fan-out.js";
import { leaderEpochs } from "./leader-epochs.js";
import { listTopics, remember, topicsById, type TopicInfo } from "./topic-ids.js";

export function validName(name: string): boolean {
  return TOPIC_NAME_PATTERN.test(name) && name !== "." && name !== "..";
}

/** A topic's metadata; each partition's leader epoch is its real one (KIP-320), unknown (-1) only when it cannot be described. */
async function topicMetadata(ctx: RequestContext, t: TopicInfo): Promise<Value> {
  const epochs = await leaderEpochs(ctx, t, true).catch(() => [] as number[]);
  return {
    ErrorCode: NONE,
    Name: t.name,
    TopicId: t.id,
    IsInternal: false,
    Partitions: Array.from({ length: t.partitions }, (_, p) => ({
      ErrorCode: NONE,
      PartitionIndex: p,
      LeaderId: NODE_ID,
      LeaderEpoch: epochs[p] ?? -1,
      ReplicaNodes: [NODE_ID],
      IsrNodes: [NODE_ID],
      OfflineReplicas: [],
    })),
  };
}

export const metadata: Handler = async (req, ctx) => {
  let asked = req.Topics as { Name: string | null; TopicId?: string }[] | null;
  // v0 asks for everything with an empty list; v1+ with null.
  const all = asked === null || (ctx.version === 0 && asked.length === 0);
  let known: Map<string, TopicInfo>;
  let denied = false;
  try {
    known = await listTopics(ctx);
  } catch (e) {
    // edgelog refused the gateway's token. Answer as Kafka does a client that may describe nothing
    // (no topics for "all", TOPIC_AUTHORIZATION_FAILED for each one asked), not by closing the
    // connection, which clients take for a broker fault and retry forever.
    if (!refused(e)) throw e;
    known = new Map();
    denied = true;
  }
  // v12+ may name topics by id alone: an id not known is Kafka's UNKNOWN_TOPIC_ID.
  const unknownIds: Value[] = [];
  if (asked && asked.some((t) => t.Name === null)) {
    const byId = denied
      ? new Map()
      : await topicsById(
          ctx,
          asked.flatMap((t) => (t.Name === null && t.TopicId ? [t.TopicId] : [])),
        );
    asked = asked.flatMap((t) => {
      if (t.Name !== null) return [t];
      const found = byId.get(t.TopicId ?? ZERO_UUID);
      if (found) return [{ Name: found.name }];
      unknownIds.push({
        ErrorCode: denied ? DENIED.topic : KAFKA.UNKNOWN_TOPIC_ID,
        Name: null,
        TopicId: t.TopicId,
        IsInternal: false,
        Partitions: [],
      });
      return [];
    });
  }
  const topics: Value[] = [...unknownIds];
  if (all) {
    const sorted = [...known.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    topics.push(...(await fanOut(sorted, (t) => topicMetadata(ctx, t))));
  } else {
    for (const { Name } of asked as { Name: string }[]) {
      let t: TopicInfo | number | undefined = known.get(Name);
      if (denied) t = DENIED.topic;
      else if (!t && validName(Name)) t = await unlisted(ctx, Name);
      if (!t && ctx.identity.autoCreateTopics && req.AllowAutoTopicCreation !== false && validName(Name)) {
        t = await createForMetadata(ctx, Name);
      }
      if (typeof t === "object") topics.push(await topicMetadata(ctx, t));
      else {
        const code = t ?? (validName(Name) ? KAFKA.UNKNOWN_TOPIC_OR_PARTITION : KAFKA.INVALID_TOPIC_EXCEPTION);
        topics.push({ ErrorCode: code, Name, IsInternal: false, Partitions: [] });
      }
    }
  }
  return {
    ThrottleTimeMs: 0,
    Brokers: [{ NodeId: NODE_ID, Host: ctx.identity.host, Port: ctx.identity.port, Rack: null }],
    ClusterId: CLUSTER_ID,
    ControllerId: NODE_ID,
    Topics: topics,
    ErrorCode: NONE,
  };
};

/**
 * A topic the listing left out: absent, or one this connection's token may not describe, which
 * Kafka answers with TOPIC_AUTHORIZATION_FAILED whether or not it exists (edgelog checks the grant first).
 */
async function unlisted(ctx: RequestContext, name: string): Promise<TopicInfo | number | undefined> {
  try {
    const d = await ctx.upstream.describeTopic(name, ctx.signal);
    const t = { name: d.name, id: d.id, partitions: d.partition_count, config: d.config };
    remember(ctx, [t]);
    return t;
  } catch (e) {
    return refused(e) ? DENIED.topic : undefined;
  }
}

/** The created topic, or the Kafka code to answer when the token may not create it. */
async function createForMetadata(ctx: RequestContext, name: string): Promise<TopicInfo | number | undefined> {
  try {
    const created = await ctx.upstream.createTopic({ name }, ctx.signal);
    remember(ctx, [created]);
    return created;
  } catch (e) {
    // Another gateway or client created it first.
    if (e instanceof EdgelogError && e.code === "TOPIC_ALREADY_EXISTS") return (await listTopics(ctx)).get(name);
    // Kafka answers a client that may not create the topic with TOPIC_AUTHORIZATION_FAILED.
    if (refused(e)) return DENIED.topic;
    return undefined;
  }
}

interface CreatableTopic {
  Name: string;
  NumPartitions: number;
  Configs: { Name: string; Value: string | null }[];
}

export const createTopics: Handler = async (req, ctx) => {
  const topics = await fanOut(req.Topics as CreatableTopic[], async (t) => {
    const fail = (code: number, message: string) => ({
      Name: t.Name,
      TopicId: ZERO_UUID,
      ErrorCode: code,
      ErrorMessage: message,
      NumPartitions: -1,
      ReplicationFactor: -1,
      Configs: [],
    });
    // -1 asks for the server default; anything else below 1 is Kafka's INVALID_PARTITIONS.
    if (t.NumPartitions === 0 || t.NumPartitions < -1)
      return fail(KAFKA.INVALID_PARTITIONS, `NumPartitions ${t.NumPartitions} must be positive`);
    if (!validName(t.Name)) return fail(KAFKA.INVALID_TOPIC_EXCEPTION, `invalid topic name ${JSON.stringify(t.Name)}`);
    if (req.ValidateOnly)
      return {
        ...fail(NONE, ""),
        ErrorMessage: null,
        NumPartitions: t.NumPartitions > 0 ? t.NumPartitions : 1,
        ReplicationFactor: 1,
      };
    const config = Object.fromEntries(t.Configs.map((c) => [c.Name, c.Value]));
    const body: CreateTopicBody = { name: t.Name };
    if (t.NumPartitions > 0) body.partitions = t.NumPartitions;
    if (t.Configs.length > 0) body.config = config;
    try {
      const created = await ctx.upstream.createTopic(body, ctx.signal);
      remember(ctx, [created]);
      // v5+ tell the client what was created: its id (v7), partitions and configs.
      return {
        Name: t.Name,
        TopicId: created.id,
        ErrorCode: NONE,
        ErrorMessage: null,
        NumPartitions: created.partitions,
        ReplicationFactor: 1,
        Configs: Object.entries(created.config).map(([Name, v]) => ({
          Name,
          Value: Array.isArray(v) ? v.join(",") : String(v),
          ReadOnly: false,
          ConfigSource: 5,
          IsSensitive: false,
        })),
      };
    } catch (e) {
      return fail(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic), errorMessage(e));
    }
  });
  return { ThrottleTimeMs: 0, Topics: topics };
};

export const deleteTopics: Handler = async (req, ctx) => {
  // v6 names topics by name or by id; earlier versions by name.
  const asked =
    ctx.version >= 6
      ? (req.Topics as { Name: string | null; TopicId: string }[])
      : (req.TopicNames as string[]).map((Name) => ({ Name, TopicId: ZERO_UUID }));
  const byId = asked.some((t) => t.Name === null)
    ? await topicsById(
        ctx,
        asked.map((t) => t.TopicId),
      ).catch(() => new Map<string, TopicInfo>())
    : new Map<string, TopicInfo>();
  const responses = await fanOut(asked, async ({ Name, TopicId }) => {
    const answer = (code: number, name: string | null, message: string | null = null) => ({
      Name: name,
      TopicId,
      ErrorCode: code,
      ErrorMessage: message,
    });
    const name = Name ?? byId.get(TopicId)?.name ?? null;
    if (name === null) return answer(KAFKA.UNKNOWN_TOPIC_ID, null, `no topic with id ${TopicId}`);
    if (!validName(name)) return answer(KAFKA.INVALID_TOPIC_EXCEPTION, name);
    try {
      await ctx.upstream.deleteTopic(name, ctx.signal);
      return answer(NONE, name);
    } catch (e) {
      return answer(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic), name, errorMessage(e));
    }
  });
  return { ThrottleTimeMs: 0, Responses: responses };
};

/** CreatePartitions: a topic's new total count, as PATCH /v1/topics/{t} takes it. */
export const createPartitions: Handler = async (req, ctx) => {
  const topics = req.Topics as { Name: string; Count: number; Assignments: unknown[] | null }[];
  // Kafka refuses every mention of a topic named twice.
  const twice = repeated(topics, (t) => t.Name);
  const results = await fanOut(topics, async (t, i) => {
    const answer = (code: number, message: string | null = null) => ({
      Name: t.Name,
      ErrorCode: code,
      ErrorMessage: message,
    });
    if (twice.has(i)) return answer(KAFKA.INVALID_REQUEST, `topic ${t.Name} appears more than once`);
    if (!validName(t.Name))
      return answer(KAFKA.INVALID_TOPIC_EXCEPTION, `invalid topic name ${JSON.stringify(t.Name)}`);
    if (t.Assignments !== null && t.Assignments.length > 0)
      return answer(KAFKA.INVALID_REPLICA_ASSIGNMENT, "edgelog places partitions itself: send no assignments");
    try {
      const topic = await ctx.upstream.describeTopic(t.Name, ctx.signal);
      if (t.Count <= topic.partition_count)
        return answer(
          KAFKA.INVALID_PARTITIONS,
          `topic ${t.Name} has ${topic.partition_count} partitions; the count can only grow`,
        );
      if (req.ValidateOnly) return answer(NONE);
      await ctx.upstream.alterTopic(t.Name, { partitions: t.Count }, ctx.signal);
      return answer(NONE);
    } catch (e) {
      return answer(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic), errorMessage(e));
    }
  });
  return { ThrottleTimeMs: 0, Results: results };
};
