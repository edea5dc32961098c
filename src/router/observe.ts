// Each route's outermost handler: times the request, notes auth failures and throttling, and
// sends what it saw to the cluster metrics aggregate (buffered in the isolate for at most a
// second, metrics/router-meter.ts). Also W3C Trace Context: an incoming traceparent is honoured
// on the Worker's own span: its id in the traceresponse header and in the Worker's logs, and the
// caller's traceparent as an attribute of the Workers custom span the request runs in.

import { tracing } from "cloudflare:workers";
import type { Context, MiddlewareHandler } from "hono";
import { FLUSH_MS, RouterMeter } from "../metrics/router-meter.js";
import { metricsObject } from "../objects.js";
import { childSpan, parseTraceparent } from "../protocol/trace-context.js";
import type { AppEnv } from "./app-env.js";

const meter = new RouterMeter();
let flushScheduled = false;

/** Measures the route at `path` (its template, so the label stays bounded). */
export function observe(path: string, quota: string | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const t0 = Date.now();
    const parent = parseTraceparent(c.req.header("traceparent"));
    const span = parent ? childSpan(parent) : null;
    if (span) c.set("trace", span);
    await inSpan(`edgelog ${c.req.method} ${path}`, async (s) => {
      // Cloudflare's tracing cannot take a parent from the request yet: the caller's trace and
      // edgelog's span id ride on the platform span as attributes, so the two can be joined.
      s?.setAttribute("http.route", path);
      if (parent && span) {
        s?.setAttribute("w3c.traceparent", parent.header);
        s?.setAttribute("edgelog.span_id", span.spanId);
      }
      await next();
      s?.setAttribute("http.response.status_code", c.res.status);
    });
    if (span) {
      try {
        c.res.headers.set("traceresponse", span.header);
      } catch {
        // A proxied response's headers are immutable; the span id is still in the logs.
      }
    }
    const errorCode = c.get("errorCode");
    const principal = c.get("principal");
    const retryAfter = Number(c.res.headers.get("retry-after") ?? 0);
    meter.record(
      {
        method: c.req.method,
        route: path,
        status: c.res.status,
        // The clock stands still while the isolate computes: this sees the I/O the request waited on.
        ms: Date.now() - t0,
        errorCode,
        ...(errorCode === "THROTTLING_QUOTA_EXCEEDED" && principal
          ? { throttled: { token: principal.id, quota: quota ?? "unknown", seconds: retryAfter } }
          : {}),
      },
      Date.now(),
    );
    scheduleFlush(c);
  };
}

/** Runs `body` in a Workers custom span when the runtime offers them (traced only when the Worker enables tracing). */
function inSpan(name: string, body: (span: Span | undefined) => Promise<void>): Promise<void> {
  const t = tracing as Partial<Tracing> | undefined;
  return t?.enterSpan ? t.enterSpan(name, (span) => body(span)) : body(undefined);
}

/** Sends the buffered deltas within FLUSH_MS of the first, keeping the request alive for it (waitUntil). */
function scheduleFlush(c: Context<AppEnv>): void {
  if (flushScheduled) return;
  flushScheduled = true;
  const env = c.env;
  const flush = async () => {
    await scheduler.wait(FLUSH_MS);
    flushScheduled = false;
    const delta = meter.take(Date.now(), true);
    if (!delta) return;
    try {
      await metricsObject(env, "cluster").add(delta);
    } catch (e) {
      console.error("edgelog: could not add request metrics to the cluster aggregate", e);
    }
  };
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined; // an in-process call (a member host's) has no context of its own
  }
  if (ctx) ctx.waitUntil(flush());
  else void flush();
}
