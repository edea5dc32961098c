// Produce, Fetch, ListOffsets and InitProducerId: record batches pass through untouched in both
// directions (Fetch reads them raw, from POST /v1/fetch's binary reply).

import { errorFromBody } from "../../client/transport.js";
import { EdgelogError } from "../../protocol/errors.js";
import { FETCH_MAX_BYTES_CAP, FETCH_MAX_WAIT_MS, MAX_PARTITIONS } from "../../protocol/constants.js";
import { tpKey as key } from "../../protocol/topic-partition.js";
import type { Value } from "../wire/codec.js";
import { DENIED, failure, KAFKA, kafkaCode, NONE } from "../errors.js";
import type { FetchedPartition } from "../upstream.js";
import type { Handler } from "./context.js";
import { idOf, topicsById } from "./topic-ids.js";
import { checkLeaderEpoch } from "./leader-epochs.js";
import { initTransactional } from "./transactions.js";

interface PartitionData {
  Index: number;
  Records: Uint8Array | null;
}

export const produce: Handler = async (req, ctx) => {
  const topics = req.TopicData as { Name: string; PartitionData: PartitionData[] }[];
  const refuse = (code: number) =>
    topics.map((t) => ({
      Name: t.Name,
      PartitionResponses: t.PartitionData.map((p) => ({
        Index: p.Index,
        ErrorCode: code,
        BaseOffset: -1,
        LogAppendTimeMs: -1,
        LogStartOffset: -1,
      })),
    }));
  let responses: Value[];
  if (ctx.version < 3) {
    // v0-2 carry MessageSet v0/v1, which edgelog does not store; clients that speak v3+ never send them.
    responses = refuse(KAFKA.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  } else {
    // A transactional producer's batches go to the raw route with its transactional id, which
    // checks the id's producer and epoch and, on the first write, the transaction (KIP-890).
    const tid = typeof req.TransactionalId === "string" ? req.TransactionalId : undefined;
    responses = await Promise.all(
      topics.map(async (t) => ({
        Name: t.Name,
        PartitionResponses: await Promise.all(
          t.PartitionData.map(async (p) => {
            try {
              const reply = await ctx.upstream.appendBatches(
                t.Name,
                p.Index,
                p.Records ?? new Uint8Array(0),
                req.Acks === -1,
                ctx.signal,
                tid,
              );
              const first = reply.batches[0]!;
              return {
                Index: p.Index,
                ErrorCode: NONE,
                BaseOffset: first.base_offset,
                LogAppendTimeMs: first.timestamp,
                LogStartOffset: first.log_start_offset,
              };
            } catch (e) {
              return {
                Index: p.Index,
                ErrorCode: produceCode(e, ctx.version),
                BaseOffset: -1,
                LogAppendTimeMs: -1,
                LogStartOffset: -1,
              };
            }
          }),
        ),
      })),
    );
  }
  // acks=0: Kafka sends no response at all, and both clients expect none.
  if (req.Acks === 0) return null;
  return { Responses: responses, ThrottleTimeMs: 0 };
};

/**
 * A failed write as Produce answers it. A stale epoch is the partition's INVALID_PRODUCER_EPOCH in
 * Kafka (PRODUCER_FENCED comes from the transaction coordinator, KIP-588); a transaction the
 * coordinator aborted on timeout is TRANSACTION_ABORTABLE from v11 (KIP-890), INVALID_TXN_STATE before.
 */
function produceCode(e: unknown, version: number): number {
  const code = failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic);
  if (code === KAFKA.PRODUCER_FENCED) return KAFKA.INVALID_PRODUCER_EPOCH;
  if (code === KAFKA.TRANSACTIONAL_ID_NOT_FOUND) return KAFKA.INVALID_PRODUCER_ID_MAPPING;
  if (code === KAFKA.TRANSACTION_ABORTABLE && version < 11) return KAFKA.INVALID_TXN_STATE;
  return code;
}

interface FetchPartition {
  Partition: number;
  FetchOffset: number;
  PartitionMaxBytes: number;
  /** v9+ (KIP-320): the leader epoch the client knows, -1 when it does not say. */
  CurrentLeaderEpoch?: number;
}

const clampBytes = (n: number) => Math.min(FETCH_MAX_BYTES_CAP, Math.max(1, n));

