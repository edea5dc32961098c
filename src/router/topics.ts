// Topic admin routes: create, list, describe, alter, delete.

import { Hono } from "hono";
import { AlterTopicSchema, CreateTopicSchema } from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { STREAM_TOPIC_PREFIX } from "../streams/protocol.js";
import { topicRef } from "../protocol/topic.js";
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
    throw new EdgelogError("POLICY_VIOLATION",
      `topic names starting with "${STREAM_TOPIC_PREFIX}" are reserved for Durable Streams; PUT /v1/stream/<name> creates one`);
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
  const partitions = await Promise.all(Array.from({ length: topic.partitions }, (_, p) =>
    onPartition(name, async () => unwrap(await partitionStub(c.env, topic, p).describe(topicRef(topic, p))), true)));
  return c.json({ ...topic, partition_count: topic.partitions, partitions });
});

topicRoutes.patch("/v1/topics/:topic", async (c) => {
  const input = await readJson(c, AlterTopicSchema);
  const topic = unwrap(await cluster(c.env).alterTopic(c.req.param("topic"), input));
  topics.remember(topic);
  // Partitions learn a config on their next call; tell them now so retention and segment
  // changes apply on their next alarm even without traffic. Best effort: any later call also does.
  await Promise.allSettled(Array.from({ length: topic.partitions }, (_, p) =>
    partitionStub(c.env, topic, p).configure(topicRef(topic, p))));
  return c.json(topic);
});

topicRoutes.delete("/v1/topics/:topic", async (c) => {
  const name = c.req.param("topic");
  topics.forget(name);
  unwrap(await cluster(c.env).deleteTopic(name));
  return c.body(null, 204);
});
