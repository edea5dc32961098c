// Turns anything thrown while serving a request into an EdgelogError, answered as the one error
// reply (protocol/error-reply.ts).

import type { Context } from "hono";
import { ZodError } from "zod";
import { errorReply } from "../protocol/error-reply.js";
import { EdgelogError } from "../protocol/errors.js";
import { REGISTRY_PREFIX } from "../protocol/registry-api.js";
import type { AppEnv } from "./app-env.js";

/** Maps a thrown value to an EdgelogError: ours as is, platform faults to retriable codes. */
export function toEdgelogError(err: unknown): EdgelogError {
  if (err instanceof EdgelogError) return err;
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return new EdgelogError("INVALID_REQUEST", `${where}${issue?.message ?? "invalid request"}`);
  }
  // Durable Object faults carry these flags (https://developers.cloudflare.com/durable-objects/best-practices/error-handling/).
  const flags = err as { overloaded?: boolean; retryable?: boolean; message?: string };
  if (flags && typeof flags === "object") {
    // Their replies carry Retry-After: the error table's retryAfter for LEADER_NOT_AVAILABLE.
    if (flags.overloaded)
      return new EdgelogError("LEADER_NOT_AVAILABLE", "the object serving this is overloaded; retry shortly");
    if (flags.retryable)
      return new EdgelogError("LEADER_NOT_AVAILABLE", "the object serving this is briefly unavailable; retry shortly");
  }
  return new EdgelogError("UNKNOWN_SERVER_ERROR", "internal error");
}

export function errorResponse(c: Context<AppEnv>, err: unknown): Response {
  const e = toEdgelogError(err);
  c.set("errorCode", e.code);
  if (e.code === "UNKNOWN_SERVER_ERROR") {
    const trace = c.get("trace");
    console.error(`edgelog: unhandled error${trace ? ` (trace ${trace.traceId}, span ${trace.spanId})` : ""}`, err);
  }
  // The schema registry's routes answer in Confluent's body format.
  const r = errorReply(e, { format: c.req.path.startsWith(REGISTRY_PREFIX) ? "registry" : "edgelog" });
  return c.json(r.body, r.status as 400, r.headers);
}
