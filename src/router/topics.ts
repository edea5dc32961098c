// Topic admin routes: create, list, describe, alter, delete.

import type { Context } from "hono";
import { z } from "zod";
import {
  AlterTopicSchema,
  CreateTopicSchema,
  DeleteRecordsReplySchema,
  DeleteRecordsSchema,
  DescribeTopicSchema,
  TopicListQuerySchema,
  TopicListSchema,
  TopicSchema,
} from "../protocol/api.js";
import { LIST_PAGE_DEFAULT, LIST_PAGE_MAX } from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { STREAM_TOPIC_PREFIX } from "../durable-streams/protocol.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import { parseTopicConfig } from "../protocol/topic-config.js";
import type { Env } from "../env.js";
import { topicResource } from "../auth/grants.js";
import type { AppEnv } from "./app-env.js";
import { hasGrant, requireGrant } from "./auth.js";
import { onLeader } from "./leaders.js";
import { cluster, topics } from "./objects.js";
import { inHandler, onTopic } from "./permissions.js";
import { partitionParam, pathParam } from "./params.js";
import { route, type Route } from "./route.js";

export const topicRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/topics",
    summary: "Create a topic",
    permission: inHandler("admin on topic:<body name>"),
    body: CreateTopicSchema,
    ok: { status: 201, schema: TopicSchema },
    handler: (c, { body }) => createTopic(c, body),
  }),
  route({
    method: "GET",
    path: "/v1/topics",
    summary: "List topics, a page at a time",
    permission: inHandler("lists only the topics the token may describe"),
    query: TopicListQuerySchema,
    ok: { status: 200, schema: TopicListSchema },
    handler: (c, { query }) => listTopics(c, query),
  }),
  route({
    method: "GET",
    path: "/v1/topics/:topic",
    summary: "Describe a topic and its partitions",
    permission: onTopic("describe"),
    ok: { status: 200, schema: DescribeTopicSchema },
    handler: describeTopic,
  }),
  route({
    method: "PATCH",
    path: "/v1/topics/:topic",
    summary: "Add partitions or change config",
    permission: onTopic("admin"),
    body: AlterTopicSchema,
    ok: { status: 200, schema: TopicSchema },
    handler: (c, { body }) => alterTopic(c, body),
  }),
  route({
    method: "POST",
    path: "/v1/topics/:topic/partitions/:p/delete-records",
    summary: "Delete a partition's records below an offset (Kafka's DeleteRecords): its log start offset moves up",
    permission: onTopic("admin"),
    body: DeleteRecordsSchema,
    ok: { status: 200, schema: DeleteRecordsReplySchema },
    handler: (c, { body }) => deleteRecords(c, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/topics/:topic",
    summary: "Delete a topic; its data becomes unreachable at once",
    permission: onTopic("admin"),
    ok: { status: 204 },
    handler: deleteTopic,
  }),
];

async function createTopic(c: Context<AppEnv>, input: z.output<typeof CreateTopicSchema>): Promise<Response> {
  requireGrant(c, topicResource(input.name), "admin");
  if (input.name.startsWith(STREAM_TOPIC_PREFIX)) {
    throw new EdgelogError(
      "POLICY_VIOLATION",
      `topic names starting with "${STREAM_TOPIC_PREFIX}" are reserved for Durable Streams; PUT /v1/stream/<name> creates one`,
    );
  }
  const topic = unwrap(await cluster(c.env).createTopic(input));
  topics.remember(topic);
  return c.json(topic, 201);
}

async function listTopics(c: Context<AppEnv>, query: z.output<typeof TopicListQuerySchema>): Promise<Response> {
  const { limit = LIST_PAGE_DEFAULT, after } = query;
  // Pages as GET /v1/groups does. The controller is read in name order a slice at a time, so a
  // page costs what it holds, however many topics exist; a token that may describe few of them
  // makes it read further, in larger slices.
  const visible: Topic[] = [];
  let cursor = after;
  for (let slice = limit + 1; ; slice = LIST_PAGE_MAX) {
    const names = unwrap(await cluster(c.env).listTopics({ after: cursor, limit: slice }));
    for (const t of names) if (hasGrant(c, topicResource(t.name), "describe")) visible.push(t);
    if (visible.length > limit || names.length < slice) break;
    cursor = names.at(-1)!.name;
  }
  const page = visible.slice(0, limit);
  return c.json({ topics: page, next_after: visible.length > limit ? page.at(-1)!.name : null });
}

