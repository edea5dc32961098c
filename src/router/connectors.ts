// Connector routes, Kafka Connect's REST API under /v1/connectors: create, list, describe, config,
// status, pause/resume/stop, restart, delete, topics, KIP-875 offsets, and an http-source's webhook.
// The route table only: creating and replacing a connector (its token) is connector-save.ts, the
// other handlers connector-handlers.ts.

import { z } from "zod";
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
} from "../protocol/connect-api.js";
import {
  changeOffsets,
  connectorStatus,
  connectorTopicsReply,
  deleteConnector,
  describeConnector,
  getConfig,
  getOffsets,
  ingest,
  listConnectors,
  listTasks,
  restartConnector,
  restartTask,
  setTarget,
  taskStatus,
} from "./connector-handlers.js";
import { pluginRoutes } from "./connector-plugins.js";
import { putConfig, saveConnector } from "./connector-save.js";
import { inHandler, onConnector, signed } from "./permissions.js";
import { route, type Route } from "./route.js";

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
    handler: describeConnector,
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
    handler: getConfig,
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
    handler: connectorStatus,
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
    handler: (c, { query }) => restartConnector(c, query.includeTasks === "true", query.onlyFailed === "true"),
  }),
  route({
    method: "POST",
    path: "/v1/connectors/:connector/tasks/:task/restart",
    summary: "Restart one task (a FAILED one runs again from its last committed offsets)",
    permission: onConnector("admin"),
    ok: { status: 204 },
    handler: restartTask,
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
    handler: connectorTopicsReply,
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
