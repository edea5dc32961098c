// Produce routes: JSON records split by partition and fanned out in parallel, or raw batches.

import type { Context } from "hono";
import {
  BatchProduceQuerySchema,
  BatchProduceReplySchema,
  ProduceReplySchema,
  ProduceRequestSchema,
  type ProduceRequest,
} from "../protocol/api.js";
import { CONTENT_TYPE_RECORD_BATCH, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES } from "../protocol/constants.js";
import { errorReply } from "../protocol/error-reply.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { readBatchHeader } from "../protocol/record-batch.js";
import { transactionalIdResource } from "../auth/grants.js";
import { checkTransactionalId } from "./transactions.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app-env.js";
import { parseJson, readBody, validate } from "./body.js";
import { conformingProduceRequest } from "./produce-input.js";
import { chargeQuota, principalOf, requireGrant, type Principal } from "./auth.js";
import { toEdgelogError } from "./errors.js";
import { onLeader } from "./leaders.js";
import { topics } from "./objects.js";
import { partitionParam, pathParam } from "./params.js";
import { onTopic } from "./permissions.js";
import { route, type Route } from "./route.js";
import { checkProducer } from "./producer-ids.js";
import { stickyPartition } from "./partitioner.js";
import {
  baseSequences,
  planPartitions,
  replyJson,
  routeRecords,
  stitchReplies,
  type PartitionPlan,
} from "./produce-plan.js";
import { decompressBatches } from "../protocol/compression.js";
import { groupAppend, laneKey, type AppendEntry } from "./group-commit.js";
import { readSettings } from "../settings.js";
import { mark } from "../metrics/bench-trace.js";
import { STREAM_TOPIC_PREFIX } from "../durable-streams/protocol.js";
import { batchRecords, checkSchemaIds, validatesSchemas } from "./schema-validation.js";
import type { AppendedBatch, Acks, TxnAppend } from "../contracts/partition.js";

export const produceRoutes: Route[] = [
  // Hot routes: the schemas document the body; readProduceRequest parses it (bounds first, then the schema).
  route({
    method: "POST",
    path: "/v1/topics/:topic/records",
    summary: `Produce records (at most ${MAX_RECORDS_PER_REQUEST} and ${MAX_REQUEST_BYTES} bytes per request); keys pick partitions with murmur2`,
    permission: onTopic("produce"),
    documents: { body: ProduceRequestSchema },
    ok: { status: 200, schema: ProduceReplySchema },
    handler: produceToTopic,
  }),
  route({
    method: "POST",
    path: "/v1/topics/:topic/partitions/:p/records",
    summary: `Produce to one partition: JSON records, or raw RecordBatch v2 as ${CONTENT_TYPE_RECORD_BATCH}`,
    permission: onTopic("produce"),
    documents: { body: ProduceRequestSchema, query: BatchProduceQuerySchema },
    binaryBody: true,
    ok: { status: 200, schema: ProduceReplySchema.or(BatchProduceReplySchema) },
    handler: produceToPartition,
  }),
];

async function produceToTopic(c: Context<AppEnv>): Promise<Response> {
  if (readSettings(c.env).benchTrace) c.set("benchRecvAt", Date.now());
  if (isRecordBatch(c)) {
    throw new EdgelogError(
      "UNSUPPORTED_MEDIA_TYPE",
      `${CONTENT_TYPE_RECORD_BATCH} bodies go to /v1/topics/{topic}/partitions/{p}/records`,
    );
  }
  notAStream(pathParam(c, "topic"));
  const req = await readProduceRequest(c);
  const topic = await topics.get(c.env, pathParam(c, "topic"));
  return produceJson(c, topic, req, null);
}

