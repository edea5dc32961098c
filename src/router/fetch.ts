// Fetch routes: one partition (JSON or raw batches), many partitions in one long-poll, offsets.

import type { Context } from "hono";
import type { z } from "zod";
import {
  FetchQuerySchema,
  FetchReplySchema,
  MultiFetchReplySchema,
  MultiFetchRequestSchema,
  OffsetReplySchema,
  OffsetsQuerySchema,
} from "../protocol/api.js";
import {
  CONTENT_TYPE_MULTI_FETCH,
  CONTENT_TYPE_RECORD_BATCH,
  FETCH_DEFAULT_MAX_BYTES,
  HEADER_HIGH_WATERMARK,
  HEADER_LAST_STABLE_OFFSET,
  HEADER_LOG_START_OFFSET,
  HEADER_NEXT_OFFSET,
  HEADER_REPLICA,
  type ValueFormat,
} from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { renderRecords } from "../protocol/fetched.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import { concat } from "../util/bytes.js";
import type { AppEnv } from "./app-env.js";
import { readJson, validate } from "./body.js";
import { chargeQuota, denied, hasGrant, principalOf } from "./auth.js";
import { toEdgelogError } from "./errors.js";
import { topicResource } from "../auth/grants.js";
import { batchBytes, multiFetchBinary, multiFetchReply, nextRawOffset, rawBatches, readLimits } from "./fetch-plan.js";
import { onLeader } from "./leaders.js";
import { topics } from "./objects.js";
import { cancelWaitOn, pickReplica, readFrom } from "./replicas.js";
import { isLiveTail, liveTail } from "./live.js";
import { registryDecoder } from "./schema-decode.js";
import { partitionParam, pathParam } from "./params.js";
import { inHandler, onTopic } from "./permissions.js";
import { route, type Route } from "./route.js";
import type { Env } from "../env.js";
import type { ReadResult, ReadRequest } from "../contracts/partition.js";

export const fetchRoutes: Route[] = [
  // Hot routes: the schemas document the request; the handlers parse it themselves.
  route({
    method: "GET",
    path: "/v1/topics/:topic/partitions/:p/records",
    summary:
      `Fetch records from an offset; long-polls with wait_ms; Accept: ${CONTENT_TYPE_RECORD_BATCH} returns raw batches; ` +
      "live=sse streams Server-Sent Events and a WebSocket upgrade streams live frames",
    permission: onTopic("consume"),
    documents: { query: FetchQuerySchema },
    ok: { status: 200, schema: FetchReplySchema, binary: true },
    handler: (c) => (isLiveTail(c) ? liveTail(c) : fetchPartition(c)),
  }),
  route({
    method: "POST",
    path: "/v1/fetch",
    summary: `Fetch many partitions in one long-poll; with format batches, Accept: ${CONTENT_TYPE_MULTI_FETCH} returns the raw batches after a JSON header (docs/http-api.md)`,
    permission: inHandler("consume on each topic; refused partitions fail inline", "fetch"),
    documents: { body: MultiFetchRequestSchema },
    ok: { status: 200, schema: MultiFetchReplySchema, binary: CONTENT_TYPE_MULTI_FETCH },
    handler: fetchMany,
  }),
  route({
    method: "GET",
    path: "/v1/topics/:topic/partitions/:p/offsets",
    summary: "Look up an offset: earliest, latest, or by timestamp",
    permission: onTopic("describe"),
    query: OffsetsQuerySchema,
    ok: { status: 200, schema: OffsetReplySchema },
    handler: (c, { query }) => lookUpOffset(c, query),
  }),
];

async function fetchPartition(c: Context<AppEnv>): Promise<Response> {
  const p = partitionParam(pathParam(c, "p"));
  const q = validate(FetchQuerySchema, c.req.query());
  const topic = await topics.withPartition(c.env, pathParam(c, "topic"), p);
  const raw = wantsBatches(c);
  const { maxRecords, maxBytes } = readLimits(raw, q);
  const region = pickReplica(c.env, topic, q.replica, c.req.raw.cf);
  const result = await readFrom(
    c.env,
    topic,
    p,
    { offset: q.offset, maxBytes, maxRecords, waitMs: q.wait_ms ?? 0, isolation: q.isolation },
    region,
  );
  // read_committed: the partition read up to its LSO and listed the aborted transactions it read over.
  const aborted = q.isolation === "read_committed" ? (result.aborted ?? []) : undefined;
  chargeQuota(c, "fetch", batchBytes(result.batches));
  if (topic.config["replica.regions"].length > 0) c.header(HEADER_REPLICA, result.servedBy);
  if (raw) {
    // Whole batches, as Kafka returns them: the first may begin below the requested offset.
    return new Response(concat(rawBatches(result.batches, aborted)), {
      headers: {
        "content-type": CONTENT_TYPE_RECORD_BATCH,
        [HEADER_HIGH_WATERMARK]: String(result.highWatermark),
        [HEADER_LAST_STABLE_OFFSET]: String(result.lastStableOffset),
        [HEADER_LOG_START_OFFSET]: String(result.logStartOffset),
        [HEADER_NEXT_OFFSET]: String(nextRawOffset(result.batches, q.offset)),
        ...(topic.config["replica.regions"].length > 0 ? { [HEADER_REPLICA]: result.servedBy } : {}),
      },
    });
  }
  const decode = q.decode === "registry" ? await registryDecoder(c.env, result.batches) : undefined;
  const { records, nextOffset } = renderRecords(
    result.batches,
    q.offset,
    maxRecords,
    q.format ?? "json",
    decode,
    aborted,
  );
  return c.json({
    records,
    next_offset: nextOffset,
    high_watermark: result.highWatermark,
    log_start_offset: result.logStartOffset,
    last_stable_offset: result.lastStableOffset,
  });
}

