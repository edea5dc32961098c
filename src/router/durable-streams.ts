// Durable Streams routes under /v1/stream/*: create, append/close, read (catch-up, long-poll,
// SSE), HEAD, delete and fork, each stream being the single partition of a `stream.<name>` topic.

import type { Context, MiddlewareHandler } from "hono";
import { type Env } from "../env.js";
import { readSettings } from "../settings.js";
import { EdgelogError } from "../protocol/errors.js";
import {
  DEFAULT_CONTENT_TYPE,
  H,
  isTextType,
  isTrue,
  mediaType,
  nextCursor,
  parseExpiry,
  parseFork,
  parseOffsetParam,
  parseOffsetToken,
  parseProducer,
  STREAM_MAX_APPEND_BYTES,
  STREAM_ROUTE_PREFIX,
  streamTopicName,
} from "../durable-streams/protocol.js";
import { catchUpBody, etag, sseBytes, sseEvents } from "../durable-streams/render.js";
import type { AppEnv } from "./app-env.js";
import { topicResource } from "../auth/grants.js";
import type { Operation } from "../protocol/constants.js";
import { chargeQuota, requireGrant } from "./auth.js";
import { readBody } from "./body.js";
import { errorReply } from "../protocol/error-reply.js";
import { destroyStream, isExpired, onStream, reapStream } from "./durable-stream-objects.js";
import { onStream as streamPermission, PUBLIC } from "./permissions.js";
import { route, type Route } from "./route.js";
import type { OffsetParam, CreateStreamRequest, StreamRead, StreamReply } from "../contracts/durable-streams.js";

// Durable Streams (https://github.com/durable-streams/durable-streams): the path is a wildcard,
// `/v1/stream/{name}`, where name is a stream name that maps to the topic `stream.{name}`. Their
// bodies are the stream's own content type and their metadata travels in Stream-* headers.
const STREAM_PATH = `${STREAM_ROUTE_PREFIX}*`;

export const streamRoutes: Route[] = [
  route({
    method: "OPTIONS",
    path: STREAM_PATH,
    summary: "Durable Streams: CORS preflight",
    permission: PUBLIC,
    ok: { status: 204 },
    handler: (c) => c.body(null, 204),
  }),
  route({
    method: "PUT",
    path: STREAM_PATH,
    summary:
      "Durable Streams: create /v1/stream/{name} (topic stream.{name}); Stream-TTL, Stream-Expires-At, Stream-Closed, Stream-Forked-From headers",
    permission: streamPermission("admin"),
    binaryBody: true,
    ok: { status: 201 },
    handler: createStream,
  }),
  route({
    method: "POST",
    path: STREAM_PATH,
    summary: `Durable Streams: append to (or close) /v1/stream/{name}; Producer-Id/Epoch/Seq, Stream-Seq; at most ${STREAM_MAX_APPEND_BYTES} bytes`,
    permission: streamPermission("produce", "produce"),
    binaryBody: true,
    ok: { status: 204 },
    handler: appendStream,
  }),
  route({
    method: "GET",
    path: STREAM_PATH,
    summary:
      "Durable Streams: read /v1/stream/{name} from ?offset= (-1, now, or a token), live=long-poll|sse; HEAD for metadata",
    permission: streamPermission("consume", "fetch"),
    ok: { status: 200, binary: true },
    handler: readStream,
  }),
  route({
    method: "DELETE",
    path: STREAM_PATH,
    summary: "Durable Streams: delete /v1/stream/{name} (soft while forks use it)",
    permission: streamPermission("admin"),
    ok: { status: 204 },
    handler: deleteStream,
  }),
];

/** A stream is its topic, stream.<name>, for authorization as for everything else. */
function requireStream(c: Context<AppEnv>, name: string, op: Operation): void {
  requireGrant(c, topicResource(streamTopicName(name)), op);
}

/** An SSE connection is closed after this long; the client reconnects from its last offset. */
const SSE_MAX_MS = 60_000;

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": [
    "content-type",
    "authorization",
    "if-none-match",
    H.closed,
    H.seq,
    H.ttl,
    H.expiresAt,
    H.forkedFrom,
    H.forkOffset,
    H.forkSubOffset,
    H.producerId,
    H.producerEpoch,
    H.producerSeq,
  ].join(", "),
  "Access-Control-Expose-Headers": [
    H.nextOffset,
    H.cursor,
    H.upToDate,
    H.closed,
    H.ttl,
    H.expiresAt,
    H.sseEncoding,
    H.producerEpoch,
    H.producerSeq,
    H.producerExpectedSeq,
    H.producerReceivedSeq,
    "etag",
    "content-type",
    "location",
  ].join(", "),
};

