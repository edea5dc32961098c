// The Worker's Hono app: CORS, authentication, routes by resource, one error renderer.

import { Hono } from "hono";
import { cors } from "hono/cors";
import { HEADER_HIGH_WATERMARK, HEADER_LOG_START_OFFSET, HEADER_NEXT_OFFSET } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { authenticate, authSettings } from "./auth.js";
import { errorResponse } from "./errors.js";
import { fetchRoutes } from "./fetch.js";
import { liveRoutes } from "./live.js";
import { groupRoutes } from "./groups.js";
import { mirrorRoutes } from "./mirrors.js";
import { openApiDocument } from "./openapi.js";
import { produceRoutes } from "./produce.js";
import { producerRoutes } from "./producer-ids.js";
import { STREAM_ROUTE_PREFIX } from "../durable-streams/protocol.js";
import { streamRoutes } from "./durable-streams.js";
import { tokenRoutes } from "./tokens.js";
import { topicRoutes } from "./topics.js";

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Before authentication, so preflights (which carry no credentials) are answered. Durable
  // Streams routes answer CORS as their protocol requires (any origin; tokens, not cookies, still
  // decide access), so the configured origins govern the rest of the API.
  const apiCors = cors({
    origin: (origin, c) => {
      const allowed = authSettings(c.env).corsOrigins;
      return allowed.includes("*") || allowed.includes(origin) ? origin : null;
    },
    allowMethods: ["GET", "HEAD", "POST", "PATCH", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Accept", "Last-Event-ID"],
    exposeHeaders: ["Retry-After", HEADER_HIGH_WATERMARK, HEADER_LOG_START_OFFSET, HEADER_NEXT_OFFSET],
    maxAge: 600,
  });
  app.use("*", (c, next) => (c.req.path.startsWith(STREAM_ROUTE_PREFIX) ? next() : apiCors(c, next)));
  app.use("*", authenticate());
  app.get("/healthz", (c) => c.json({ ok: true, auth: authSettings(c.env).mode }));
  let doc: Record<string, unknown> | undefined;
  app.get("/v1/openapi.json", (c) => c.json((doc ??= openApiDocument())));
  app.route("/", topicRoutes);
  app.route("/", produceRoutes);
  app.route("/", producerRoutes);
  app.route("/", liveRoutes);
  app.route("/", fetchRoutes);
  app.route("/", groupRoutes);
  app.route("/", streamRoutes);
  app.route("/", tokenRoutes);
  app.route("/", mirrorRoutes);
  app.notFound((c) =>
    errorResponse(c, new EdgelogError("ROUTE_NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
