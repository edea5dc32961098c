// Connector routes, Kafka Connect's REST API under /v1/connectors: create, list, describe, config,
// status, pause/resume/stop, restart, delete, topics, KIP-875 offsets, and an http-source's webhook.
// A connector acts with a token of its own: its creator's grants narrowed to its topics.

import type { Context } from "hono";
import { z } from "zod";
import {
  connectorResource,
  groupResource,
  topicResource,
  transactionalIdResource,
  type Grant,
} from "../auth/grants.js";
import { mintToken } from "../auth/token-format.js";
import {
  sinkGroup,
  sourceTransactionalId,
  validateConnector,
  connectorTopics,
  type ValidatedConnector,
} from "../connect/connector-config.js";
import type { RawConfig } from "../connect/config.js";
import type { SourceOffset, StoredConnector, TargetState } from "../contracts/connector.js";
import { deploymentFacts } from "../connect/runtime/facts.js";
import type { Env } from "../env.js";
import {
  ConnectorConfigSchema,
  ConnectorInfoSchema,
  ConnectorOffsetsSchema,
  ConnectorStatusSchema,
  ConnectorTopicsSchema,
  CreateConnectorSchema,
  IngestReplySchema,
  MessageSchema,
  TaskStatusSchema,
  type ConnectorInfo,
} from "../protocol/connect-api.js";
import { CONNECTOR_NAME_PATTERN } from "../protocol/constants.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { authSettings, hasGrant, optionalPrincipal, principalOf, requireGrant } from "./auth.js";
import { readBody } from "./body.js";
import { connectorObject, coordinatorObject } from "../objects.js";
import { cluster } from "./objects.js";
import { pathParam } from "./params.js";
import { inHandler, onConnector, signed } from "./permissions.js";
import { route, type Route } from "./route.js";
import { pluginRoutes } from "./connector-plugins.js";

/** The largest webhook body an http-source takes. */
const INGEST_MAX_BYTES = 4 * 1024 * 1024;

const stub = (env: Env, name: string) => connectorObject(env, name);

const RestartQuerySchema = z.object({
  includeTasks: z.enum(["true", "false"]).default("false"),
  onlyFailed: z.enum(["true", "false"]).default("false"),
});
const ListQuerySchema = z.object({ expand: z.union([z.string(), z.array(z.string())]).optional() });

