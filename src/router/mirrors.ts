// Mirror routes: copy a topic from another edgelog deployment into a local one (MirrorMaker-style).

import type { Context } from "hono";
import type { Env } from "../env.js";
import { parseSourceUrl, SourceClient, type SourceTopic } from "../mirror/source.js";
import {
  CreateMirrorSchema,
  MirrorListSchema,
  MirrorSchema,
  type CreateMirrorRequest,
  type MirrorView,
} from "../protocol/api.js";
import { TOPIC_NAME_PATTERN } from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { TopicConfig } from "../protocol/topic-config.js";
import type { Topic } from "../protocol/topic.js";
import { STREAM_TOPIC_PREFIX } from "../durable-streams/protocol.js";
import type { AppEnv } from "./app-env.js";
import { topicResource } from "../auth/grants.js";
import { hasGrant, requireGrant } from "./auth.js";
import { cluster, topics } from "./objects.js";
import { pathParam } from "./params.js";
import { onCluster } from "./permissions.js";
import { route, type Route } from "./route.js";
import type { MirrorConfig } from "../contracts/mirror.js";
import { mirrorObject } from "../objects.js";

// Mirrors copy from another deployment with a token of their own: managing them is cluster admin.
export const mirrorRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/mirrors",
    summary:
      "Mirror a topic from another edgelog deployment into a local one (created with the source's partition count if missing)",
    permission: onCluster("admin"),
    body: CreateMirrorSchema,
    ok: { status: 201, schema: MirrorSchema },
    handler: (c, { body }) => createMirror(c, body),
  }),
  route({
    method: "GET",
    path: "/v1/mirrors",
    summary: "List mirrors with their progress and lag",
    permission: onCluster("describe"),
    ok: { status: 200, schema: MirrorListSchema },
    handler: listMirrors,
  }),
  route({
    method: "GET",
    path: "/v1/mirrors/:mirror",
    summary: "A mirror: config (never its token), progress, lag and last error per partition",
    permission: onCluster("describe"),
    ok: { status: 200, schema: MirrorSchema },
    handler: describeMirror,
  }),
  route({
    method: "DELETE",
    path: "/v1/mirrors/:mirror",
    summary: "Stop and remove a mirror; the records copied stay",
    permission: onCluster("admin"),
    ok: { status: 204 },
    handler: deleteMirror,
  }),
];

/** Source settings an auto-created local topic takes over, so it keeps what the source keeps. */
const COPIED_CONFIG = [
  "cleanup.policy",
  "retention.ms",
  "retention.bytes",
  "max.message.bytes",
  "delete.retention.ms",
] as const;

const mirrorStub = (env: Env, name: string) => mirrorObject(env, name);

async function createMirror(c: Context<AppEnv>, input: CreateMirrorRequest): Promise<Response> {
  const url = parseSourceUrl(input.source.url);
  const local = input.topic ?? input.source.topic;
  if (!TOPIC_NAME_PATTERN.test(local) || local === "." || local === "..") {
    throw new EdgelogError("INVALID_TOPIC_EXCEPTION", `local topic name ${JSON.stringify(local)} is invalid`);
  }
  if (local.startsWith(STREAM_TOPIC_PREFIX)) {
    throw new EdgelogError(
      "POLICY_VIOLATION",
      `topics starting with "${STREAM_TOPIC_PREFIX}" hold Durable Streams; mirror into another topic`,
    );
  }
  // Fail fast on a taken name; registering below is what settles a race.
  if ((await cluster(c.env).getMirror(input.name)).ok) {
    throw new EdgelogError("MIRROR_ALREADY_EXISTS", `mirror ${input.name} already exists`);
  }
  // The mirror writes into the local topic on the creator's behalf, so cluster admin is not enough:
  // produce on an existing topic, admin on a new one (as POST /v1/topics). Checked before the
  // source is contacted, so a caller who may not mirror here cannot make this deployment fetch anything.
  const exists = await topicExists(c.env, local);
  requireGrant(c, topicResource(local), exists ? "produce" : "admin");
  const src = await describeSource(new SourceClient({ url, token: input.source.token }), input.source.topic);
  const topic = await localTopic(c.env, local, src, () => requireGrant(c, topicResource(local), "admin"));
  const entry = unwrap(
    await cluster(c.env).registerMirror({ name: input.name, id: crypto.randomUUID(), created_at: Date.now() }),
  );
  const cfg: MirrorConfig = {
    ...entry,
    source: { url, topic: input.source.topic, token: input.source.token },
    topic: topic.name,
    partitions: src.partitions,
    // Following the source's new partitions alters the local topic, which needs admin on it.
    add_partitions: hasGrant(c, topicResource(topic.name), "admin"),
  };
  return c.json(unwrap(await mirrorStub(c.env, input.name).start(cfg)), 201);
}

