// Live tail on the fetch URL: Server-Sent Events built on the partition's long-poll, and
// WebSocket upgrades handed to the partition object, which holds them hibernatable.

import type { Context } from "hono";
import { FetchQuerySchema } from "../protocol/api.js";
import {
  FETCH_DEFAULT_MAX_BYTES,
  FETCH_DEFAULT_MAX_RECORDS,
  HEADER_REPLICA,
  HEADER_REPLICA_MISS,
  HEADER_TOPIC_REF,
  LIVE_SSE_HEARTBEAT_MS,
  type IsolationLevel,
  type ValueFormat,
} from "../protocol/constants.js";
import { errorBody } from "../protocol/error-reply.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { renderRecords } from "../protocol/fetched.js";
import { registryDecoder } from "./schema-decode.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app-env.js";
import { validate } from "./body.js";
import { chargeQuota, quotaDelayMs } from "./auth.js";
import { toEdgelogError } from "./errors.js";
import { cachedLeader, copyStub } from "./leaders.js";
import { topics } from "./objects.js";
import { cancelWaitOn, pickReplica, readFrom, replicaStub, type ServedRead } from "./replicas.js";
import { partitionParam, pathParam } from "./params.js";
import type { ReadResult, ReadRequest } from "../contracts/partition.js";
import { readSettings } from "../settings.js";
import { mark } from "../metrics/bench-trace.js";

/** After an early empty answer (the partition's long-poll bound was reached) wait this long before polling again. */
const BUSY_RETRY_MS = 250;

/** A live tail asks on the fetch URL with a WebSocket upgrade or `live=sse`. */
export function isLiveTail(c: Context): boolean {
  return isUpgrade(c) || c.req.query("live") === "sse";
}

function isUpgrade(c: Context): boolean {
  return c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/** Serves a live tail of the fetch route (isLiveTail said it is one). */
export async function liveTail(c: Context<AppEnv>): Promise<Response> {
  const upgrade = isUpgrade(c);
  const p = partitionParam(pathParam(c, "p"));
  const q = validate(FetchQuerySchema, c.req.query());
  const topic = await topics.withPartition(c.env, pathParam(c, "topic"), p);
  const format = q.format ?? "json";
  const region = pickReplica(c.env, topic, q.replica, c.req.raw.cf);
  if (upgrade && q.decode)
    throw new EdgelogError(
      "INVALID_REQUEST",
      "decode=registry is served on JSON fetches and SSE tails, not WebSockets",
    );
  if (upgrade) return webSocket(c.env, topic, p, q.offset, format, q.raw === "true", region, q.isolation);
  const offset = resumeOffset(c.req.header("last-event-id")) ?? q.offset;
  return sse(
    c,
    topic,
    p,
    offset,
    format,
    q.max_records ?? FETCH_DEFAULT_MAX_RECORDS,
    q.max_bytes ?? FETCH_DEFAULT_MAX_BYTES,
    region,
    q.isolation,
  );
}

/**
 * The offset an EventSource resumes from: the id of the last event it saw, which this tail sets to
 * a next offset. Anything else is refused rather than ignored, which would silently replay from
 * `offset`. An empty id is how a client says it has none (browsers then omit the header).
 */
function resumeOffset(lastEventId: string | undefined): number | undefined {
  if (lastEventId === undefined || lastEventId === "") return undefined;
  const n = Number(lastEventId);
  if (!/^\d+$/.test(lastEventId) || !Number.isSafeInteger(n)) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `Last-Event-ID ${JSON.stringify(lastEventId.slice(0, 64))} is not an event id of this tail; ids are next offsets (non-negative integers): resume with the last id received, or drop the header`,
    );
  }
  return n;
}

async function webSocket(
  env: Env,
  topic: Topic,
  p: number,
  offset: number,
  format: ValueFormat,
  raw: boolean,
  region: string | null,
  isolation: IsolationLevel | undefined,
): Promise<Response> {
  const url = new URL("https://partition/live");
  url.searchParams.set("offset", String(offset));
  url.searchParams.set("format", format);
  url.searchParams.set("raw", String(raw));
  if (isolation) url.searchParams.set("isolation", isolation);
  const headers = { upgrade: "websocket", [HEADER_TOPIC_REF]: JSON.stringify(topicRef(topic, p)) };
  if (region !== null) {
    // The nearest copy holds the socket when it has the offset; otherwise the leader does.
    try {
      const r = await replicaStub(env, topic, p, region).fetch(
        new Request(url, { headers: { ...headers, [HEADER_REPLICA_MISS]: "1" } }),
      );
      if (!r.headers.has(HEADER_REPLICA_MISS)) return r;
    } catch (e) {
      console.warn(`edgelog: replica ${region} of ${topic.name}/${p} refused a live tail; the leader serves it`, e);
    }
  }
  return copyStub(env, topic, p, cachedLeader(topic, p).replica).fetch(new Request(url, { headers }));
}

