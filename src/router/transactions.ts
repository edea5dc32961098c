// Transaction routes (docs/transactions.md): init, register partitions and groups, offsets in a
// transaction, commit and abort, describe and list; a partition's open transactions and their abort.

import type { Context } from "hono";
import type { z } from "zod";
import {
  AbortedPartitionTransactionSchema,
  AbortPartitionTransactionSchema,
  AddOffsetsToTxnReplySchema,
  AddOffsetsToTxnSchema,
  AddPartitionsToTxnReplySchema,
  AddPartitionsToTxnSchema,
  EndTxnReplySchema,
  EndTxnSchema,
  InitTransactionReplySchema,
  InitTransactionSchema,
  PartitionTransactionsSchema,
  TransactionListQuerySchema,
  TransactionListSchema,
  TransactionSchema,
  TxnOffsetCommitSchema,
} from "../protocol/api.js";
import { LIST_PAGE_DEFAULT, TRANSACTIONAL_ID_PATTERN } from "../protocol/constants.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { validateTopicName } from "../protocol/topic-config.js";
import { topicRef } from "../protocol/topic.js";
import { groupResource, topicResource, transactionalIdResource } from "../auth/grants.js";
import type { TxnParticipant, TxnProducer, TxnSummary } from "../contracts/transactions.js";
import { clusterObject, coordinatorObject, txnCoordinatorObject } from "../objects.js";
import type { AppEnv } from "./app-env.js";
import { onLeader } from "./leaders.js";
import { hasGrant, requireGrant } from "./auth.js";
import { groupParam } from "./groups.js";
import { topics } from "./objects.js";
import { partitionParam, pathParam } from "./params.js";
import { inHandler, onTopic, onTransactionalId } from "./permissions.js";
import { route, type Route } from "./route.js";

export const transactionRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/transactions/:tid/init",
    summary:
      "Initialise a transactional producer (InitProducerId): a producer id and epoch; fences older holders and aborts what they left open",
    permission: onTransactionalId("write"),
    body: InitTransactionSchema,
    bodyOptional: true,
    ok: { status: 200, schema: InitTransactionReplySchema },
    handler: (c, { body }) => init(c, body),
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/partitions",
    summary: "Register partitions with the open transaction (AddPartitionsToTxn; version 1)",
    permission: onTransactionalId("write"),
    body: AddPartitionsToTxnSchema,
    ok: { status: 200, schema: AddPartitionsToTxnReplySchema },
    handler: (c, { body }) => addPartitions(c, body),
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/groups",
    summary: "Register a consumer group's offsets with the open transaction (AddOffsetsToTxn; version 1)",
    permission: onTransactionalId("write"),
    body: AddOffsetsToTxnSchema,
    ok: { status: 200, schema: AddOffsetsToTxnReplySchema },
    handler: (c, { body }) => addGroup(c, body),
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/offsets",
    summary:
      "Commit consumed offsets inside the transaction (TxnOffsetCommit), fenced by the group's member id and epoch",
    permission: onTransactionalId("write"),
    body: TxnOffsetCommitSchema,
    ok: { status: 204 },
    handler: (c, { body }) => commitOffsets(c, body),
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/commit",
    summary: "Commit the transaction (EndTxn): markers to every partition, pending offsets become committed",
    permission: onTransactionalId("write"),
    body: EndTxnSchema,
    ok: { status: 200, schema: EndTxnReplySchema },
    handler: (c, { body }) => endTxn(c, body, "commit"),
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/abort",
    summary: "Abort the transaction (EndTxn): abort markers to every partition, pending offsets dropped",
    permission: onTransactionalId("write"),
    body: EndTxnSchema,
    ok: { status: 200, schema: EndTxnReplySchema },
    handler: (c, { body }) => endTxn(c, body, "abort"),
  }),
  route({
    method: "GET",
    path: "/v1/transactions",
    summary: "List transactional ids with their state (ListTransactions), a page at a time",
    permission: inHandler("lists only the transactional ids the token may describe"),
    query: TransactionListQuerySchema,
    ok: { status: 200, schema: TransactionListSchema },
    handler: (c, { query }) => list(c, query),
  }),
  route({
    method: "GET",
    path: "/v1/transactions/:tid",
    summary: "Describe a transactional id (DescribeTransactions): state, producer, partitions, groups",
    permission: onTransactionalId("describe"),
    ok: { status: 200, schema: TransactionSchema },
    handler: describe,
  }),
  route({
    method: "GET",
    path: "/v1/topics/:topic/partitions/:p/transactions",
    summary: "A partition's open transactions (DescribeProducers), with those hanging flagged",
    permission: onTopic("describe"),
    ok: { status: 200, schema: PartitionTransactionsSchema },
    handler: partitionTransactions,
  }),
  route({
    method: "POST",
    path: "/v1/topics/:topic/partitions/:p/transactions/abort",
    summary: "Abort a hanging transaction on this partition alone (kafka-transactions.sh abort)",
    permission: onTopic("admin"),
    body: AbortPartitionTransactionSchema,
    ok: { status: 200, schema: AbortedPartitionTransactionSchema },
    handler: (c, { body }) => abortOnPartition(c, body),
  }),
];

/** Transactional ids are path segments, spelled as group ids; anything else is refused before anything is written. */
export function checkTransactionalId(raw: string): string {
  if (!TRANSACTIONAL_ID_PATTERN.test(raw)) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `transactional ids are 1-249 characters of [a-zA-Z0-9._-], got ${JSON.stringify(raw.slice(0, 260))}`,
    );
  }
  return raw;
}

const producerOf = (p: { id: string; epoch: number }): TxnProducer => ({ id: Number(p.id), epoch: p.epoch });