async function listMirrors(c: Context<AppEnv>): Promise<Response> {
  const entries = unwrap(await cluster(c.env).listMirrors());
  const views = await Promise.all(
    entries.map(async (e) => {
      const r = await mirrorStub(c.env, e.name).status();
      return r.ok ? r.value : null; // deleted meanwhile
    }),
  );
  return c.json({ mirrors: views.filter((v): v is MirrorView => v !== null) });
}

async function describeMirror(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "mirror");
  unwrap(await cluster(c.env).getMirror(name));
  return c.json(unwrap(await mirrorStub(c.env, name).status()));
}

async function deleteMirror(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "mirror");
  unwrap(await cluster(c.env).forgetMirror(name));
  unwrap(await mirrorStub(c.env, name).stop());
  return c.body(null, 204);
}

async function topicExists(env: Env, name: string): Promise<boolean> {
  try {
    await topics.get(env, name, true);
    return true;
  } catch (e) {
    if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") return false;
    throw e;
  }
}

/**
 * The source topic, or a 4xx saying why it cannot be mirrored. The source's own auth and
 * availability failures become INVALID_CONFIG: passed on as 401 or 503 they would read as this
 * deployment refusing the caller, or being down.
 */
async function describeSource(source: SourceClient, topic: string): Promise<SourceTopic> {
  try {
    return await source.describeTopic(topic);
  } catch (e) {
    if (!(e instanceof EdgelogError)) throw e;
    if (e.code === "UNKNOWN_TOPIC_OR_PARTITION") {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `source topic ${topic} does not exist at ${source.url}`);
    }
    throw new EdgelogError("INVALID_CONFIG", `cannot mirror ${topic} from ${source.url}: ${e.message}`);
  }
}

/**
 * The local topic to copy into. Like Kafka's MirrorMaker 2, a missing one is created with the
 * source's partition count and retention settings (CreateTime, so the source's timestamps stay).
 * An existing one must have at least the source's partitions (records keep their partition) and
 * keep producers' timestamps.
 */
async function localTopic(env: Env, name: string, src: SourceTopic, mayCreate: () => void): Promise<Topic> {
  let topic: Topic;
  try {
    topic = await topics.get(env, name, true);
  } catch (e) {
    if (!(e instanceof EdgelogError) || e.code !== "UNKNOWN_TOPIC_OR_PARTITION") throw e;
    mayCreate(); // deleted since the caller's grants were checked against an existing topic
    const config: Partial<Record<keyof TopicConfig, unknown>> = { "message.timestamp.type": "CreateTime" };
    for (const key of COPIED_CONFIG) if (src.config[key] !== undefined) config[key] = src.config[key];
    const created = await cluster(env).createTopic({ name, partitions: src.partitions, config });
    // Created meanwhile by someone else: use theirs.
    topic =
      !created.ok && created.error.code === "TOPIC_ALREADY_EXISTS"
        ? await topics.get(env, name, true)
        : unwrap(created);
    topics.remember(topic);
  }
  if (topic.id === src.id) {
    throw new EdgelogError(
      "POLICY_VIOLATION",
      `topic ${name} is the source topic itself; a mirror must copy into another topic`,
    );
  }
  if (topic.partitions < src.partitions) {
    throw new EdgelogError(
      "INVALID_PARTITIONS",
      `local topic ${name} has ${topic.partitions} partitions but the source has ${src.partitions}; add partitions (PATCH /v1/topics/${name}) so every record keeps its partition`,
    );
  }
  if (topic.config["message.timestamp.type"] === "LogAppendTime") {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `local topic ${name} uses LogAppendTime, which would replace the source's timestamps; mirror into a CreateTime topic`,
    );
  }
  return topic;
}