/** CORS and security headers on every stream reply, refusals included (mounted before the routes). */
export const streamHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const h = c.res.headers;
  for (const [k, v] of Object.entries(CORS_HEADERS)) h.set(k, v);
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Cross-Origin-Resource-Policy", "cross-origin");
};

async function createStream(c: Context<AppEnv>): Promise<Response> {
  const name = streamName(c);
  requireStream(c, name, "admin");
  const expiry = parseExpiry(c.req.header(H.ttl), c.req.header(H.expiresAt));
  const fork = parseFork(c.req.header(H.forkedFrom), c.req.header(H.forkOffset), c.req.header(H.forkSubOffset));
  const requested =
    c.req.header("content-type") === undefined
      ? undefined
      : (mediaType(c.req.header("content-type")) ?? DEFAULT_CONTENT_TYPE);
  const body = await readStreamBody(c);
  const req: CreateStreamRequest = {
    contentType: requested ?? DEFAULT_CONTENT_TYPE,
    ttlSeconds: expiry.ttlSeconds,
    expiresAt: expiry.expiresAt,
    closed: isTrue(c.req.header(H.closed)),
    body,
    fork: null,
  };
  if (fork) {
    requireStream(c, fork.source, "consume");
    const inherited = await onStream(c.env, fork.source, (s, ref) =>
      s.streamForkSource(ref, fork.offset, fork.subOffset),
    );
    if (requested !== undefined && requested !== inherited.contentType) {
      throw new EdgelogError(
        "INCONSISTENT_CONTENT_TYPE",
        `a fork keeps its source's content type ${inherited.contentType}; this request asked for ${requested}`,
      );
    }
    req.contentType = inherited.contentType;
    if (expiry.ttlSeconds === null && expiry.expiresAt === null) {
      req.ttlSeconds = inherited.ttlSeconds;
      req.expiresAt = inherited.expiresAt;
    }
    req.fork = { source: fork.source, offsetToken: fork.offsetToken, subOffset: fork.subOffset, inherited };
  }
  const create = () => onStream(c.env, name, (s, ref) => s.streamCreate(ref, req), true);
  let reply: StreamReply;
  try {
    reply = await create();
  } catch (e) {
    if (!isExpired(e)) throw e;
    await reapStream(c.env, name);
    reply = await create();
  }
  if (reply.status === 201) {
    if (fork) await onStream(c.env, fork.source, (s, ref) => s.streamAddFork(ref));
    reply.headers["Location"] = new URL(c.req.path, c.req.url).href;
  }
  return render(c, reply);
}

async function appendStream(c: Context<AppEnv>): Promise<Response> {
  const name = streamName(c);
  requireStream(c, name, "produce");
  const producer = parseProducer(
    c.req.header(H.producerId),
    c.req.header(H.producerEpoch),
    c.req.header(H.producerSeq),
  );
  const close = isTrue(c.req.header(H.closed));
  const body = await readStreamBody(c);
  chargeQuota(c, "produce", body.byteLength);
  const type = c.req.header("content-type");
  if (body.byteLength === 0 && !close) {
    throw new EdgelogError(
      "INVALID_RECORD",
      `an empty append does nothing; send a body, or ${H.closed}: true to close`,
    );
  }
  if (body.byteLength > 0 && type === undefined) {
    throw new EdgelogError("INVALID_REQUEST", "an append needs a Content-Type matching the stream's");
  }
  const contentType = type === undefined ? null : (mediaType(type) ?? type.trim().toLowerCase());
  const reply = await withReap(c, name, () =>
    onStream(c.env, name, (s, ref) =>
      s.streamAppend(ref, { contentType, body, close, seq: c.req.header(H.seq) ?? null, producer }),
    ),
  );
  return render(c, reply);
}

