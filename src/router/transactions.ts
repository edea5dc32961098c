// Transaction routes (docs/transactions.md): init, register partitions and groups, offsets in a
// transaction, commit and abort, describe and list; a partition's open transactions and their abort.

import type { Context } from "hono";
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
import { EdgelogError } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
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
    handler: notYet,
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/partitions",
    summary: "Register partitions with the open transaction (AddPartitionsToTxn; version 1)",
    permission: onTransactionalId("write"),
    body: AddPartitionsToTxnSchema,
    ok: { status: 200, schema: AddPartitionsToTxnReplySchema },
    handler: notYet,
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/groups",
    summary: "Register a consumer group's offsets with the open transaction (AddOffsetsToTxn; version 1)",
    permission: onTransactionalId("write"),
    body: AddOffsetsToTxnSchema,
    ok: { status: 200, schema: AddOffsetsToTxnReplySchema },
    handler: notYet,
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/offsets",
    summary:
      "Commit consumed offsets inside the transaction (TxnOffsetCommit), fenced by the group's member id and epoch",
    permission: onTransactionalId("write"),
    body: TxnOffsetCommitSchema,
    ok: { status: 204 },
    handler: notYet,
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/commit",
    summary: "Commit the transaction (EndTxn): markers to every partition, pending offsets become committed",
    permission: onTransactionalId("write"),
    body: EndTxnSchema,
    ok: { status: 200, schema: EndTxnReplySchema },
    handler: notYet,
  }),
  route({
    method: "POST",
    path: "/v1/transactions/:tid/abort",
    summary: "Abort the transaction (EndTxn): abort markers to every partition, pending offsets dropped",
    permission: onTransactionalId("write"),
    body: EndTxnSchema,
    ok: { status: 200, schema: EndTxnReplySchema },
    handler: notYet,
  }),
  route({
    method: "GET",
    path: "/v1/transactions",
    summary: "List transactional ids with their state (ListTransactions), a page at a time",
    permission: inHandler("lists only the transactional ids the token may describe"),
    query: TransactionListQuerySchema,
    ok: { status: 200, schema: TransactionListSchema },
    handler: notYet,
  }),
  route({
    method: "GET",
    path: "/v1/transactions/:tid",
    summary: "Describe a transactional id (DescribeTransactions): state, producer, partitions, groups",
    permission: onTransactionalId("describe"),
    ok: { status: 200, schema: TransactionSchema },
    handler: notYet,
  }),
  route({
    method: "GET",
    path: "/v1/topics/:topic/partitions/:p/transactions",
    summary: "A partition's open transactions (DescribeProducers), with those hanging flagged",
    permission: onTopic("describe"),
    ok: { status: 200, schema: PartitionTransactionsSchema },
    handler: notYet,
  }),
  route({
    method: "POST",
    path: "/v1/topics/:topic/partitions/:p/transactions/abort",
    summary: "Abort a hanging transaction on this partition alone (kafka-transactions.sh abort)",
    permission: onTopic("admin"),
    body: AbortPartitionTransactionSchema,
    ok: { status: 200, schema: AbortedPartitionTransactionSchema },
    handler: notYet,
  }),
];

function notYet(c: Context<AppEnv>): Response {
  throw new EdgelogError("UNKNOWN_SERVER_ERROR", `${c.req.method} ${c.req.path}: transactions are being built`);
}