export const connectorRoutes: Route[] = [
  route({
    method: "GET",
    path: "/v1/connectors",
    summary: "List connectors (names; ?expand=status and/or ?expand=info for a map with each one's status and info)",
    permission: inHandler("lists the connectors the token may describe"),
    query: ListQuerySchema,
    ok: { status: 200 },
    handler: (c, { query }) => listConnectors(c, query.expand),
  }),
  route({
    method: "POST",
    path: "/v1/connectors",
    summary:
      "Create a connector ({name, config}); 400 with each invalid key's errors. Needs admin on connector:<name> and what its token will carry (consume on a sink's topics and group connect-<name>, produce on its DLQ or a source's topic)",
    permission: inHandler("admin on connector:<name>, plus the grants its token carries"),
    body: CreateConnectorSchema,
    ok: { status: 201, schema: ConnectorInfoSchema },
    handler: async (c, { body }) => c.json(await saveConnector(c, body.name, body.config, "create"), 201),
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector",
    summary: "A connector's config, tasks and type",
    permission: onConnector("describe"),
    ok: { status: 200, schema: ConnectorInfoSchema },
    handler: async (c) => c.json(info(await stored(c))),
  }),
  route({
    method: "DELETE",
    path: "/v1/connectors/:connector",
    summary: "Stop and delete a connector, revoking its token (a sink's group offsets stay, as in Kafka)",
    permission: onConnector("admin"),
    ok: { status: 204 },
    handler: deleteConnector,
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector/config",
    summary: "A connector's config (secrets hidden)",
    permission: onConnector("describe"),
    ok: { status: 200, schema: z.record(z.string(), z.string()) },
    handler: async (c) => c.json(info(await stored(c)).config),
  }),
  route({
    method: "PUT",
    path: "/v1/connectors/:connector/config",
    summary: "Create a connector with this config, or replace an existing one's (its tasks restart with it)",
    permission: onConnector("admin"),
    body: ConnectorConfigSchema,
    ok: { status: 200, schema: ConnectorInfoSchema },
    handler: putConfig,
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector/status",
    summary: "Connector and task states (RUNNING, PAUSED, STOPPED, FAILED with its trace, UNASSIGNED)",
    permission: onConnector("describe"),
    ok: { status: 200, schema: ConnectorStatusSchema },
    handler: async (c) => c.json(unwrap(await stub(c.env, pathParam(c, "connector")).status())),
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector/tasks",
    summary: "The connector's tasks and their configs",
    permission: onConnector("describe"),
    ok: { status: 200 },
    handler: listTasks,
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector/tasks/:task/status",
    summary: "One task's state",
    permission: onConnector("describe"),
    ok: { status: 200, schema: TaskStatusSchema },
    handler: taskStatus,
  }),
  route({
    method: "POST",
    path: "/v1/connectors/:connector/restart",
    summary: "Restart the connector; ?includeTasks=true restarts its tasks too (?onlyFailed=true: the failed ones)",
    permission: onConnector("admin"),
    query: RestartQuerySchema,
    ok: { status: 202, schema: ConnectorStatusSchema },
    handler: async (c, { query }) => {
      const s = unwrap(
        await stub(c.env, pathParam(c, "connector")).restart(
          query.includeTasks === "true",
          query.onlyFailed === "true",
        ),
      );
      return c.json(s, 202);
    },
  }),
  route({
    method: "POST",
    path: "/v1/connectors/:connector/tasks/:task/restart",
    summary: "Restart one task (a FAILED one runs again from its last committed offsets)",
    permission: onConnector("admin"),
    ok: { status: 204 },
    handler: async (c) => {
      unwrap(await stub(c.env, pathParam(c, "connector")).restartTask(taskParam(c)));
      return c.body(null, 204);
    },
  }),
  route({
    method: "PUT",
    path: "/v1/connectors/:connector/pause",
    summary: "Pause: tasks keep their partitions but stop consuming (a source's webhook answers 503)",
    permission: onConnector("admin"),
    ok: { status: 202 },
    handler: (c) => setTarget(c, "PAUSED", 202),
  }),
  route({
    method: "PUT",
    path: "/v1/connectors/:connector/resume",
    summary: "Resume a paused or stopped connector",
    permission: onConnector("admin"),
    ok: { status: 202 },
    handler: (c) => setTarget(c, "STARTED", 202),
  }),
  route({
    method: "PUT",
    path: "/v1/connectors/:connector/stop",
    summary: "Stop (KIP-875): tasks shut down, committing and leaving the group; offsets can then be changed",
    permission: onConnector("admin"),
    ok: { status: 204 },
    handler: (c) => setTarget(c, "STOPPED", 204),
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector/topics",
    summary: "The topics the connector reads and writes (its configured topics and DLQ)",
    permission: onConnector("describe"),
    ok: { status: 200, schema: ConnectorTopicsSchema },
    handler: async (c) => {
      const s = await stored(c);
      const t = connectorTopics(validated(c.env, s.config));
      return c.json({ [s.name]: { topics: [...new Set([...t.consume, ...t.produce])] } });
    },
  }),
  route({
    method: "GET",
    path: "/v1/connectors/:connector/offsets",
    summary:
      "Offsets (KIP-875): a sink's committed group offsets ({kafka_topic, kafka_partition} → {kafka_offset}), a source's source offsets",
    permission: onConnector("describe"),
    ok: { status: 200, schema: ConnectorOffsetsSchema },
    handler: getOffsets,
  }),
  route({
    method: "PATCH",
    path: "/v1/connectors/:connector/offsets",
    summary: "Alter a STOPPED connector's offsets (KIP-875)",
    permission: onConnector("admin"),
    body: ConnectorOffsetsSchema,
    ok: { status: 200, schema: MessageSchema },
    handler: (c, { body }) => changeOffsets(c, body.offsets),
  }),
  route({
    method: "DELETE",
    path: "/v1/connectors/:connector/offsets",
    summary: "Reset a STOPPED connector's offsets (KIP-875): a sink starts over from its topics' beginning",
    permission: onConnector("admin"),
    ok: { status: 200, schema: MessageSchema },
    handler: (c) => changeOffsets(c, null),
  }),
  route({
    method: "POST",
    path: "/v1/connectors/:connector/ingest",
    summary:
      "An http-source's webhook: the body (JSON, JSON lines or text) becomes records; signed with the connector's hmac.secret, or sent with a token that may produce to its topic",
    permission: signed("the connector's HMAC signature, or produce on its topic"),
    documents: { body: z.unknown().describe("the webhook's body: JSON, a JSON array, JSON lines or text") },
    ok: { status: 200, schema: IngestReplySchema },
    handler: ingest,
  }),
  ...pluginRoutes,
];