async function fetchMany(c: Context<AppEnv>): Promise<Response> {
  const req = await readJson(c, MultiFetchRequestSchema);
  const binary = (c.req.header("accept") ?? "").toLowerCase().includes(CONTENT_TYPE_MULTI_FETCH);
  if (binary && req.format !== "batches")
    throw new EdgelogError(
      "INVALID_REQUEST",
      `Accept: ${CONTENT_TYPE_MULTI_FETCH} carries raw batches; ask for "format":"batches" (got ${JSON.stringify(req.format)})`,
    );
  const { maxRecords } = readLimits(req.format === "batches", { max_records: req.max_records });
  const targets = await Promise.all(
    req.partitions.map(async (p) => {
      // As Kafka's fetch: a partition the token may not read fails on its own, the rest are served.
      if (!hasGrant(c, topicResource(p.topic), "consume"))
        return { ...p, error: denied(principalOf(c), topicResource(p.topic), "consume") };
      try {
        const topic = await topics.withPartition(c.env, p.topic, p.partition);
        return { ...p, topic, region: pickReplica(c.env, topic, req.replica, c.req.raw.cf) };
      } catch (e) {
        return { ...p, error: toEdgelogError(e) };
      }
    }),
  );
  const readAll = (waitMs: number, pollId?: string) =>
    targets.map((t) =>
      "error" in t
        ? Promise.reject(t.error)
        : readFrom(
            c.env,
            t.topic,
            t.partition,
            {
              offset: t.offset,
              maxBytes: t.max_bytes ?? req.max_bytes ?? FETCH_DEFAULT_MAX_BYTES,
              maxRecords,
              waitMs,
              pollId,
              isolation: req.isolation,
            },
            t.region,
          ),
    );

  let settled = await Promise.allSettled(readAll(0));
  const answered = settled.some((s) => s.status === "rejected" || s.value.batches.length > 0);
  if (!answered && req.wait_ms > 0) {
    // Long-poll every partition under one poll id; the first to get data ends the others' waits.
    const pollId = crypto.randomUUID();
    const calls = readAll(req.wait_ms, pollId);
    const done = calls.map(() => false);
    await new Promise<void>((resolve) => {
      let pending = calls.length;
      calls.forEach((call, i) => {
        call
          .then((r) => (r.batches.length > 0 ? resolve() : undefined), resolve)
          .finally(() => {
            done[i] = true;
            if (--pending === 0) resolve();
          });
      });
    });
    await Promise.allSettled(
      targets.map((t, i) =>
        done[i] || "error" in t ? undefined : cancelWaitOn(c.env, t.topic, t.partition, t.region, pollId),
      ),
    );
    settled = await Promise.allSettled(calls);
  }

  chargeQuota(
    c,
    "fetch",
    settled.reduce((n, s) => n + (s.status === "fulfilled" ? batchBytes(s.value.batches) : 0), 0),
  );
  const outcomes = settled.map((s) =>
    s.status === "fulfilled"
      ? ({ ok: true, read: s.value } as const)
      : ({ ok: false, error: toEdgelogError(s.reason) } as const),
  );
  if (binary) {
    return new Response(multiFetchBinary(req.partitions, outcomes, req.max_bytes, req.isolation === "read_committed"), {
      headers: { "content-type": CONTENT_TYPE_MULTI_FETCH },
    });
  }
  const decode =
    req.decode === "registry"
      ? await registryDecoder(
          c.env,
          settled.flatMap((s) => (s.status === "fulfilled" ? s.value.batches : [])),
        )
      : undefined;
  const partitions = multiFetchReply(
    req.partitions,
    outcomes,
    req.format,
    maxRecords,
    req.max_bytes,
    decode,
    req.isolation === "read_committed",
  );
  return c.json({ partitions });
}

async function lookUpOffset(
  c: Context<AppEnv>,
  { at, isolation }: z.output<typeof OffsetsQuerySchema>,
): Promise<Response> {
  const p = partitionParam(pathParam(c, "p"));
  const name = pathParam(c, "topic");
  const topic = await topics.withPartition(c.env, name, p);
  const result = await onLeader(c.env, topic, p, (stub, ref) => stub.offsets(ref, at, isolation), true);
  return c.json(result);
}

function wantsBatches(c: Context): boolean {
  return (c.req.header("accept") ?? "").toLowerCase().includes(CONTENT_TYPE_RECORD_BATCH);
}