function transactionalId(c: Context<AppEnv>): string {
  return checkTransactionalId(pathParam(c, "tid"));
}

async function init(c: Context<AppEnv>, body: z.output<typeof InitTransactionSchema>): Promise<Response> {
  const tid = transactionalId(c);
  const reply = unwrap(
    await txnCoordinatorObject(c.env, tid).init(tid, {
      timeoutMs: body.transaction_timeout_ms,
      version: body.version,
      producer: body.producer && producerOf(body.producer),
    }),
  );
  return c.json(reply);
}

/** AddPartitionsToTxn: every partition must exist, and the token may produce to each topic. */
async function addPartitions(c: Context<AppEnv>, body: z.output<typeof AddPartitionsToTxnSchema>): Promise<Response> {
  const tid = transactionalId(c);
  for (const t of body.topics) requireGrant(c, topicResource(validateTopicName(t.topic)), "produce");
  const participants: TxnParticipant[] = [];
  for (const t of body.topics) {
    const topic = await topics.withPartition(c.env, t.topic, Math.max(...t.partitions));
    for (const partition of new Set(t.partitions)) {
      participants.push({
        kind: "partition",
        topic: topic.name,
        topicId: topic.id,
        partition,
        ref: topicRef(topic, partition),
      });
    }
  }
  unwrap(await txnCoordinatorObject(c.env, tid).add(tid, producerOf(body.producer), participants));
  return c.json({ topics: body.topics.map((t) => ({ topic: t.topic, partitions: [...new Set(t.partitions)] })) });
}

/** AddOffsetsToTxn: Kafka asks READ on the group. */
async function addGroup(c: Context<AppEnv>, body: z.output<typeof AddOffsetsToTxnSchema>): Promise<Response> {
  const tid = transactionalId(c);
  const group = groupParam(body.group_id);
  requireGrant(c, groupResource(group), "consume");
  unwrap(await txnCoordinatorObject(c.env, tid).add(tid, producerOf(body.producer), [{ kind: "group", group }]));
  return c.json({ group_id: group });
}

/** TxnOffsetCommit: READ on the group and on each topic, as Kafka's; the group fences by member (KIP-447). */
async function commitOffsets(c: Context<AppEnv>, body: z.output<typeof TxnOffsetCommitSchema>): Promise<Response> {
  const tid = transactionalId(c);
  const group = groupParam(body.group_id);
  requireGrant(c, groupResource(group), "consume");
  for (const o of body.offsets) requireGrant(c, topicResource(validateTopicName(o.topic)), "consume");
  unwrap(
    await coordinatorObject(c.env, group).txnCommit(group, {
      transactionalId: tid,
      producer: producerOf(body.producer),
      member_id: body.member_id,
      member_epoch: body.member_epoch,
      instance_id: body.instance_id,
      offsets: body.offsets,
    }),
  );
  return c.body(null, 204);
}

async function endTxn(
  c: Context<AppEnv>,
  body: z.output<typeof EndTxnSchema>,
  result: "commit" | "abort",
): Promise<Response> {
  const tid = transactionalId(c);
  return c.json(unwrap(await txnCoordinatorObject(c.env, tid).end(tid, producerOf(body.producer), result)));
}

async function describe(c: Context<AppEnv>): Promise<Response> {
  const tid = transactionalId(c);
  return c.json(unwrap(await txnCoordinatorObject(c.env, tid).describe(tid)));
}

/**
 * ListTransactions, a page at a time, only ids the token may describe. With filters, coordinators
 * are asked a page's worth at a time until the page is full or the directory ends.
 */
async function list(c: Context<AppEnv>, query: z.output<typeof TransactionListQuerySchema>): Promise<Response> {
  const { limit = LIST_PAGE_DEFAULT, after } = query;
  const states = query.state?.split(",").filter((x) => x !== "");
  const names = unwrap(await clusterObject(c.env).listTransactions())
    .filter((t) => (after === undefined || t > after) && hasGrant(c, transactionalIdResource(t), "describe"))
    .sort();
  const out: TxnSummary[] = [];
  let examined = 0;
  while (out.length < limit && examined < names.length) {
    const chunk = names.slice(examined, examined + limit);
    examined += chunk.length;
    const summaries = await Promise.all(
      chunk.map(async (t) => unwrap(await txnCoordinatorObject(c.env, t).summary(t))),
    );
    for (const s of summaries) {
      if (!s || (states && !states.includes(s.state)) || (query.producer_id && s.producer_id !== query.producer_id))
        continue;
      if (out.length < limit) out.push(s);
    }
  }
  // A full page continues after its last id (ids examined past it are examined again next page).
  const last = out.at(-1)?.transactional_id;
  const more = out.length >= limit && last !== undefined && last !== names.at(-1);
  return c.json({ transactions: out, next_after: more ? last : null });
}

async function partitionTransactions(c: Context<AppEnv>): Promise<Response> {
  const p = partitionParam(pathParam(c, "p"));
  const topic = await topics.withPartition(c.env, pathParam(c, "topic"), p);
  // The leader's books: after a failover the home copy may be a deposed one.
  return c.json(await onLeader(c.env, topic, p, (stub, ref) => stub.transactions(ref), true));
}

async function abortOnPartition(
  c: Context<AppEnv>,
  body: z.output<typeof AbortPartitionTransactionSchema>,
): Promise<Response> {
  const p = partitionParam(pathParam(c, "p"));
  const topic = await topics.withPartition(c.env, pathParam(c, "topic"), p);
  const which =
    body.producer_id !== undefined ? { producerId: Number(body.producer_id) } : { startOffset: body.start_offset! };
  // A copy refuses before writing when it does not lead, so following the leader is safe.
  return c.json(await onLeader(c.env, topic, p, (stub, ref) => stub.abortTransaction(ref, which)));
}
