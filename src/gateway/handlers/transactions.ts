// Kafka's transactional producer APIs over edgelog's transaction routes (docs/transactions.md):
// InitProducerId with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and
// EndTxn. The gateway keeps no transaction state: every request names the transactional id,
// producer id and epoch. (The admin side is transaction-admin.ts.)

import { TRANSACTIONAL_ID_PATTERN } from "../../protocol/constants.js";
import type { Value } from "../wire/codec.js";
import { DENIED, failure, KAFKA, NONE } from "../errors.js";
import type { TxnProducer } from "../upstream.js";
import type { Handler, RequestContext } from "./context.js";
import { fanOut } from "./fan-out.js";

/**
 * The first version of each API that knows PRODUCER_FENCED (KIP-588) and TRANSACTION_ABORTABLE
 * (KIP-890): older clients hear INVALID_PRODUCER_EPOCH and INVALID_TXN_STATE instead, as Kafka
 * answers them.
 */
export const KNOWS = {
  InitProducerId: { fenced: 4, abortable: 5 },
  AddPartitionsToTxn: { fenced: 2, abortable: 5 },
  AddOffsetsToTxn: { fenced: 2, abortable: 4 },
  TxnOffsetCommit: { fenced: 3, abortable: 4 },
  EndTxn: { fenced: 2, abortable: 4 },
  Produce: { fenced: Infinity, abortable: 11 },
} as const;

/** A failed transaction call as the client's version of `api` can hear it. */
export function txnCode(e: unknown, api: keyof typeof KNOWS, version: number, denied = DENIED.transactionalId): number {
  const code = failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, denied);
  // A transactional id nobody initialised: Kafka's coordinator answers a producer's request for it
  // INVALID_PRODUCER_ID_MAPPING (TRANSACTIONAL_ID_NOT_FOUND is DescribeTransactions' answer only).
  if (code === KAFKA.TRANSACTIONAL_ID_NOT_FOUND) return KAFKA.INVALID_PRODUCER_ID_MAPPING;
  if (code === KAFKA.PRODUCER_FENCED && version < KNOWS[api].fenced) return KAFKA.INVALID_PRODUCER_EPOCH;
  if (code === KAFKA.TRANSACTION_ABORTABLE && version < KNOWS[api].abortable) return KAFKA.INVALID_TXN_STATE;
  return code;
}

const producerOf = (id: unknown, epoch: unknown): TxnProducer => ({ id: String(id), epoch: Number(epoch) });

/** A transactional id the routes would refuse as a path segment: Kafka's INVALID_REQUEST, no upstream call. */
export const badId = (id: unknown) => typeof id !== "string" || !TRANSACTIONAL_ID_PATTERN.test(id);

/**
 * InitProducerId with a transactional id: the id's producer, its epoch bumped (fencing older
 * holders, aborting what they left open). Version 1 of the transaction protocol: Kafka's clients
 * register partitions and groups explicitly and keep their epoch across transactions; a client
 * that sends its producer id and epoch (KIP-360, v3+) recovers them.
 */
export async function initTransactional(req: Value, ctx: RequestContext): Promise<Value> {
  const fail = (code: number) => ({ ThrottleTimeMs: 0, ErrorCode: code, ProducerId: -1, ProducerEpoch: -1 });
  const id = req.TransactionalId as string;
  if (badId(id)) return fail(KAFKA.INVALID_REQUEST);
  const pid = typeof req.ProducerId === "number" ? req.ProducerId : -1;
  const epoch = typeof req.ProducerEpoch === "number" ? req.ProducerEpoch : -1;
  if (pid < 0 !== epoch < 0) return fail(KAFKA.INVALID_REQUEST);
  try {
    const r = await ctx.upstream.initTransaction(
      id,
      {
        transaction_timeout_ms: req.TransactionTimeoutMs as number,
        version: 1,
        ...(pid >= 0 ? { producer: producerOf(pid, epoch) } : {}),
      },
      ctx.signal,
    );
    return { ThrottleTimeMs: 0, ErrorCode: NONE, ProducerId: Number(r.producer.id), ProducerEpoch: r.producer.epoch };
  } catch (e) {
    return fail(txnCode(e, "InitProducerId", ctx.version));
  }
}

type Topics = { Name: string; Partitions: number[] }[];

const partitionResults = (topics: Topics, code: (topic: string, p: number) => number) =>
  topics.map((t) => ({
    Name: t.Name,
    ResultsByPartition: t.Partitions.map((p) => ({ PartitionIndex: p, PartitionErrorCode: code(t.Name, p) })),
  }));

