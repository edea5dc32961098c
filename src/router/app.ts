// The Worker's Hono app: routes by resource, one error renderer.

import { Hono } from "hono";
import { EdgelogError } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { errorResponse } from "./errors.js";
import { fetchRoutes } from "./fetch.js";
import { liveRoutes } from "./live.js";
import { groupRoutes } from "./groups.js";
import { openApiDocument } from "./openapi.js";
import { produceRoutes } from "./produce.js";
import { producerRoutes } from "./producers.js";
import { topicRoutes } from "./topics.js";

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ ok: true }));
  let doc: Record<string, unknown> | undefined;
  app.get("/v1/openapi.json", (c) => c.json((doc ??= openApiDocument())));
  app.route("/", topicRoutes);
  app.route("/", produceRoutes);
  app.route("/", producerRoutes);
  app.route("/", liveRoutes);
  app.route("/", fetchRoutes);
  app.route("/", groupRoutes);
  app.notFound((c) => errorResponse(c, new EdgelogError("ROUTE_NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