export const fetch: Handler = async (req, ctx) => {
  const topics = req.Topics as { Topic: string; TopicId?: string; Partitions: FetchPartition[] }[];
  // v13+ name topics by id (KIP-516): resolved to names here, answered by id below.
  if (ctx.version >= 13) {
    const byId = await topicsById(
      ctx,
      topics.map((t) => t.TopicId!),
    ).catch(() => new Map());
    // An unknown id keeps an empty name, which no partition is found under: UNKNOWN_TOPIC_ID below.
    for (const t of topics) t.Topic = byId.get(t.TopicId!)?.name ?? "";
  }
  const out = new Map<string, Value>();
  const wanted: { topic: string; partition: number; offset: number; max_bytes: number }[] = [];
  let fenced: number;
  for (const t of topics) {
    for (const p of t.Partitions) {
      if (t.Topic === "") out.set(key(t.Topic, p.Partition), partitionError(p.Partition, KAFKA.UNKNOWN_TOPIC_ID));
      else if (p.Partition < 0 || p.Partition >= MAX_PARTITIONS)
        out.set(key(t.Topic, p.Partition), partitionError(p.Partition, KAFKA.UNKNOWN_TOPIC_OR_PARTITION));
      else if (p.FetchOffset < 0)
        out.set(key(t.Topic, p.Partition), partitionError(p.Partition, KAFKA.OFFSET_OUT_OF_RANGE));
      else if ((fenced = await checkLeaderEpoch(ctx, t.Topic, p.Partition, p.CurrentLeaderEpoch)) !== NONE)
        out.set(key(t.Topic, p.Partition), partitionError(p.Partition, fenced));
      else
        wanted.push({
          topic: t.Topic,
          partition: p.Partition,
          offset: p.FetchOffset,
          max_bytes: clampBytes(p.PartitionMaxBytes),
        });
    }
  }
  const waitMs = (req.MinBytes as number) <= 0 ? 0 : Math.min(FETCH_MAX_WAIT_MS, Math.max(0, req.MaxWaitMs as number));
  if (wanted.length > 0) {
    try {
      const partitions = await ctx.upstream.fetchBatches(
        {
          partitions: wanted.slice(0, MAX_PARTITIONS),
          wait_ms: waitMs,
          max_bytes: clampBytes((req.MaxBytes as number | undefined) ?? FETCH_MAX_BYTES_CAP),
          // IsolationLevel 1 (v4+): batches up to the last stable offset, with the aborted transactions among them.
          ...(req.IsolationLevel === 1 ? { isolation: "read_committed" as const } : {}),
        },
        ctx.signal,
      );
      for (const p of partitions) out.set(key(p.topic, p.partition), fetched(p));
    } catch (e) {
      const code = failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic);
      for (const w of wanted) out.set(key(w.topic, w.partition), partitionError(w.partition, code));
    }
  } else if (out.size === 0 && waitMs > 0) {
    // Nothing to read: wait as a broker would, so a client without partitions does not spin.
    await new Promise<void>((res) => {
      const timer = setTimeout(res, waitMs);
      ctx.signal.addEventListener("abort", () => (clearTimeout(timer), res()), { once: true });
    });
  }
  return {
    ThrottleTimeMs: 0,
    ErrorCode: NONE,
    SessionId: 0,
    Responses: topics.map((t) => ({
      Topic: t.Topic,
      TopicId: t.TopicId ?? idOf(ctx, t.Topic),
      Partitions: t.Partitions.map(
        (p) => out.get(key(t.Topic, p.Partition)) ?? partitionError(p.Partition, KAFKA.UNKNOWN_SERVER_ERROR),
      ),
    })),
  };
};

function partitionError(partition: number, code: number, hw = -1, logStart = -1): Value {
  return {
    PartitionIndex: partition,
    ErrorCode: code,
    HighWatermark: hw,
    LastStableOffset: hw,
    LogStartOffset: logStart,
    AbortedTransactions: [],
    PreferredReadReplica: -1,
    Records: new Uint8Array(0),
  };
}