/** One transaction's partitions registered (or, VerifyOnly, checked), each partition answered. */
async function addPartitions(
  ctx: RequestContext,
  id: string,
  producer: TxnProducer,
  topics: Topics,
  verifyOnly: boolean,
): Promise<{ TopicResults: Value[] }> {
  const answer = (code: (topic: string, p: number) => number) => ({ TopicResults: partitionResults(topics, code) });
  if (badId(id)) return answer(() => KAFKA.INVALID_REQUEST);
  if (verifyOnly) {
    // A broker asking whether the partitions are already in the transaction (KIP-890 part 1).
    try {
      const d = await ctx.upstream.describeTransaction(id, ctx.signal);
      const same = d.producer.id === producer.id && d.producer.epoch === producer.epoch;
      const open = d.state === "Ongoing";
      const has = new Set(d.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}\u0000${p}`)));
      return answer((t, p) =>
        !same ? KAFKA.INVALID_PRODUCER_EPOCH : open && has.has(`${t}\u0000${p}`) ? NONE : KAFKA.INVALID_TXN_STATE,
      );
    } catch (e) {
      const code = txnCode(e, "AddPartitionsToTxn", ctx.version);
      return answer(() => code);
    }
  }
  const body = topics.map((t) => ({ topic: t.Name, partitions: t.Partitions }));
  try {
    await ctx.upstream.addPartitionsToTxn(id, producer, body, ctx.signal);
    return answer(() => NONE);
  } catch (e) {
    // All or nothing upstream: one unknown partition fails the lot, answered on every partition.
    return answer(() => txnCode(e, "AddPartitionsToTxn", ctx.version, DENIED.topic));
  }
}

/**
 * AddPartitionsToTxn: v0-3 are a producer's (one transaction); v4+ batch many transactions, which
 * Kafka's brokers send to verify partitions before a transactional write (VerifyOnly).
 */
export const addPartitionsToTxn: Handler = async (req, ctx) => {
  if (ctx.version < 4) {
    const topics = req.V3AndBelowTopics as Topics;
    const r = await addPartitions(
      ctx,
      req.V3AndBelowTransactionalId as string,
      producerOf(req.V3AndBelowProducerId, req.V3AndBelowProducerEpoch),
      topics,
      false,
    );
    return { ThrottleTimeMs: 0, ResultsByTopicV3AndBelow: r.TopicResults };
  }
  const txns = req.Transactions as {
    TransactionalId: string;
    ProducerId: number;
    ProducerEpoch: number;
    VerifyOnly: boolean;
    Topics: Topics;
  }[];
  return {
    ThrottleTimeMs: 0,
    ErrorCode: NONE,
    ResultsByTransaction: await fanOut(txns, async (t) => ({
      TransactionalId: t.TransactionalId,
      ...(await addPartitions(
        ctx,
        t.TransactionalId,
        producerOf(t.ProducerId, t.ProducerEpoch),
        t.Topics,
        t.VerifyOnly,
      )),
    })),
  };
};

export const addOffsetsToTxn: Handler = async (req, ctx) => {
  const id = req.TransactionalId as string;
  if (badId(id)) return { ThrottleTimeMs: 0, ErrorCode: KAFKA.INVALID_REQUEST };
  try {
    const producer = producerOf(req.ProducerId, req.ProducerEpoch);
    await ctx.upstream.addOffsetsToTxn(id, producer, req.GroupId as string, ctx.signal);
    return { ThrottleTimeMs: 0, ErrorCode: NONE };
  } catch (e) {
    return { ThrottleTimeMs: 0, ErrorCode: txnCode(e, "AddOffsetsToTxn", ctx.version, DENIED.group) };
  }
};

interface TxnOffsetTopic {
  Name: string;
  Partitions: { PartitionIndex: number; CommittedOffset: number; CommittedMetadata: string | null }[];
}

/**
 * TxnOffsetCommit: the offsets wait in the group until the transaction ends. v3+ carry the
 * member's id and generation (KIP-447), checked as a plain commit's are; a failure is the whole
 * request's (the route is all or nothing), answered on every partition.
 */
export const txnOffsetCommit: Handler = async (req, ctx) => {
  const topics = req.Topics as TxnOffsetTopic[];
  const answer = (code: number) => ({
    ThrottleTimeMs: 0,
    Topics: topics.map((t) => ({
      Name: t.Name,
      Partitions: t.Partitions.map((p) => ({ PartitionIndex: p.PartitionIndex, ErrorCode: code })),
    })),
  });
  const id = req.TransactionalId as string;
  if (badId(id)) return answer(KAFKA.INVALID_REQUEST);
  const memberId = ctx.version >= 3 ? (req.MemberId as string) : "";
  const generation = ctx.version >= 3 ? (req.GenerationId as number) : -1;
  try {
    await ctx.upstream.txnOffsetCommit(
      id,
      {
        producer: producerOf(req.ProducerId, req.ProducerEpoch),
        group_id: req.GroupId as string,
        // A member's commit is fenced by its id and generation (its epoch here); none: an empty group's.
        ...(memberId !== "" ? { member_id: memberId, member_epoch: generation } : {}),
        ...(ctx.version >= 3 && req.GroupInstanceId !== null ? { instance_id: req.GroupInstanceId as string } : {}),
        offsets: topics.flatMap((t) =>
          t.Partitions.map((p) => ({
            topic: t.Name,
            partition: p.PartitionIndex,
            offset: p.CommittedOffset,
            metadata: p.CommittedMetadata,
          })),
        ),
      },
      ctx.signal,
    );
    return answer(NONE);
  } catch (e) {
    // Group codes (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, …) come through kafkaCode's mapping.
    return answer(txnCode(e, "TxnOffsetCommit", ctx.version, DENIED.group));
  }
};

export const endTxn: Handler = async (req, ctx) => {
  const fail = (code: number) => ({ ThrottleTimeMs: 0, ErrorCode: code, ProducerId: -1, ProducerEpoch: -1 });
  const id = req.TransactionalId as string;
  if (badId(id)) return fail(KAFKA.INVALID_REQUEST);
  try {
    const producer = producerOf(req.ProducerId, req.ProducerEpoch);
    const r = await ctx.upstream.endTxn(id, producer, req.Committed === true, ctx.signal);
    return { ThrottleTimeMs: 0, ErrorCode: NONE, ProducerId: Number(r.producer.id), ProducerEpoch: r.producer.epoch };
  } catch (e) {
    return fail(txnCode(e, "EndTxn", ctx.version));
  }
};
