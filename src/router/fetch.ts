// Fetch routes: one partition (JSON or raw batches), many partitions in one long-poll, offsets.

import { Hono, type Context } from "hono";
import {
  FetchQuerySchema,
  MultiFetchRequestSchema,
  OffsetsQuerySchema,
  type MultiFetchReply,
} from "../protocol/api.js";
import {
  CONTENT_TYPE_RECORD_BATCH,
  FETCH_DEFAULT_MAX_BYTES,
  FETCH_DEFAULT_MAX_RECORDS,
  FETCH_MAX_RECORDS_CAP,
  HEADER_HIGH_WATERMARK,
  HEADER_LOG_START_OFFSET,
  HEADER_NEXT_OFFSET,
  type ValueFormat,
} from "../protocol/constants.js";
import { unwrap } from "../protocol/errors.js";
import { batchEnd, renderRecords } from "../protocol/fetched.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import type { ReadResult } from "../log/partition-log.js";
import type { ReadRequest } from "../partition/partition-do.js";
import { concat } from "../util/bytes.js";
import type { AppEnv } from "./app-env.js";
import { readJson, validate } from "./body.js";
import { toEdgelogError } from "./errors.js";
import { onPartition, partitionStub, topics } from "./objects.js";
import { partitionParam } from "./params.js";
import type { Env } from "../env.js";

export const fetchRoutes = new Hono<AppEnv>();

fetchRoutes.get("/v1/topics/:topic/partitions/:p/records", async (c) => {
  const p = partitionParam(c.req.param("p"));
  const q = validate(FetchQuerySchema, c.req.query());
  const topic = await topics.withPartition(c.env, c.req.param("topic"), p);
  const raw = wantsBatches(c);
  const maxRecords = q.max_records ?? (raw ? FETCH_MAX_RECORDS_CAP : FETCH_DEFAULT_MAX_RECORDS);
  const result = await read(c.env, topic, p, {
    offset: q.offset, maxBytes: q.max_bytes ?? FETCH_DEFAULT_MAX_BYTES, maxRecords, waitMs: q.wait_ms ?? 0,
  });
  if (raw) {
    // Whole batches, as Kafka returns them: the first may begin below the requested offset.
    const last = result.batches.at(-1);
    const next = last ? batchEnd(last) : q.offset;
    return new Response(concat(result.batches), {
      headers: {
        "content-type": CONTENT_TYPE_RECORD_BATCH,
        [HEADER_HIGH_WATERMARK]: String(result.highWatermark),
        [HEADER_LOG_START_OFFSET]: String(result.logStartOffset),
        [HEADER_NEXT_OFFSET]: String(next),
      },
    });
  }
  const { records, nextOffset } = renderRecords(result.batches, q.offset, maxRecords, q.format ?? "json");
  return c.json({
    records, next_offset: nextOffset, high_watermark: result.highWatermark, log_start_offset: result.logStartOffset,
  });
});

fetchRoutes.post("/v1/fetch", async (c) => {
  const req = await readJson(c, MultiFetchRequestSchema);
  const maxRecords = req.max_records ?? FETCH_DEFAULT_MAX_RECORDS;
  const targets = await Promise.all(req.partitions.map(async (p) => {
    try {
      return { ...p, topic: await topics.withPartition(c.env, p.topic, p.partition) };
    } catch (e) {
      return { ...p, error: toEdgelogError(e) };
    }
  }));
  const readAll = (waitMs: number, pollId?: string) =>
    targets.map((t) => "error" in t
      ? Promise.reject(t.error)
      : read(c.env, t.topic, t.partition, {
        offset: t.offset, maxBytes: t.max_bytes ?? req.max_bytes ?? FETCH_DEFAULT_MAX_BYTES, maxRecords, waitMs, pollId,
      }));

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
        call.then((r) => (r.batches.length > 0 ? resolve() : undefined), resolve).finally(() => {
          done[i] = true;
          if (--pending === 0) resolve();
        });
      });
    });
    await Promise.allSettled(targets.map((t, i) =>
      done[i] || "error" in t ? undefined : partitionStub(c.env, t.topic, t.partition).cancelWait(pollId)));
    settled = await Promise.allSettled(calls);
  }

  let budget = req.max_bytes ?? Number.POSITIVE_INFINITY;
  const partitions: MultiFetchReply["partitions"] = settled.map((s, i) => {
    const t = req.partitions[i]!;
    if (s.status === "rejected") {
      const e = toEdgelogError(s.reason);
      return { topic: t.topic, partition: t.partition, ...e.extra, error: e.toBody() };
    }
    // The overall max_bytes is a soft cap across partitions, as Kafka's fetch.max.bytes.
    const batches = budget > 0 ? s.value.batches : [];
    for (const b of batches) budget -= b.byteLength;
    const { records, nextOffset } = renderRecords(batches, t.offset, maxRecords, req.format);
    return {
      topic: t.topic, partition: t.partition, records, next_offset: nextOffset,
      high_watermark: s.value.highWatermark, log_start_offset: s.value.logStartOffset,
    };
  });
  return c.json({ partitions });
});

fetchRoutes.get("/v1/topics/:topic/partitions/:p/offsets", async (c) => {
  const p = partitionParam(c.req.param("p"));
  const { at } = validate(OffsetsQuerySchema, c.req.query());
  const name = c.req.param("topic");
  const topic = await topics.withPartition(c.env, name, p);
  const result = await onPartition(name, async () =>
    unwrap(await partitionStub(c.env, topic, p).offsets(topicRef(topic, p), at)), true);
  return c.json(result);
});

async function read(env: Env, topic: Topic, p: number, req: ReadRequest): Promise<ReadResult> {
  return onPartition(topic.name, async () => unwrap(await partitionStub(env, topic, p).read(topicRef(topic, p), req)), true);
}

function wantsBatches(c: Context): boolean {
  return (c.req.header("accept") ?? "").toLowerCase().includes(CONTENT_TYPE_RECORD_BATCH);
}
