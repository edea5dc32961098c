// Consumer-group routes: heartbeat (membership and assignment), leave, offsets, describe, list, reset, delete.

import type { Context } from "hono";
import type { z } from "zod";
import {
  CommitOffsetsSchema,
  CommittedOffsetsQuerySchema,
  CommittedOffsetsReplySchema,
  GroupDescribeQuerySchema,
  GroupListQuerySchema,
  GroupListSchema,
  GroupSchema,
  HeartbeatReplySchema,
  HeartbeatRequestSchema,
  ResetOffsetsReplySchema,
  ResetOffsetsSchema,
} from "../protocol/api.js";
import { GROUP_ID_PATTERN, LIST_PAGE_DEFAULT } from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { validateTopicName } from "../protocol/topic-config.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app-env.js";
import { groupResource, topicResource } from "../auth/grants.js";
import { hasGrant, requireGrant } from "./auth.js";
import { cluster } from "./objects.js";
import { inHandler, onGroup } from "./permissions.js";
import { partitionParam, pathParam } from "./params.js";
import { route, type Route } from "./route.js";
import { coordinatorObject } from "../objects.js";

// Consumer groups, as Kafka's ACLs: READ (consume) on the group, and on the topics a body names, to
// join, commit or reset; DESCRIBE to look; DELETE (admin) to delete the group or a committed offset
// (with READ, consume, on the offset's topic).
export const groupRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/groups/:group/heartbeat",
    summary:
      "Join a consumer group or heartbeat: membership, subscription, owned partitions in; epoch and assignment out",
    permission: onGroup("consume"),
    body: HeartbeatRequestSchema,
    ok: { status: 200, schema: HeartbeatReplySchema },
    handler: (c, { body }) => heartbeat(c, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/groups/:group/members/:member",
    summary: "Leave the group; the member's partitions are reassigned",
    permission: onGroup("consume"),
    ok: { status: 204 },
    handler: leave,
  }),
  route({
    method: "POST",
    path: "/v1/groups/:group/offsets",
    summary: "Commit offsets, fenced by member id, epoch and ownership (no member id: empty groups only)",
    permission: onGroup("consume"),
    body: CommitOffsetsSchema,
    ok: { status: 204 },
    handler: (c, { body }) => commit(c, body),
  }),
  route({
    method: "GET",
    path: "/v1/groups/:group/offsets",
    summary:
      "Committed offsets; require_stable=true answers UNSTABLE_OFFSET_COMMIT while a transaction holds pending ones",
    permission: onGroup("describe"),
    query: CommittedOffsetsQuerySchema,
    ok: { status: 200, schema: CommittedOffsetsReplySchema },
    handler: (c, { query }) => committed(c, query),
  }),
  route({
    method: "POST",
    path: "/v1/groups/:group/offsets/reset",
    summary: "Reset offsets to earliest, latest, a time or an offset (empty group only)",
    permission: onGroup("consume"),
    body: ResetOffsetsSchema,
    ok: { status: 200, schema: ResetOffsetsReplySchema },
    handler: (c, { body }) => resetOffsets(c, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/groups/:group/offsets/:topic/partitions/:partition",
    summary:
      "Delete a partition's committed offset (Kafka's OffsetDelete); refused while a member of the group subscribes to the topic",
    permission: onGroup("admin"),
    ok: { status: 204 },
    handler: deleteOffset,
  }),
  route({
    method: "GET",
    path: "/v1/groups",
    summary: "List consumer groups, a page at a time",
    permission: inHandler("lists only the groups the token may describe"),
    query: GroupListQuerySchema,
    ok: { status: 200, schema: GroupListSchema },
    handler: (c, { query }) => listGroups(c, query),
  }),
  route({
    method: "GET",
    path: "/v1/groups/:group",
    summary: "Describe a group: state, members, assignment, lag per partition (isolation=read_committed: to the LSO)",
    permission: onGroup("describe"),
    query: GroupDescribeQuerySchema,
    ok: { status: 200, schema: GroupSchema },
    handler: (c, { query }) => describeGroup(c, query),
  }),
  route({
    method: "DELETE",
    path: "/v1/groups/:group",
    summary: "Delete a group and its offsets (empty group only)",
    permission: onGroup("admin"),
    ok: { status: 204 },
    handler: deleteGroup,
  }),
];

