// Metadata and topic admin: the gateway names itself leader of every partition and controller.

import { TOPIC_NAME_PATTERN } from "../../protocol/constants.js";
import type { CreateTopicBody, TopicReply } from "../../protocol/api.js";
import type { Value } from "../wire/codec.js";
import { EdgelogError } from "../../protocol/errors.js";
import { DENIED, errorMessage, failure, KAFKA, NONE, refused } from "../errors.js";
import { CLUSTER_ID, NODE_ID, type Handler, type RequestContext } from "./context.js";

type TopicInfo = Pick<TopicReply, "name" | "partitions">;

/** Every topic the connection's token may describe, following GET /v1/topics page by page. */
async function listTopics(ctx: RequestContext): Promise<Map<string, TopicInfo>> {
  const topics = await ctx.upstream.listTopics(ctx.signal);
  return new Map(topics.map((t) => [t.name, t]));
}

function validName(name: string): boolean {
  return TOPIC_NAME_PATTERN.test(name) && name !== "." && name !== "..";
}

function topicMetadata(t: TopicInfo): Value {
  return {
    ErrorCode: NONE,
    Name: t.name,
    IsInternal: false,
    Partitions: Array.from({ length: t.partitions }, (_, p) => ({
      ErrorCode: NONE,
      PartitionIndex: p,
      LeaderId: NODE_ID,
      ReplicaNodes: [NODE_ID],
      IsrNodes: [NODE_ID],
      OfflineReplicas: [],
    })),
  };
}

export const metadata: Handler = async (req, ctx) => {
  const asked = req.Topics as { Name: string }[] | null;
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
  const topics: Value[] = [];
  if (all) {
    for (const t of [...known.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) topics.push(topicMetadata(t));
  } else {
    for (const { Name } of asked) {
      let t: TopicInfo | number | undefined = known.get(Name);
      if (denied) t = DENIED.topic;
      else if (!t && ctx.identity.autoCreateTopics && req.AllowAutoTopicCreation !== false && validName(Name)) {
        t = await createForMetadata(ctx, Name);
      }
      if (typeof t === "object") topics.push(topicMetadata(t));
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
  };
};

/** The created topic, or the Kafka code to answer when the token may not create it. */
async function createForMetadata(ctx: RequestContext, name: string): Promise<TopicInfo | number | undefined> {
  try {
    return await ctx.upstream.createTopic({ name }, ctx.signal);
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
  const topics = await Promise.all(
    (req.Topics as CreatableTopic[]).map(async (t) => {
      const fail = (code: number, message: string) => ({ Name: t.Name, ErrorCode: code, ErrorMessage: message });
      // -1 asks for the server default; anything else below 1 is Kafka's INVALID_PARTITIONS.
      if (t.NumPartitions === 0 || t.NumPartitions < -1)
        return fail(KAFKA.INVALID_PARTITIONS, `NumPartitions ${t.NumPartitions} must be positive`);
      if (!validName(t.Name))
        return fail(KAFKA.INVALID_TOPIC_EXCEPTION, `invalid topic name ${JSON.stringify(t.Name)}`);
      if (req.ValidateOnly) return { Name: t.Name, ErrorCode: NONE, ErrorMessage: null };
      const config = Object.fromEntries(t.Configs.map((c) => [c.Name, c.Value]));
      const body: CreateTopicBody = { name: t.Name };
      if (t.NumPartitions > 0) body.partitions = t.NumPartitions;
      if (t.Configs.length > 0) body.config = config;
      try {
        await ctx.upstream.createTopic(body, ctx.signal);
        return { Name: t.Name, ErrorCode: NONE, ErrorMessage: null };
      } catch (e) {
        return fail(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic), errorMessage(e));
      }
    }),
  );
  return { ThrottleTimeMs: 0, Topics: topics };
};

export const deleteTopics: Handler = async (req, ctx) => {
  const responses = await Promise.all(
    (req.TopicNames as string[]).map(async (name) => {
      if (!validName(name)) return { Name: name, ErrorCode: KAFKA.INVALID_TOPIC_EXCEPTION };
      try {
        await ctx.upstream.deleteTopic(name, ctx.signal);
        return { Name: name, ErrorCode: NONE };
      } catch (e) {
        return { Name: name, ErrorCode: failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic) };
      }
    }),
  );
  return { ThrottleTimeMs: 0, Responses: responses };
};
