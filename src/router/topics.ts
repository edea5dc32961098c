// Topic admin routes: create, list, describe, alter, delete.

import { Hono } from "hono";
import { AlterTopicSchema, CreateTopicSchema } from "../protocol/api.js";
import { unwrap } from "../protocol/errors.js";
import { topicRef } from "../protocol/topic.js";
import type { AppEnv } from "./app-env.js";
import { readJson } from "./body.js";
import { cluster, onPartition, partitionStub, topics } from "./objects.js";

export const topicRoutes = new Hono<AppEnv>();

topicRoutes.post("/v1/topics", async (c) => {
  const input = await readJson(c, CreateTopicSchema);
  const topic = unwrap(await cluster(c.env).createTopic(input));
  topics.remember(topic);
  return c.json(topic, 201);
});

topicRoutes.get("/v1/topics", async (c) => {
  return c.json({ topics: await cluster(c.env).listTopics() });
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
  return c.json(topic);
});

topicRoutes.delete("/v1/topics/:topic", async (c) => {
  const name = c.req.param("topic");
  topics.forget(name);
  unwrap(await cluster(c.env).deleteTopic(name));
  return c.body(null, 204);
});