export function groupParam(raw: string): string {
  if (!GROUP_ID_PATTERN.test(raw)) {
    throw new EdgelogError(
      "INVALID_GROUP_ID",
      `group ids are 1-249 characters of [a-zA-Z0-9._-], got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function coordinator(env: Env, group: string) {
  return coordinatorObject(env, group);
}

async function heartbeat(c: Context<AppEnv>, req: z.output<typeof HeartbeatRequestSchema>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  for (const t of req.topics ?? []) requireGrant(c, topicResource(validateTopicName(t)), "consume");
  // A member that does not say where it runs is where its request came from.
  const host = req.client_host ?? c.req.header("cf-connecting-ip");
  const body = host === undefined ? req : { ...req, client_host: host };
  return c.json(unwrap(await coordinator(c.env, group).heartbeat(group, body)));
}

async function leave(c: Context<AppEnv>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  unwrap(await coordinator(c.env, group).leave(group, pathParam(c, "member")));
  return c.body(null, 204);
}

async function commit(c: Context<AppEnv>, req: z.output<typeof CommitOffsetsSchema>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  for (const o of req.offsets) requireGrant(c, topicResource(o.topic), "consume");
  unwrap(await coordinator(c.env, group).commit(group, req));
  return c.body(null, 204);
}

/**
 * Describe on a group shows only the topics the caller may describe: other topics' partitions,
 * offsets, commit metadata, high watermarks and lag are left out, as Kafka's OffsetFetch for all
 * of a group's topics leaves out the partitions of topics the caller may not describe.
 */
const visibleTopics = (c: Context<AppEnv>) => (topic: string) => hasGrant(c, topicResource(topic), "describe");

async function committed(c: Context<AppEnv>, query: z.output<typeof CommittedOffsetsQuerySchema>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  const topics = query.topics
    ?.split(",")
    .filter((t) => t !== "")
    .map(validateTopicName);
  const visible = visibleTopics(c);
  const r = unwrap(await coordinator(c.env, group).committed({ topics }));
  const offsets = r.offsets.filter((o) => visible(o.topic));
  const pending = r.pending.filter((p) => visible(p.topic));
  // Kafka's OffsetFetch RequireStable: a transaction still holds offsets for these partitions.
  if (query.require_stable === "true" && pending.length > 0) {
    throw new EdgelogError(
      "UNSTABLE_OFFSET_COMMIT",
      `a transaction holds offsets not yet committed for ${pending.map((p) => `${p.topic}/${p.partition}`).join(", ")}`,
      { partitions: pending, offsets },
    );
  }
  return c.json({ offsets });
}

async function deleteOffset(c: Context<AppEnv>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  const topic = validateTopicName(pathParam(c, "topic"));
  requireGrant(c, topicResource(topic), "consume");
  unwrap(await coordinator(c.env, group).deleteOffset(group, topic, partitionParam(pathParam(c, "partition"))));
  return c.body(null, 204);
}

async function resetOffsets(c: Context<AppEnv>, req: z.output<typeof ResetOffsetsSchema>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  for (const t of req.topics ?? []) requireGrant(c, topicResource(validateTopicName(t)), "consume");
  if (req.topics === undefined) {
    // Every topic with committed offsets is reset, so each needs consume (as Kafka's OffsetCommit
    // needs READ on every topic it writes); name topics to reset only some.
    const { offsets } = unwrap(await coordinator(c.env, group).committed());
    for (const t of new Set(offsets.map((o) => o.topic))) requireGrant(c, topicResource(t), "consume");
  }
  return c.json(unwrap(await coordinator(c.env, group).resetOffsets(group, req)));
}

async function listGroups(c: Context<AppEnv>, query: z.output<typeof GroupListQuerySchema>): Promise<Response> {
  const { limit = LIST_PAGE_DEFAULT, after } = query;
  const names = unwrap(await cluster(c.env).listGroups())
    .filter((g) => (after === undefined || g > after) && hasGrant(c, groupResource(g), "describe"))
    .sort();
  // Only the page's coordinators are asked: a page costs `limit` calls, however many groups exist.
  const page = names.slice(0, limit);
  const groups = await Promise.all(page.map(async (g) => unwrap(await coordinator(c.env, g).summary(g))));
  return c.json({ groups, next_after: names.length > limit ? page.at(-1)! : null });
}

async function describeGroup(c: Context<AppEnv>, query: z.output<typeof GroupDescribeQuerySchema>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  const described = unwrap(await coordinator(c.env, group).describe(group, query.isolation));
  const visible = visibleTopics(c);
  const only = (a: { topic: string; partitions: number[] }[]) => a.filter((t) => visible(t.topic));
  return c.json({
    ...described,
    members: described.members.map((m) => ({
      ...m,
      topics: m.topics.filter(visible),
      assignment: only(m.assignment),
      target_assignment: only(m.target_assignment),
      owned: only(m.owned),
    })),
    partitions: described.partitions.filter((p) => visible(p.topic)),
  });
}

async function deleteGroup(c: Context<AppEnv>): Promise<Response> {
  const group = groupParam(pathParam(c, "group"));
  unwrap(await coordinator(c.env, group).deleteGroup(group));
  return c.body(null, 204);
}