async function produceToPartition(c: Context<AppEnv>): Promise<Response> {
  if (readSettings(c.env).benchTrace) c.set("benchRecvAt", Date.now());
  const p = partitionParam(pathParam(c, "p"));
  const name = pathParam(c, "topic");
  notAStream(name);
  if (isRecordBatch(c)) {
    const raw = await readBody(c, MAX_REQUEST_BYTES);
    chargeQuota(c, "produce", raw.byteLength);
    if (raw.byteLength === 0) throw new EdgelogError("CORRUPT_MESSAGE", "empty body: send one or more RecordBatch v2");
    const topic = await topics.withPartition(c.env, name, p);
    // Stored uncompressed, so JSON readers and live tails can render every batch. Inflation is
    // bounded as an uncompressed request would be, so gzip cannot turn 16 MiB into gigabytes.
    const body = await decompressBatches(raw, {
      maxBatchBytes: topic.config["max.message.bytes"],
      maxTotalBytes: MAX_REQUEST_BYTES,
    });
    if (validatesSchemas(topic)) await checkSchemaIds(c.env, topic, batchRecords(body), (i) => `batch record ${i}`);
    // Kafka's Produce carries the transactional id beside the batches; here it is a query parameter.
    const tid = c.req.query("transactional_id");
    const txn = tid === undefined ? undefined : transactionalAppend(c, tid);
    const { idempotent, batches } = txn
      ? { idempotent: true, batches: countBatches(body) }
      : await checkBatchProducers(c.env, principalOf(c), body);
    const appended = await appendToPartition(
      c,
      topic,
      p,
      batchAcks(c.req.query("acks")),
      { body, batches, idempotent },
      txn,
    );
    return c.json({
      batches: appended.map((b) => ({
        base_offset: b.baseOffset,
        last_offset: b.lastOffset,
        log_start_offset: b.logStartOffset,
        timestamp: b.logAppendTime,
      })),
    });
  }
  const req = await readProduceRequest(c);
  req.records.forEach((r, i) => {
    if (r.partition !== undefined && r.partition !== null && r.partition !== p) {
      throw new EdgelogError(
        "INVALID_RECORD",
        `records[${i}]: partition ${r.partition} conflicts with the route's partition ${p}`,
      );
    }
  });
  const topic = await topics.withPartition(c.env, name, p);
  return produceJson(c, topic, req, p);
}

/** A produce inside a transaction: the id is well formed and the token may write it (Kafka's TransactionalId WRITE). */
function transactionalAppend(c: Context<AppEnv>, transactionalId: string): TxnAppend {
  requireGrant(c, transactionalIdResource(checkTransactionalId(transactionalId)), "write");
  return { transactionalId };
}

function countBatches(body: Uint8Array): number {
  let n = 0;
  for (let pos = 0; pos < body.byteLength; n++) pos += readBatchHeader(body, pos).size;
  return n;
}

/** The binary route's acks, from `?acks=1|all|-1` (default 1). */
function batchAcks(q: string | undefined): Acks {
  if (q === undefined || q === "1") return 1;
  if (q === "all" || q === "-1") return "all";
  throw new EdgelogError(
    "INVALID_REQUEST",
    `acks must be 1, all or -1 on the record-batch route, got ${JSON.stringify(q)}`,
  );
}

/** A stream's topic is written only through its stream URL, which keeps its offsets and metadata in step. */
function notAStream(topic: string): void {
  if (topic.startsWith(STREAM_TOPIC_PREFIX)) {
    throw new EdgelogError(
      "POLICY_VIOLATION",
      `topic ${topic} backs the Durable Stream /v1/stream/${topic.slice(STREAM_TOPIC_PREFIX.length)}; append there (it can be read here)`,
    );
  }
}

function isRecordBatch(c: Context): boolean {
  return (c.req.header("content-type") ?? "").toLowerCase().startsWith(CONTENT_TYPE_RECORD_BATCH);
}

async function readProduceRequest(c: Context<AppEnv>): Promise<ProduceRequest> {
  const body = await readBody(c, MAX_REQUEST_BYTES);
  chargeQuota(c, "produce", body.byteLength);
  const json = parseJson(body, c.req.header("transfer-encoding"));
  // Checked before the schema so the caller hears the documented bound, not a schema message.
  const records = (json as { records?: unknown })?.records;
  if (Array.isArray(records) && records.length > MAX_RECORDS_PER_REQUEST) {
    throw new EdgelogError(
      "RECORD_LIST_TOO_LARGE",
      `${records.length} records in one request; the bound is ${MAX_RECORDS_PER_REQUEST}`,
    );
  }
  return conformingProduceRequest(json) ?? validate(ProduceRequestSchema, json);
}

/**
 * Validates and encodes every record before anything is sent, so bad input writes nothing;
 * then appends to each partition in parallel and answers in request order.
 */
