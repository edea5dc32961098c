// Creating or replacing a connector (POST /v1/connectors, PUT …/config): its config validated
// against the deployment, its own token minted with exactly the grants the config needs (each held
// by its creator), the record stored in its object and listed in the controller's directory.

import type { Context } from "hono";
import {
  connectorResource,
  groupResource,
  topicResource,
  transactionalIdResource,
  type Grant,
} from "../auth/grants.js";
import { mintToken } from "../auth/token-format.js";
import type { RawConfig } from "../connect/config.js";
import {
  connectorTopics,
  sinkGroup,
  taskTransactionalId,
  validateConnector,
  type ValidatedConnector,
} from "../connect/connector-config.js";
import { deploymentFacts } from "../connect/runtime/facts.js";
import type { StoredConnector } from "../contracts/connector.js";
import type { Env } from "../env.js";
import { connectorObject } from "../objects.js";
import type { ConnectorInfo } from "../protocol/connect-api.js";
import { CONNECTOR_NAME_PATTERN } from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { authSettings, principalOf, requireGrant } from "./auth.js";
import { cluster } from "./objects.js";
import { pathParam } from "./params.js";

/** What the API shows of a connector: never its token, secrets hidden. */
export function info(s: StoredConnector): ConnectorInfo {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.config)) config[k] = /secret|password/i.test(k) ? "[hidden]" : v;
  return {
    name: s.name,
    config,
    tasks: Array.from({ length: s.tasks }, (_, task) => ({ connector: s.name, task })),
    type: s.type,
  };
}

export function validated(env: Env, config: RawConfig): ValidatedConnector {
  const v = validateConnector(config, deploymentFacts(env));
  if (v.connector) return v.connector;
  const lines = Object.entries(v.errors).flatMap(([k, list]) => list.map((m) => `${k}: ${m}`));
  throw new EdgelogError(
    "INVALID_CONFIG",
    `Connector configuration is invalid and contains the following ${lines.length} error(s):\n${lines.join("\n")}`,
    { configs: Object.entries(v.errors).map(([name, errors]) => ({ name, errors })) },
  );
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
  if (v.errors.dlqExactlyOnce) {
    // Each task's DLQ records and offset commits share a transaction of its own transactional id.
    for (let task = 0; task < (v.values["tasks.max"] as number); task++) {
      const tid = taskTransactionalId(v.name, task);
      requireGrant(c, transactionalIdResource(tid), "write");
      grants.push({ kind: "transactional-id", pattern: tid, operations: ["write"] });
    }
  }
  if (v.exactlyOnce) {
    // KIP-618: the task's transactions, and its source offset committed in them as group connect-<name>'s
    // offset on its topic (a transactional offset commit needs consume on the group and the topic).
    const tid = taskTransactionalId(v.name);
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

export async function saveConnector(
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
  const saved = await connectorObject(c.env, name).save(record, mode === "create");
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

export async function putConfig(c: Context<AppEnv>, { body }: { body: RawConfig }): Promise<Response> {
  const { created, ...reply } = await saveConnector(c, pathParam(c, "connector"), body, "upsert");
  return c.json(reply, created ? 201 : 200);
}
