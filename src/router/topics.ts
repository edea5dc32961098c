// Topic admin routes: create, list, describe, alter, delete.

import { Hono } from "hono";
import { AlterTopicSchema, CreateTopicSchema } from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { STREAM_TOPIC_PREFIX } from "../durable-streams/protocol.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import { parseTopicConfig } from "../protocol/topic-config.js";
import type { Env } from "../env.js";
import { topicResource } from "../auth/grants.js";
import type { AppEnv } from "./app-env.js";
import { hasGrant, requireGrant } from "./auth.js";
import { readJson } from "./body.js";
import { cluster, onPartition, partitionStub, topics } from "./objects.js";

export const topicRoutes = new Hono<AppEnv>();

topicRoutes.post("/v1/topics", async (c) => {
  const input = await readJson(c, CreateTopicSchema);
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
});

topicRoutes.get("/v1/topics", async (c) => {
  const all = await cluster(c.env).listTopics();
  return c.json({ topics: all.filter((t) => hasGrant(c, topicResource(t.name), "describe")) });
});

topicRoutes.get("/v1/topics/:topic", async (c) => {
  const name = c.req.param("topic");
  const topic = await topics.get(c.env, name, true);
  const partitions = await Promise.all(
    Array.from({ length: topic.partitions }, (_, p) =>
      onPartition(name, async () => unwrap(await partitionStub(c.env, topic, p).describe(topicRef(topic, p))), true),
    ),
  );
  return c.json({ ...topic, partition_count: topic.partitions, partitions });
});

topicRoutes.patch("/v1/topics/:topic", async (c) => {
  const input = await readJson(c, AlterTopicSchema);
  const name = c.req.param("topic");
  if (input.config && "replica.regions" in input.config)
    await checkRegionRemoval(c.env, await topics.get(c.env, name, true), input.config);
  const topic = unwrap(await cluster(c.env).alterTopic(name, input));
  topics.remember(topic);
  // Partitions learn a config on their next call; tell them now so retention and segment
  // changes apply on their next alarm even without traffic. Best effort: any later call also does.
  await Promise.allSettled(
    Array.from({ length: topic.partitions }, (_, p) => partitionStub(c.env, topic, p).configure(topicRef(topic, p))),
  );
  return c.json(topic);
});

topicRoutes.delete("/v1/topics/:topic", async (c) => {
  const name = c.req.param("topic");
  topics.forget(name);
  unwrap(await cluster(c.env).deleteTopic(name));
  return c.body(null, 204);
});

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
      onPartition(
        topic.name,
        async () => unwrap(await partitionStub(env, topic, p).describe(topicRef(topic, p))),
        true,
      ),
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