async function describeTopic(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "topic");
  const topic = await topics.get(c.env, name, true);
  const partitions = await Promise.all(
    Array.from({ length: topic.partitions }, (_, p) =>
      onLeader(c.env, topic, p, (stub, ref) => stub.describe(ref), true),
    ),
  );
  return c.json({ ...topic, partition_count: topic.partitions, partitions });
}

async function alterTopic(c: Context<AppEnv>, input: z.output<typeof AlterTopicSchema>): Promise<Response> {
  const name = pathParam(c, "topic");
  if (input.config && "replica.regions" in input.config)
    await checkRegionRemoval(c.env, await topics.get(c.env, name, true), input.config);
  const topic = unwrap(await cluster(c.env).alterTopic(name, input));
  topics.remember(topic);
  // Partitions learn a config on their next call; tell them now so retention and segment
  // changes apply on their next alarm even without traffic. Best effort: any later call also does.
  await Promise.allSettled(
    Array.from({ length: topic.partitions }, (_, p) => onLeader(c.env, topic, p, (stub, ref) => stub.configure(ref))),
  );
  return c.json(topic);
}

async function deleteRecords(c: Context<AppEnv>, input: z.output<typeof DeleteRecordsSchema>): Promise<Response> {
  const p = partitionParam(pathParam(c, "p"));
  const name = pathParam(c, "topic");
  const topic = await topics.withPartition(c.env, name, p);
  const { log_start_offset } = await onLeader(
    c.env,
    topic,
    p,
    (stub, ref) => stub.deleteRecords(ref, input.before_offset),
    true,
  );
  return c.json({ partition: p, log_start_offset });
}

async function deleteTopic(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "topic");
  topics.forget(name);
  unwrap(await cluster(c.env).deleteTopic(name));
  return c.body(null, 204);
}

/**
 * Removing a replica region must not take away a copy that acks=all writes rely on: refused when
 * a partition would keep fewer in-sync replicas than min.insync.replicas, or when the region is
 * a partition's only in-sync follower while another follower is still catching up.
 */
async function checkRegionRemoval(env: Env, topic: Topic, change: unknown): Promise<void> {
  const next = { ...topic.config, ...parseTopicConfig(change) };
  const removed = topic.config["replica.regions"].filter((r) => !next["replica.regions"].includes(r));
  if (removed.length === 0) return;
  const infos = await Promise.all(
    Array.from({ length: topic.partitions }, (_, p) =>
      onLeader(env, topic, p, (stub, ref) => stub.describe(ref), true),
    ),
  );
  for (const info of infos) {
    const inSync = (info.replicas ?? []).filter((r) => r.in_sync).map((r) => r.region);
    const kept = inSync.filter((r) => !removed.includes(r));
    const lost = inSync.filter((r) => removed.includes(r));
    if (lost.length === 0) continue;
    const fix = `wait until the other replicas catch up (GET /v1/topics/${topic.name} shows them) or remove fewer regions at once`;
    if (1 + kept.length < next["min.insync.replicas"]) {
      throw new EdgelogError(
        "INVALID_REPLICA_ASSIGNMENT",
        `partition ${info.partition} would keep ${1 + kept.length} in-sync replicas, below min.insync.replicas ${next["min.insync.replicas"]}; ${fix}`,
      );
    }
    const catchingUp = (info.replicas ?? []).some((r) => !r.in_sync && !removed.includes(r.region));
    if (kept.length === 0 && catchingUp) {
      throw new EdgelogError(
        "INVALID_REPLICA_ASSIGNMENT",
        `${lost.join(", ")} holds partition ${info.partition}'s only in-sync copy besides the leader; ${fix}`,
      );
    }
  }
}
