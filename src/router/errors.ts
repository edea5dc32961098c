// Turns anything thrown while serving a request into the one error reply shape.

import type { Context } from "hono";
import { ZodError } from "zod";
import { EdgelogError } from "../protocol/errors.js";

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
    if (flags.overloaded)
      return new EdgelogError("BROKER_NOT_AVAILABLE", "partition is overloaded; retry shortly", undefined, 1);
    if (flags.retryable)
      return new EdgelogError("BROKER_NOT_AVAILABLE", "partition briefly unavailable; retry shortly", undefined, 1);
  }
  return new EdgelogError("UNKNOWN_SERVER_ERROR", "internal error");
}

export function errorResponse(c: Context, err: unknown): Response {
  const e = toEdgelogError(err);
  if (e.code === "UNKNOWN_SERVER_ERROR") console.error("edgelog: unhandled error", err);
  const headers: Record<string, string> = {};
  if (e.retryAfter !== undefined) headers["Retry-After"] = String(e.retryAfter);
  if (e.code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = 'Bearer realm="edgelog"';
  return c.json({ ...e.extra, error: e.toBody() }, e.status as 400, headers);
}