async function readStream(c: Context<AppEnv>): Promise<Response> {
  const name = streamName(c);
  requireStream(c, name, c.req.method === "HEAD" ? "describe" : "consume");
  if (c.req.method === "HEAD") {
    const reply = await withReap(c, name, () => onStream(c.env, name, (s, ref) => s.streamHead(ref)));
    reply.headers["Cache-Control"] = "no-store";
    return render(c, reply);
  }
  const offset = parseOffsetParam(c.req.queries("offset"));
  const live = c.req.query("live");
  if (live !== undefined && live !== "long-poll" && live !== "sse") {
    throw new EdgelogError("INVALID_REQUEST", `live must be long-poll or sse, got ${JSON.stringify(live)}`);
  }
  if (live && !offset)
    throw new EdgelogError("INVALID_OFFSET", `live=${live} needs an offset (-1 for the start, now for the tail)`);
  const from: OffsetParam = offset ?? { kind: "start" };
  const cursor = () => nextCursor(Date.now(), c.req.query("cursor"));
  if (live === "sse") return sse(c, name, from, cursor);

  const waitMs = live === "long-poll" ? readSettings(c.env).streamLongPollMs : 0;
  const r = await withReap(c, name, () => onStream(c.env, name, (s, ref) => s.streamRead(ref, from, waitMs)));
  const headers: Record<string, string> = { "content-type": r.contentType, [H.nextOffset]: r.next };
  if (r.upToDate) headers[H.upToDate] = "true";
  if (r.closed && r.upToDate) headers[H.closed] = "true";
  if (live === "long-poll") {
    headers[H.cursor] = cursor();
    if (r.messages.length === 0) return c.body(null, 204, headers);
  } else if (from.kind === "now") {
    headers["Cache-Control"] = "no-store";
  } else {
    const tag = etag(streamTopicName(name), r);
    headers["ETag"] = tag;
    // A range that ends before the tail never changes; one at the tail may grow.
    headers["Cache-Control"] = r.upToDate ? "no-cache" : "public, max-age=60, stale-while-revalidate=300";
    if (c.req.header("if-none-match") === tag) return c.body(null, 304, headers);
  }
  const body = catchUpBody(r);
  chargeQuota(c, "fetch", body.byteLength);
  return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}

async function deleteStream(c: Context<AppEnv>): Promise<Response> {
  const name = streamName(c);
  requireStream(c, name, "admin");
  const outcome = await withReap(c, name, () => onStream(c.env, name, (s, ref) => s.streamDelete(ref)));
  if (outcome.destroy) await destroyStream(c.env, name, outcome.forkedFrom);
  return c.body(null, 204);
}

function streamName(c: Context): string {
  let name: string;
  try {
    name = decodeURIComponent(c.req.path.slice(STREAM_ROUTE_PREFIX.length));
  } catch {
    throw new EdgelogError("INVALID_TOPIC_EXCEPTION", "the stream path is not valid percent-encoding");
  }
  streamTopicName(name);
  return name;
}

async function readStreamBody(c: Context): Promise<Uint8Array> {
  try {
    return await readBody(c, STREAM_MAX_APPEND_BYTES);
  } catch (e) {
    if (e instanceof EdgelogError && e.code === "RECORD_LIST_TOO_LARGE") {
      throw new EdgelogError(
        "MESSAGE_TOO_LARGE",
        `an append carries at most ${STREAM_MAX_APPEND_BYTES} bytes; split the data into several appends`,
      );
    }
    throw e;
  }
}

/** Runs a stream call; if it found the stream expired, removes the stream's topic before answering. */
async function withReap<T>(c: Context<AppEnv>, name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isExpired(e))
      c.executionCtx.waitUntil(reapStream(c.env, name).catch((err) => console.warn("edgelog: reap failed", err)));
    throw e;
  }
}

function render(c: Context, reply: StreamReply): Response {
  if (!reply.error) return c.body(null, reply.status as 200, reply.headers);
  const r = errorReply(new EdgelogError(reply.error.code, reply.error.message), { status: reply.status });
  return c.json(r.body, r.status as 400, { ...r.headers, ...reply.headers });
}

/** Server-Sent Events: catch up, then follow the tail through the partition's long-poll. */
async function sse(c: Context<AppEnv>, name: string, from: OffsetParam, cursor: () => string): Promise<Response> {
  const read = (at: OffsetParam, waitMs: number) => onStream(c.env, name, (s, ref) => s.streamRead(ref, at, waitMs));
  const first = await withReap(c, name, () => read(from, 0));
  const waitMs = readSettings(c.env).streamLongPollMs;
  const started = Date.now();
  let pending: StreamRead | undefined = first;
  let next = first.next;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const reply: StreamRead = pending ?? (await read(nextFrom(next), waitMs));
        pending = undefined;
        next = reply.next;
        if (cancelled) return;
        // One chunk per read: every event of it arrives together.
        controller.enqueue(sseBytes(sseEvents(reply, cursor)));
        if ((reply.closed && reply.upToDate) || Date.now() - started > SSE_MAX_MS) controller.close();
      } catch {
        // The stream went away (deleted, expired): end the connection; the client's reconnect hears why.
        if (!cancelled) controller.close();
      }
    },
    cancel() {
      cancelled = true;
    },
  });
  const headers: Record<string, string> = { "content-type": "text/event-stream", "Cache-Control": "no-cache" };
  if (!isTextType(first.contentType)) headers[H.sseEncoding] = "base64";
  return new Response(body, { status: 200, headers });
}

function nextFrom(token: string): OffsetParam {
  return { kind: "at", position: parseOffsetToken(token)!, token };
}