/**
 * One event per pull: the stream is pulled only as fast as the client reads, so a slow reader
 * holds at most two events here (one queued, one being written) and the log stays the buffer.
 * The one queued is what re-arms the long-poll at once: with no room (highWaterMark 0) the next
 * read would only be sent once the last event's write finished, and a record appended meanwhile
 * waited for that round trip (the per-hop trace, docs/performance.md#latency).
 */
async function sse(
  c: Context<AppEnv>,
  topic: Topic,
  p: number,
  start: number,
  format: ValueFormat,
  maxRecords: number,
  maxBytes: number,
  region: string | null,
  isolation: IsolationLevel | undefined,
): Promise<Response> {
  const env = c.env;
  const decodeRegistry = c.req.query("decode") === "registry";
  const read = (req: ReadRequest): Promise<ServedRead> => readFrom(env, topic, p, { ...req, isolation }, region);
  // The first read runs before the reply so a bad offset is an ordinary HTTP error.
  const first = await read({ offset: start, maxBytes, maxRecords, waitMs: 0 });
  let ready: ReadResult | null = first;
  let offset = start;
  let lastWrite = Date.now();
  let cancelled = false;
  let pollId: string | undefined;
  const enc = new TextEncoder();
  const benchTrace = readSettings(env).benchTrace;

  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            // Over its fetch quota, the stream is paced rather than cut: the next event waits out the debt.
            const owed = quotaDelayMs(c, "fetch");
            if (owed > 0) {
              await scheduler.wait(Math.min(owed, LIVE_SSE_HEARTBEAT_MS));
              if (cancelled) return;
              if (Date.now() - lastWrite >= LIVE_SSE_HEARTBEAT_MS) {
                lastWrite = Date.now();
                controller.enqueue(enc.encode(": heartbeat\n\n"));
                return;
              }
              continue;
            }
            const wait = Math.max(1, LIVE_SSE_HEARTBEAT_MS - (Date.now() - lastWrite));
            const asked = Date.now();
            pollId = crypto.randomUUID();
            const r = ready ?? (await read({ offset, maxBytes, maxRecords, waitMs: wait, pollId }));
            ready = null;
            if (cancelled) return;
            if (r.batches.length > 0) {
              const readAt = benchTrace ? Date.now() : 0;
              const decode = decodeRegistry ? await registryDecoder(env, r.batches) : undefined;
              const aborted = isolation === "read_committed" ? (r.aborted ?? []) : undefined;
              const { records, nextOffset } = renderRecords(r.batches, offset, maxRecords, format, decode, aborted);
              chargeQuota(
                c,
                "fetch",
                r.batches.reduce((n, b) => n + b.byteLength, 0),
              );
              if (readAt) for (let o = offset; o < nextOffset; o++) mark(topic.name, p, o, "read", readAt);
              offset = nextOffset;
              lastWrite = Date.now();
              const data = JSON.stringify({
                records,
                next_offset: nextOffset,
                high_watermark: r.highWatermark,
                last_stable_offset: r.lastStableOffset,
              });
              controller.enqueue(enc.encode(`event: records\nid: ${nextOffset}\ndata: ${data}\n\n`));
              return;
            }
            if (Date.now() - lastWrite >= LIVE_SSE_HEARTBEAT_MS) {
              lastWrite = Date.now();
              controller.enqueue(enc.encode(": heartbeat\n\n"));
              return;
            }
            if (Date.now() - asked < BUSY_RETRY_MS) await new Promise((res) => setTimeout(res, BUSY_RETRY_MS));
          }
        } catch (e) {
          // The client hears why the stream ended (topic deleted, offset fell out of retention) and where to resume.
          const err = toEdgelogError(e);
          controller.enqueue(enc.encode(`event: error\ndata: ${JSON.stringify(errorBody(err))}\n\n`));
          controller.close();
        }
      },
      async cancel() {
        cancelled = true;
        if (pollId) await cancelWaitOn(env, topic, p, region, pollId).catch(() => undefined);
      },
    },
    { highWaterMark: 1 },
  );

  return new Response(stream, {
    headers: {
      ...(first.servedBy !== undefined && topic.config["replica.regions"].length > 0
        ? { [HEADER_REPLICA]: first.servedBy }
        : {}),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