async function produceJson(
  c: Context<AppEnv>,
  topic: Topic,
  req: ProduceRequest,
  fixed: number | null,
): Promise<Response> {
  let stickyChoice: number | undefined;
  const sticky = () => (stickyChoice ??= stickyPartition(topic.id, topic.partitions));

  const highest = Math.max(...req.records.map((r) => r.partition ?? -1));
  if (highest >= topic.partitions) topic = await topics.withPartition(c.env, topic.name, highest);

  const routed = routeRecords(req.records, req.format, topic.partitions, fixed, Date.now(), sticky);
  if (validatesSchemas(topic)) await checkSchemaIds(c.env, topic, routed.inputs, (i) => `records[${i}]`);
  const producer = req.producer;
  const sequences = producer ? baseSequences(producer, routed.byPartition) : undefined;
  // A transactional producer belongs to its transactional id (its grants decide, and the partition
  // checks with the id's coordinator); any other producer id is checked against the controller's.
  const txn = producer?.transactional_id === undefined ? undefined : transactionalAppend(c, producer.transactional_id);
  if (producer && !txn) await checkProducer(c.env, principalOf(c), producer.id, producer.epoch);
  const plans = planPartitions(
    routed,
    topic.config["max.message.bytes"],
    producer && { id: Number(producer.id), epoch: producer.epoch, sequences: sequences!, transactional: !!txn },
  );

  const acks: Acks = req.acks === "all" || req.acks === -1 ? "all" : 1;
  const send = (plan: PartitionPlan) =>
    appendToPartition(
      c,
      topic,
      plan.partition,
      acks,
      { body: plan.body, batches: plan.groups.length, idempotent: producer !== undefined },
      txn,
    );

  if (req.acks === 0) {
    // Checked after validation so the caller hears about bad records first; nothing is written either way.
    if (producer)
      throw new EdgelogError(
        "INVALID_REQUEST",
        "idempotent producers need acks 1 or all: acks=0 cannot report duplicates or gaps",
      );
    // Kafka's acks=0: the reply does not wait for the write. Failures are logged, never reported.
    c.executionCtx.waitUntil(
      Promise.allSettled(plans.map(send)).then((rs) => {
        for (const r of rs) if (r.status === "rejected") console.warn("edgelog: acks=0 write failed", r.reason);
      }),
    );
    return c.json({ records: routed.partitionOf.map((partition) => ({ partition })) }, 202);
  }

  const settled = await Promise.allSettled(plans.map(send));
  if (settled.every((s) => s.status === "fulfilled")) {
    const text = replyJson(
      plans,
      settled.map((s) => (s as PromiseFulfilledResult<AppendedBatch[]>).value),
      routed.inputs,
    );
    if (text !== undefined) return c.body(text, 200, { "content-type": "application/json" });
  }
  const { records, firstError } = stitchReplies(
    plans,
    settled.map((s) =>
      s.status === "fulfilled" ? { ok: true, batches: s.value } : { ok: false, error: toEdgelogError(s.reason) },
    ),
    routed.inputs,
  );
  if (firstError) {
    const r = errorReply(firstError, { body: { records } });
    return c.json(r.body, r.status as 400, r.headers);
  }
  return c.json({ records });
}

/**
 * One request's batches to a partition, group-committed with whatever else this isolate sends it
 * meanwhile. A transaction's batches go on their own: the partition checks them with the
 * transactional id's coordinator, which a merged append could not do per request.
 */
function appendToPartition(
  c: Context<AppEnv>,
  topic: Topic,
  p: number,
  acks: Acks,
  entry: AppendEntry,
  txn?: TxnAppend,
): Promise<AppendedBatch[]> {
  if (txn) {
    return onLeader(c.env, topic, p, (stub, ref) => stub.append(ref, entry.body, acks, txn), true);
  }
  // The leader may move (geo-replicated topics fail over): onLeader follows it.
  const send = (body: Uint8Array, idempotent: boolean) =>
    onLeader(c.env, topic, p, (stub, ref) => stub.append(ref, body, acks), idempotent);
  const settings = readSettings(c.env);
  const appended = groupAppend(laneKey(topic.id, p, topic.version, acks), entry, send, (w) =>
    c.executionCtx.waitUntil(w),
  );
  return settings.benchTrace ? traced(c, topic.name, p, appended) : appended;
}

/** Benchmarks only: marks when the request arrived and when its append returned, by base offset. */
async function traced(
  c: Context<AppEnv>,
  topic: string,
  p: number,
  appended: Promise<AppendedBatch[]>,
): Promise<AppendedBatch[]> {
  const out = await appended;
  const recv = c.get("benchRecvAt");
  for (const b of out) {
    if (recv !== undefined) mark(topic, p, b.baseOffset, "recv", recv);
    mark(topic, p, b.baseOffset, "acked");
  }
  return out;
}

/**
 * Checks the producer ids carried in raw batches; idempotent when every batch is (safe to retry).
 * Counts the batches too: the replies a group commit hands back to this request.
 */
async function checkBatchProducers(
  env: Env,
  caller: Principal,
  body: Uint8Array,
): Promise<{ idempotent: boolean; batches: number }> {
  let idempotent = true;
  let batches = 0;
  const seen = new Set<string>();
  for (let pos = 0; pos < body.byteLength; batches++) {
    const h = readBatchHeader(body, pos);
    pos += h.size;
    if (h.producerId < 0) {
      idempotent = false;
      continue;
    }
    const key = `${h.producerId}/${h.producerEpoch}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await checkProducer(env, caller, String(h.producerId), h.producerEpoch);
  }
  return { idempotent, batches };
}