async function stored(c: Context<AppEnv>): Promise<StoredConnector> {
  return unwrap(await stub(c.env, pathParam(c, "connector")).describe());
}

/** What the API shows of a connector: never its token, secrets hidden. */
function info(s: StoredConnector): ConnectorInfo {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.config)) config[k] = /secret|password/i.test(k) ? "[hidden]" : v;
  return {
    name: s.name,
    config,
    tasks: Array.from({ length: s.tasks }, (_, task) => ({ connector: s.name, task })),
    type: s.type,
  };
}

function validated(env: Env, config: RawConfig): ValidatedConnector {
  const v = validateConnector(config, deploymentFacts(env));
  if (v.connector) return v.connector;
  const lines = Object.entries(v.errors).flatMap(([k, list]) => list.map((m) => `${k}: ${m}`));
  throw new EdgelogError(
    "INVALID_CONFIG",
    `Connector configuration is invalid and contains the following ${lines.length} error(s):\n${lines.join("\n")}`,
    { configs: Object.entries(v.errors).map(([name, errors]) => ({ name, errors })) },
  );
}

function taskParam(c: Context<AppEnv>): number {
  const raw = pathParam(c, "task");
  if (!/^\d{1,3}$/.test(raw))
    throw new EdgelogError("UNKNOWN_CONNECTOR_TASK", `task ids are integers, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * The grants a connector's token carries: exactly what its config needs, each checked against the
 * caller's own (the token is the intersection of the creator's grants and the connector's topics).
 */
function tokenGrants(c: Context<AppEnv>, v: ValidatedConnector): Grant[] {
  const t = connectorTopics(v);
  const grants: Grant[] = [];
  for (const topic of t.consume) {
    requireGrant(c, topicResource(topic), "consume");
    grants.push({ kind: "topic", pattern: topic, operations: ["consume"] });
  }
  if (v.plugin.type === "sink") {
    requireGrant(c, groupResource(sinkGroup(v.name)), "consume");
    grants.push({ kind: "group", pattern: sinkGroup(v.name), operations: ["consume"] });
  }
  for (const topic of t.produce) {
    requireGrant(c, topicResource(topic), "produce");
    grants.push({ kind: "topic", pattern: topic, operations: ["produce"] });
  }
  if (v.exactlyOnce) {
    // KIP-618: the task's transactions, and its source offset committed in them as group connect-<name>'s
    // offset on its topic (a transactional offset commit needs consume on the group and the topic).
    const tid = sourceTransactionalId(v.name);
    const topic = String(v.values.topic);
    requireGrant(c, transactionalIdResource(tid), "write");
    requireGrant(c, groupResource(sinkGroup(v.name)), "consume");
    requireGrant(c, topicResource(topic), "consume");
    grants.push(
      { kind: "transactional-id", pattern: tid, operations: ["write"] },
      { kind: "group", pattern: sinkGroup(v.name), operations: ["consume"] },
      { kind: "topic", pattern: topic, operations: ["consume"] },
    );
  }
  return grants;
}

async function mintConnectorToken(c: Context<AppEnv>, name: string, grants: Grant[]) {
  const creator = principalOf(c);
  const minted = await mintToken();
  const created = await cluster(c.env).createToken({
    id: minted.id,
    name: `connector:${name}`,
    secret_hash: minted.secretHash,
    grants: grants.map((g) => ({ resource: `${g.kind}:${g.pattern}`, operations: [...g.operations] })),
    quotas: creator.quotas,
    expires_at: creator.expiresAt,
    created_at: Date.now(),
    created_by: creator.id,
  });
  unwrap(created);
  return minted;
}

async function saveConnector(
  c: Context<AppEnv>,
  name: string,
  config: RawConfig,
  mode: "create" | "upsert",
): Promise<ConnectorInfo & { created: boolean }> {
  if (!CONNECTOR_NAME_PATTERN.test(name))
    throw new EdgelogError(
      "INVALID_CONFIG",
      `connector name ${JSON.stringify(name)}: use 1-200 characters of [a-zA-Z0-9._-]`,
    );
  if (config.name !== undefined && config.name !== name)
    throw new EdgelogError(
      "INVALID_CONFIG",
      `the config's name ${JSON.stringify(config.name)} differs from the connector's ${JSON.stringify(name)}`,
    );
  requireGrant(c, connectorResource(name), "admin");
  const full = { ...config, name };
  const v = validated(c.env, full);
  const grants = tokenGrants(c, v);
  const authOn = authSettings(c.env).mode !== "off";
  const minted = authOn ? await mintConnectorToken(c, name, grants) : null;
  const record: StoredConnector = {
    name,
    id: crypto.randomUUID(),
    type: v.plugin.type,
    config: full,
    token: minted?.token ?? null,
    token_id: minted?.id ?? null,
    target: "STARTED",
    tasks: v.plugin.type === "sink" ? (v.values["tasks.max"] as number) : 1,
    created_at: Date.now(),
  };
  const saved = await stub(c.env, name).save(record, mode === "create");
  if (!saved.ok) {
    if (minted) unwrap(await cluster(c.env).deleteToken(minted.id));
    unwrap(saved);
  }
  const previous = saved.ok ? saved.value : null;
  // The replaced config's token goes: the connector now acts with the one just minted.
  if (previous?.token_id) unwrap(await cluster(c.env).deleteToken(previous.token_id));
  const listed = await cluster(c.env).putConnector({
    name,
    class: v.plugin.class,
    queue: v.plugin.class === "queues-source" ? String(v.values["queue.name"]) : null,
    created_at: previous?.created_at ?? record.created_at,
  });
  unwrap(listed);
  return { ...info(record), created: previous === null };
}

async function putConfig(c: Context<AppEnv>, { body }: { body: RawConfig }): Promise<Response> {
  const { created, ...reply } = await saveConnector(c, pathParam(c, "connector"), body, "upsert");
  return c.json(reply, created ? 201 : 200);
}

async function listConnectors(c: Context<AppEnv>, expand: string | string[] | undefined): Promise<Response> {
  const entries = unwrap(await cluster(c.env).listConnectors()).filter((e) =>
    hasGrant(c, connectorResource(e.name), "describe"),
  );
  const names = entries.map((e) => e.name).sort();
  const want = new Set(expand === undefined ? [] : Array.isArray(expand) ? expand : [expand]);
  if (want.size === 0) return c.json(names);
  const out: Record<string, Record<string, unknown>> = {};
  await Promise.all(
    names.map(async (name) => {
      const entry: Record<string, unknown> = {};
      if (want.has("status")) {
        const s = await stub(c.env, name).status();
        if (s.ok) entry.status = s.value;
      }
      if (want.has("info")) {
        const d = await stub(c.env, name).describe();
        if (d.ok) entry.info = info(d.value);
      }
      out[name] = entry;
    }),
  );
  return c.json(out);
}

async function deleteConnector(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "connector");
  const gone = unwrap(await stub(c.env, name).destroy());
  if (gone.token_id) unwrap(await cluster(c.env).deleteToken(gone.token_id));
  unwrap(await cluster(c.env).forgetConnector(name));
  return c.body(null, 204);
}

async function listTasks(c: Context<AppEnv>): Promise<Response> {
  const s = info(await stored(c));
  return c.json(
    s.tasks.map((id) => ({ id, config: { ...s.config, "task.class": s.config["connector.class"] ?? "" } })),
  );
}

async function taskStatus(c: Context<AppEnv>): Promise<Response> {
  const task = taskParam(c);
  const s = unwrap(await stub(c.env, pathParam(c, "connector")).status());
  const t = s.tasks.find((x) => x.id === task);
  if (!t) throw new EdgelogError("UNKNOWN_CONNECTOR_TASK", `connector ${s.name} has no task ${task}`);
  return c.json(t);
}

async function setTarget(c: Context<AppEnv>, target: TargetState, status: 202 | 204): Promise<Response> {
  unwrap(await stub(c.env, pathParam(c, "connector")).setTarget(target));
  return status === 204 ? c.body(null, 204) : c.body(null, 202);
}

const coordinator = (env: Env, group: string) => coordinatorObject(env, group);

async function getOffsets(c: Context<AppEnv>): Promise<Response> {
  const s = await stored(c);
  if (s.type === "source") return c.json({ offsets: unwrap(await stub(c.env, s.name).sourceOffsets()) });
  const { offsets } = unwrap(await coordinator(c.env, sinkGroup(s.name)).committed());
  return c.json({
    offsets: offsets.map((o) => ({
      partition: { kafka_topic: o.topic, kafka_partition: o.partition },
      offset: { kafka_offset: o.offset },
    })),
  });
}

async function changeOffsets(c: Context<AppEnv>, entries: SourceOffset[] | null): Promise<Response> {
  const s = await stored(c);
  if (s.target !== "STOPPED")
    throw new EdgelogError(
      "CONNECTOR_NOT_STOPPED",
      `connector ${s.name} must be in the STOPPED state to change its offsets`,
    );
  if (s.type === "source") {
    unwrap(await stub(c.env, s.name).changeSourceOffsets(entries));
  } else {
    const group = sinkGroup(s.name);
    if (entries === null) {
      const r = (await coordinator(c.env, group).deleteGroup(group)) as Result<null>;
      if (!r.ok && r.error.code !== "GROUP_ID_NOT_FOUND") unwrap(r);
    } else {
      unwrap(await coordinator(c.env, group).commit(group, { member_id: null, offsets: sinkOffsets(entries) }));
    }
  }
  const verb = entries === null ? "reset" : "altered";
  return c.json({ message: `The offsets for this connector have been ${verb} successfully` });
}

function sinkOffsets(entries: SourceOffset[]) {
  return entries.map((e, i) => {
    const topic = e.partition.kafka_topic;
    const partition = e.partition.kafka_partition;
    const offset = e.offset?.kafka_offset;
    if (typeof topic !== "string" || !Number.isInteger(partition))
      throw new EdgelogError(
        "INVALID_REQUEST",
        `offsets[${i}].partition: give {"kafka_topic": "...", "kafka_partition": N}`,
      );
    if (!Number.isInteger(offset) || (offset as number) < 0)
      throw new EdgelogError(
        "INVALID_REQUEST",
        `offsets[${i}].offset: give {"kafka_offset": N}; to reset partitions, reset all with DELETE /v1/connectors/<name>/offsets`,
      );
    return { topic, partition: partition as number, offset: offset as number };
  });
}

async function ingest(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "connector");
  const principal = optionalPrincipal(c);
  const body = await readBody(c, INGEST_MAX_BYTES);
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((v, k) => {
    if (k !== "authorization") headers[k] = v;
  });
  const written = unwrap(
    await stub(c.env, name).ingest(
      { body, headers },
      { grants: principal ? [...principal.grants] : null, name: principal?.name ?? "" },
    ),
  );
  return c.json(written);
}
