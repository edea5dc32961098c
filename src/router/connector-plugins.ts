// Connector plugin routes (Kafka Connect's /connector-plugins): what can run, each plugin's config
// definition (KIP-769), and validating a config against it with per-key errors.

import { z } from "zod";
import { keyInfo } from "../connect/config.js";
import { COMMON_CONFIG, typeConfig, validateConnector } from "../connect/connector-config.js";
import { CONNECTOR_PLUGINS, connectorPlugin } from "../connect/plugins.js";
import { deploymentFacts } from "../connect/runtime/facts.js";
import { transformPluginInfos } from "../connect/transforms/chain.js";
import {
  ConfigInfosSchema,
  ConfigKeyInfoSchema,
  ConnectorConfigSchema,
  PluginInfoSchema,
} from "../protocol/connect-api.js";
import { EdgelogError } from "../protocol/errors.js";
import { pathParam } from "./params.js";
import { inHandler } from "./permissions.js";
import { route, type Route } from "./route.js";

const ANY_TOKEN = inHandler("any token");

function plugin(name: string) {
  const p = connectorPlugin(name);
  if (p) return { class: p.class, config: [...COMMON_CONFIG, ...typeConfig(p.type), ...p.config] };
  const t = transformPluginInfos().find((x) => x.class === name);
  if (t) return t;
  throw new EdgelogError("CONNECTOR_PLUGIN_NOT_FOUND", `no connector plugin ${JSON.stringify(name)}`);
}

export const pluginRoutes = [
  route({
    method: "GET",
    path: "/v1/connector-plugins",
    summary:
      "The connector plugins this deployment runs (?connectorsOnly=false adds the transformations and predicates)",
    permission: ANY_TOKEN,
    query: z.object({ connectorsOnly: z.enum(["true", "false"]).default("true") }),
    ok: { status: 200, schema: z.array(PluginInfoSchema) },
    handler: (c, { query }) => {
      const connectors = CONNECTOR_PLUGINS.map((p) => ({ class: p.class, type: p.type, version: p.version }));
      if (query.connectorsOnly === "true") return c.json(connectors);
      return c.json([...connectors, ...transformPluginInfos().map((t) => ({ class: t.class, type: t.type }))]);
    },
  }),
  route({
    method: "GET",
    path: "/v1/connector-plugins/:plugin/config",
    summary: "A plugin's config definition (KIP-769): every key with its type, default, importance and documentation",
    permission: ANY_TOKEN,
    ok: { status: 200, schema: z.array(ConfigKeyInfoSchema) },
    handler: (c) => c.json(plugin(pathParam(c, "plugin")).config.map((k, i) => keyInfo(k, i + 1))),
  }),
  route({
    method: "PUT",
    path: "/v1/connector-plugins/:plugin/config/validate",
    summary: "Validate a config for a plugin: every key's value and errors (Kafka's ConfigInfos); nothing is created",
    permission: ANY_TOKEN,
    body: ConnectorConfigSchema,
    ok: { status: 200, schema: ConfigInfosSchema },
    handler: (c, { body }) => {
      const name = pathParam(c, "plugin");
      if (!connectorPlugin(name))
        throw new EdgelogError("CONNECTOR_PLUGIN_NOT_FOUND", `no connector plugin ${JSON.stringify(name)}`);
      return c.json(
        validateConnector({ ...body, "connector.class": body["connector.class"] ?? name }, deploymentFacts(c.env), name)
          .infos,
      );
    },
  }),
] as Route[];
