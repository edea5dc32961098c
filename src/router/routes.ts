// The route table: every route the Worker serves, in registration order. app.ts mounts it, the
// OpenAPI document is rendered from it, and docs may render their route table from it as data
// (method, path, summary, permission via describePermission).

import { z } from "zod";
import { authSettings } from "./auth.js";
import { streamRoutes } from "./durable-streams.js";
import { electionRoutes } from "./elections.js";
import { connectorRoutes } from "./connectors.js";
import { fetchRoutes } from "./fetch.js";
import { groupRoutes } from "./groups.js";
import { metricsRoutes } from "./metrics.js";
import { mirrorRoutes } from "./mirrors.js";
import { openApiDocument } from "./openapi.js";
import { PUBLIC } from "./permissions.js";
import { produceRoutes } from "./produce.js";
import { producerRoutes } from "./producer-ids.js";
import { registryRoutes } from "./registry.js";
import { route, type Route } from "./route.js";
import { saslRoutes } from "./sasl.js";
import { tokenRoutes } from "./tokens.js";
import { transactionRoutes } from "./transactions.js";
import { topicRoutes } from "./topics.js";

let doc: Record<string, unknown> | undefined;

const metaRoutes: Route[] = [
  route({
    method: "GET",
    path: "/healthz",
    summary: "Liveness check; reports whether authentication is required or off",
    permission: PUBLIC,
    ok: { status: 200, schema: z.object({ ok: z.boolean(), auth: z.enum(["required", "off"]) }) },
    handler: (c) => c.json({ ok: true, auth: authSettings(c.env).mode }),
  }),
  route({
    method: "GET",
    path: "/v1/openapi.json",
    summary: "This document",
    permission: PUBLIC,
    ok: { status: 200 },
    handler: (c) => c.json((doc ??= openApiDocument(ROUTES))),
  }),
];

export const ROUTES: readonly Route[] = [
  ...metaRoutes,
  ...metricsRoutes,
  ...topicRoutes,
  ...electionRoutes,
  ...produceRoutes,
  ...producerRoutes,
  ...fetchRoutes,
  ...groupRoutes,
  ...transactionRoutes,
  ...streamRoutes,
  ...tokenRoutes,
  ...saslRoutes,
  ...mirrorRoutes,
  ...registryRoutes,
  ...connectorRoutes,
];
