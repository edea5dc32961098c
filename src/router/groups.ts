// Consumer-group routes: heartbeat (membership and assignment), leave, offsets, describe, list, reset, delete.

import { Hono } from "hono";
import {
  CommitOffsetsSchema,
  GroupListQuerySchema,
  HeartbeatRequestSchema,
  ResetOffsetsSchema,
} from "../protocol/api.js";
import { GROUP_ID_PATTERN } from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { validateTopicName } from "../protocol/topic-config.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app-env.js";
import { groupResource, topicResource } from "../auth/grants.js";
import { hasGrant, requireGrant } from "./auth.js";
import { readJson, validate } from "./body.js";
import { cluster } from "./objects.js";

export const groupRoutes = new Hono<AppEnv>();

function groupParam(raw: string): string {
  if (!GROUP_ID_PATTERN.test(raw)) {
    throw new EdgelogError(
      "INVALID_GROUP_ID",
      `group ids are 1-249 characters of [a-zA-Z0-9._-], got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function coordinator(env: Env, group: string) {
  return env.COORDINATOR.getByName(group);
}

groupRoutes.post("/v1/groups/:group/heartbeat", async (c) => {
  const group = groupParam(c.req.param("group"));
  const req = await readJson(c, HeartbeatRequestSchema);
  for (const t of req.topics ?? []) requireGrant(c, topicResource(validateTopicName(t)), "consume");
  return c.json(unwrap(await coordinator(c.env, group).heartbeat(group, req)));
});

groupRoutes.delete("/v1/groups/:group/members/:member", async (c) => {
  const group = groupParam(c.req.param("group"));
  unwrap(await coordinator(c.env, group).leave(group, c.req.param("member")));
  return c.body(null, 204);
});

groupRoutes.post("/v1/groups/:group/offsets", async (c) => {
  const group = groupParam(c.req.param("group"));
  const req = await readJson(c, CommitOffsetsSchema);
  for (const o of req.offsets) requireGrant(c, topicResource(o.topic), "consume");
  unwrap(await coordinator(c.env, group).commit(group, req));
  return c.body(null, 204);
});

groupRoutes.get("/v1/groups/:group/offsets", async (c) => {
  const group = groupParam(c.req.param("group"));
  return c.json(unwrap(await coordinator(c.env, group).committed()));
});

groupRoutes.post("/v1/groups/:group/offsets/reset", async (c) => {
  const group = groupParam(c.req.param("group"));
  const req = await readJson(c, ResetOffsetsSchema);
  for (const t of req.topics ?? []) requireGrant(c, topicResource(validateTopicName(t)), "consume");
  return c.json(unwrap(await coordinator(c.env, group).resetOffsets(group, req)));
});

groupRoutes.get("/v1/groups", async (c) => {
  const { limit = 100, after } = validate(GroupListQuerySchema, c.req.query());
  const names = (await cluster(c.env).listGroups())
    .filter((g) => (after === undefined || g > after) && hasGrant(c, groupResource(g), "describe"))
    .sort();
  // Only the page's coordinators are asked: a page costs `limit` calls, however many groups exist.
  const page = names.slice(0, limit);
  const groups = await Promise.all(page.map((g) => coordinator(c.env, g).summary(g)));
  return c.json({ groups, next_after: names.length > limit ? page.at(-1)! : null });
});

groupRoutes.get("/v1/groups/:group", async (c) => {
  const group = groupParam(c.req.param("group"));
  return c.json(unwrap(await coordinator(c.env, group).describe(group)));
});

groupRoutes.delete("/v1/groups/:group", async (c) => {
  const group = groupParam(c.req.param("group"));
  unwrap(await coordinator(c.env, group).deleteGroup(group));
  return c.body(null, 204);
});
