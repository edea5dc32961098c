// The one error reply: every HTTP answer edgelog gives for an EdgelogError (the router's, a refused
// WebSocket upgrade, a partial produce, a Durable Streams status, a live stream's error event, the
// schema registry's Confluent-shaped one) is built here, so body, status, Retry-After and
// WWW-Authenticate never differ by path.

import { ERRORS, type EdgelogError, type ErrorBody, type ErrorSpec } from "./errors.js";
import { CONTENT_TYPE_REGISTRY } from "./registry-api.js";

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface ErrorReplyOptions {
  /** Another status than the code's (the Durable Streams protocol fixes its own). */
  status?: number;
  /** Fields beside `error` (a partial produce's per-record outcomes). */
  body?: Record<string, unknown>;
  /** registry: Confluent Schema Registry's body, `{"error_code", "message"}`, in its media type. */
  format?: "edgelog" | "registry";
}

/** The body of every error reply: the error's extra fields (offsets beside OFFSET_OUT_OF_RANGE), then `error`. */
export function errorBody(
  e: EdgelogError,
  extra?: Record<string, unknown>,
): Record<string, unknown> & { error: ErrorBody } {
  return { ...e.extra, ...extra, error: e.toBody() };
}

/** Seconds a client should wait before retrying: the error's own, else its code's (retriable unavailability). */
export function retryAfterOf(e: EdgelogError): number | undefined {
  return e.retryAfter ?? (ERRORS[e.code] as ErrorSpec).retryAfter;
}

export function errorReply(e: EdgelogError, opts: ErrorReplyOptions = {}): ErrorReply {
  const headers: Record<string, string> = {};
  const after = retryAfterOf(e);
  if (after !== undefined) headers["Retry-After"] = String(after);
  const status = opts.status ?? e.status;
  if (opts.format === "registry") {
    // Registry clients send HTTP Basic credentials; codes without a Confluent error_code carry the status, as Confluent's generic errors do.
    if (e.code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = 'Bearer realm="edgelog", Basic realm="edgelog"';
    headers["content-type"] = CONTENT_TYPE_REGISTRY;
    const code = (ERRORS[e.code] as ErrorSpec).registry ?? status;
    return { status, headers, body: { error_code: code, message: e.toBody().message } };
  }
  if (e.code === "UNAUTHENTICATED") headers["WWW-Authenticate"] = 'Bearer realm="edgelog"';
  return { status, headers, body: errorBody(e, opts.body) };
}

/** The reply as a Response, for code that answers without the router's Hono context. */
export function errorResponse(e: EdgelogError, opts: ErrorReplyOptions = {}): Response {
  const r = errorReply(e, opts);
  return new Response(JSON.stringify(r.body), {
    status: r.status,
    headers: { "content-type": "application/json", ...r.headers },
  });
}