function fetched(p: FetchedPartition): Value {
  const hw = p.high_watermark ?? -1;
  const logStart = p.log_start_offset ?? -1;
  if (p.error)
    return partitionError(p.partition, kafkaCode(errorFromBody(p.error), KAFKA.NOT_LEADER_OR_FOLLOWER), hw, logStart);
  // read_committed: the client drops each listed producer's transactional batches from FirstOffset
  // up to its ABORT marker, as it would from a Kafka broker. Null when the read was uncommitted.
  return {
    PartitionIndex: p.partition,
    ErrorCode: NONE,
    HighWatermark: hw,
    LastStableOffset: p.last_stable_offset ?? hw,
    LogStartOffset: logStart,
    AbortedTransactions: p.aborted_transactions
      ? p.aborted_transactions.map((a) => ({ ProducerId: Number(a.producer_id), FirstOffset: a.first_offset }))
      : null,
    PreferredReadReplica: -1,
    Records: p.batches ?? new Uint8Array(0),
  };
}

export const listOffsets: Handler = async (req, ctx) => {
  const topics = req.Topics as {
    Name: string;
    Partitions: { PartitionIndex: number; Timestamp: number; CurrentLeaderEpoch?: number }[];
  }[];
  return {
    ThrottleTimeMs: 0,
    Topics: await Promise.all(
      topics.map(async (t) => ({
        Name: t.Name,
        Partitions: await Promise.all(
          t.Partitions.map(async (p) => {
            const fail = (code: number) => ({
              PartitionIndex: p.PartitionIndex,
              ErrorCode: code,
              OldStyleOffsets: [],
              Timestamp: -1,
              Offset: -1,
            });
            // -2 earliest, -1 latest (Kafka's sentinels); other negatives (-3 max timestamp) are not offered.
            const at =
              p.Timestamp === -2
                ? "earliest"
                : p.Timestamp === -1
                  ? "latest"
                  : p.Timestamp >= 0
                    ? String(p.Timestamp)
                    : null;
            if (at === null) return fail(KAFKA.INVALID_REQUEST);
            if (p.PartitionIndex < 0 || p.PartitionIndex >= MAX_PARTITIONS)
              return fail(KAFKA.UNKNOWN_TOPIC_OR_PARTITION);
            const fenced = await checkLeaderEpoch(ctx, t.Name, p.PartitionIndex, p.CurrentLeaderEpoch);
            if (fenced !== NONE) return fail(fenced);
            try {
              // IsolationLevel 1 (v2+): latest is the last stable offset.
              const isolation = req.IsolationLevel === 1 ? "read_committed" : "read_uncommitted";
              const r = await ctx.upstream.offset(t.Name, p.PartitionIndex, at, ctx.signal, isolation);
              return {
                PartitionIndex: p.PartitionIndex,
                ErrorCode: NONE,
                // v0 answers a list of segment offsets; the one offset found is the useful answer.
                OldStyleOffsets: [r.offset],
                Timestamp: p.Timestamp < 0 ? -1 : r.timestamp,
                Offset: r.offset,
              };
            } catch (e) {
              return fail(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic));
            }
          }),
        ),
      })),
    ),
  };
};

export const initProducerId: Handler = async (req, ctx) => {
  const fail = (code: number) => ({ ThrottleTimeMs: 0, ErrorCode: code, ProducerId: -1, ProducerEpoch: -1 });
  if (req.TransactionalId !== null) return initTransactional(req, ctx);
  // v3+ (KIP-360): a producer that lost track of its state asks again with its id and epoch; both
  // or neither must be given, as Kafka checks.
  const id = typeof req.ProducerId === "number" ? req.ProducerId : -1;
  const epoch = typeof req.ProducerEpoch === "number" ? req.ProducerEpoch : -1;
  if (id < 0 !== epoch < 0) return fail(KAFKA.INVALID_REQUEST);
  try {
    let p;
    try {
      p = await ctx.upstream.initProducerId(ctx.signal, id >= 0 ? String(id) : undefined);
    } catch (e) {
      // Without a transactional id Kafka hands out a new producer id whatever id it was shown
      // (@platformatic/kafka asks with 0/0): only a known id gets its epoch bumped.
      if (!(e instanceof EdgelogError && e.code === "UNKNOWN_PRODUCER_ID")) throw e;
      p = await ctx.upstream.initProducerId(ctx.signal);
    }
    return { ThrottleTimeMs: 0, ErrorCode: NONE, ProducerId: Number(p.id), ProducerEpoch: p.epoch };
  } catch (e) {
    // Kafka needs IdempotentWrite on the cluster for a producer id.
    return fail(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.cluster));
  }
};
