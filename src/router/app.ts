// The Worker's Hono app: CORS, the route table (each route behind its permission), one error renderer.

import { Hono } from "hono";
import { cors } from "hono/cors";
import {
  HEADER_HIGH_WATERMARK,
  HEADER_LAST_STABLE_OFFSET,
  HEADER_LOG_START_OFFSET,
  HEADER_NEXT_OFFSET,
} from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { authSettings } from "./auth.js";
import { errorResponse } from "./errors.js";
import { STREAM_ROUTE_PREFIX } from "../durable-streams/protocol.js";
import { streamHeaders } from "./durable-streams.js";
import { mount } from "./route.js";
import { ROUTES } from "./routes.js";
import { readSettings } from "../settings.js";
import { traceResponse } from "../metrics/bench-trace.js";

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
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Accept", "Last-Event-ID"],
    exposeHeaders: [
      "Retry-After",
      HEADER_HIGH_WATERMARK,
      HEADER_LAST_STABLE_OFFSET,
      HEADER_LOG_START_OFFSET,
      HEADER_NEXT_OFFSET,
    ],
    maxAge: 600,
  });
  app.use("*", (c, next) => (c.req.path.startsWith(STREAM_ROUTE_PREFIX) ? next() : apiCors(c, next)));
  app.use(`${STREAM_ROUTE_PREFIX}*`, streamHeaders);
  // Every route comes from the table, each behind its own permission check (route.ts).
  mount(app, ROUTES);
  app.notFound(
    (c) =>
      // Benchmarks only (EDGELOG_BENCH_TRACE=on): the per-hop marks, outside the API and its document.
      (readSettings(c.env).benchTrace && c.req.method === "GET" ? traceResponse(new URL(c.req.url)) : null) ??
      errorResponse(c, new EdgelogError("ROUTE_NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
