// HTTP API v1 shapes for transactions (docs/transactions.md): the coordinator's calls, describe
// and list, and a partition's open transactions.

import { z } from "zod";
import {
  MAX_PARTITIONS,
  TRANSACTION_DEFAULT_TIMEOUT_MS,
  TRANSACTION_MAX_TIMEOUT_MS,
  TRANSACTION_STATES,
} from "./constants.js";
import { offset, partition, pageQuery } from "./api-fields.js";
import { ProducerIdentitySchema } from "./records-api.js";
import { CommitOffsetsSchema, GroupListSchema } from "./groups-api.js";

/** A transactional producer, as init (or, with version 2, the last commit or abort) answered it. */
export const TransactionProducerSchema = z.strictObject({
  id: z.string().regex(/^\d{1,16}$/, "producer id must be the decimal id the transactional id's init answered"),
  epoch: z.number().int().min(0).max(32767),
});

export const InitTransactionSchema = z.strictObject({
  transaction_timeout_ms: z
    .number()
    .int()
    .optional()
    .describe(
      `how long a transaction may stay open before the coordinator aborts it (default ${TRANSACTION_DEFAULT_TIMEOUT_MS}, at most ${TRANSACTION_MAX_TIMEOUT_MS})`,
    ),
  version: z
    .union([z.literal(1), z.literal(2)])
    .optional()
    .describe("transaction protocol: 2 (default; KIP-890, an epoch per transaction) or 1 (KIP-98/447)"),
  producer: TransactionProducerSchema.optional().describe(
    "KIP-360 recovery: the producer id and epoch this instance holds; keeps the producer id, fenced if another instance took over",
  ),
});

export const InitTransactionReplySchema = z.object({
  transactional_id: z.string(),
  producer: ProducerIdentitySchema,
  version: z.number().int(),
  transaction_timeout_ms: z.number().int(),
});

const txnTopics = z
  .array(z.strictObject({ topic: z.string(), partitions: z.array(partition).min(1).max(MAX_PARTITIONS) }))
  .min(1)
  .max(MAX_PARTITIONS);

export const AddPartitionsToTxnSchema = z.strictObject({ producer: TransactionProducerSchema, topics: txnTopics });

export const AddPartitionsToTxnReplySchema = z.object({
  topics: z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) })),
});

export const AddOffsetsToTxnSchema = z.strictObject({ producer: TransactionProducerSchema, group_id: z.string() });

export const AddOffsetsToTxnReplySchema = z.object({ group_id: z.string() });

export const TxnOffsetCommitSchema = z.strictObject({
  producer: TransactionProducerSchema,
  group_id: z.string(),
  member_id: CommitOffsetsSchema.shape.member_id,
  member_epoch: CommitOffsetsSchema.shape.member_epoch,
  instance_id: z.string().min(1).max(255).nullable().optional().describe("static membership id, if the member has one"),
  offsets: CommitOffsetsSchema.shape.offsets,
});

export const EndTxnSchema = z.strictObject({ producer: TransactionProducerSchema });

export const EndTxnReplySchema = z.object({
  transactional_id: z.string(),
  result: z.enum(["committed", "aborted"]),
  producer: ProducerIdentitySchema.describe(
    "the producer to use next: version 2 bumps the epoch (or gives a new id at epoch 0 once exhausted); version 1 keeps it",
  ),
  complete: z
    .boolean()
    .describe("every marker was written before the reply; false: the decision is durable and markers are retried"),
});

export const TransactionStateSchema = z.enum(TRANSACTION_STATES);

export const TransactionSchema = z.object({
  transactional_id: z.string(),
  state: TransactionStateSchema,
  producer: ProducerIdentitySchema,
  version: z.number().int(),
  transaction_timeout_ms: z.number().int(),
  transaction_start_ms: z.number().int().nullable().describe("when the current transaction began; null when none is"),
  last_update_ms: z.number().int(),
  topics: z
    .array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) }))
    .describe("the partitions of the current (or last) transaction"),
  groups: z.array(z.string()).describe("the groups whose offsets the current (or last) transaction commits"),
  pending_markers: z.number().int().describe("participants still to be told the outcome"),
});

export const TransactionListQuerySchema = pageQuery("transactional ids").extend({
  state: z
    .string()
    .optional()
    .describe(`only these states, comma-separated (${TRANSACTION_STATES.join(", ")})`),
  producer_id: z.string().optional().describe("only the transactional id holding this producer id"),
});

export const TransactionListSchema = z.object({
  transactions: z.array(
    z.object({ transactional_id: z.string(), state: TransactionStateSchema, producer_id: z.string() }),
  ),
  next_after: GroupListSchema.shape.next_after,
});

export const PartitionTransactionsSchema = z.object({
  partition: z.number().int(),
  last_stable_offset: z.number().int(),
  high_watermark: z.number().int(),
  transactions: z.array(
    z.object({
      producer_id: z.string(),
      producer_epoch: z.number().int(),
      transactional_id: z.string().nullable(),
      first_offset: z.number().int(),
      last_offset: z.number().int(),
      open_ms: z.number().int().describe("how long the transaction has been open on this partition"),
      hanging: z.boolean().describe("open for longer than transaction.max.timeout.ms (15 minutes)"),
    }),
  ),
});

export const AbortPartitionTransactionSchema = z
  .strictObject({
    producer_id: z.string().optional().describe("the open transaction's producer id"),
    start_offset: offset.optional().describe("or its first offset on this partition"),
  })
  .refine((b) => (b.producer_id === undefined) !== (b.start_offset === undefined), "give producer_id or start_offset");

export const AbortedPartitionTransactionSchema = z.object({
  producer_id: z.string(),
  first_offset: z.number().int(),
  marker_offset: z.number().int(),
});

export type InitTransactionRequest = z.infer<typeof InitTransactionSchema>;

export type InitTransactionReply = z.infer<typeof InitTransactionReplySchema>;

export type TxnOffsetCommitRequest = z.infer<typeof TxnOffsetCommitSchema>;

export type EndTxnReply = z.infer<typeof EndTxnReplySchema>;

export type TransactionDescription = z.infer<typeof TransactionSchema>;

export type PartitionTransactions = z.infer<typeof PartitionTransactionsSchema>;
