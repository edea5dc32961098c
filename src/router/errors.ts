// Turns anything thrown while serving a request into the one error reply shape.

import type { Context } from "hono";
import { ZodError } from "zod";
import { EdgelogError, ERRORS, type ErrorSpec } from "../protocol/errors.js";
import { CONTENT_TYPE_REGISTRY, REGISTRY_PREFIX } from "../protocol/registry-api.js";

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
      return new EdgelogError(
        "LEADER_NOT_AVAILABLE",
        "the object serving this is overloaded; retry shortly",
        undefined,
        1,
      );
    if (flags.retryable)
      return new EdgelogError(
        "LEADER_NOT_AVAILABLE",
        "the object serving this is briefly unavailable; retry shortly",
        undefined,
        1,
      );
  }
  return new EdgelogError("UNKNOWN_SERVER_ERROR", "internal error");
}

export function errorResponse(c: Context, err: unknown): Response {
  const e = toEdgelogError(err);
  if (e.code === "UNKNOWN_SERVER_ERROR") console.error("edgelog: unhandled error", err);
  const headers: Record<string, string> = {};
  if (e.retryAfter !== undefined) headers["Retry-After"] = String(e.retryAfter);
  if (e.code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = 'Bearer realm="edgelog"';
  const surface = SURFACES.find((s) => c.req.path.startsWith(s.prefix));
  if (surface) return surface.render(e, headers);
  return c.json({ ...e.extra, error: e.toBody() }, e.status as 400, headers);
}

/** A compatibility surface: routes under `prefix` answer errors in another protocol's body format. */
interface ErrorSurface {
  prefix: string;
  render(e: EdgelogError, headers: Record<string, string>): Response;
}

const SURFACES: readonly ErrorSurface[] = [
  {
    // Confluent Schema Registry: {"error_code": 40401, "message": "..."}; codes without one of
    // Confluent's own carry the HTTP status, as Confluent's generic errors do.
    prefix: REGISTRY_PREFIX,
    render(e, headers) {
      if (e.code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = 'Bearer realm="edgelog", Basic realm="edgelog"';
      const code = (ERRORS[e.code] as ErrorSpec).registry ?? e.status;
      return Response.json(
        { error_code: code, message: e.toBody().message },
        { status: e.status, headers: { ...headers, "content-type": CONTENT_TYPE_REGISTRY } },
      );
    },
  },
];
