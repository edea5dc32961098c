// HTTP API v1 shapes for records: produce (JSON bodies and raw RecordBatch), idempotent producers,
// fetch, multi-partition fetch and the live tail.

import { z } from "zod";
import {
  FETCH_MAX_BYTES_CAP,
  FETCH_MAX_RECORDS_CAP,
  FETCH_MAX_WAIT_MS,
  MAX_PARTITIONS,
  VALUE_FORMATS,
} from "./constants.js";
import { REPLICA_REGIONS } from "./topic-config.js";
import { offset, partition, ErrorBodySchema, IsolationSchema, lastStableOffset, intParam } from "./api-fields.js";

export const FormatSchema = z.enum(VALUE_FORMATS);

export const ProduceRecordSchema = z.strictObject({
  key: z.string().nullable().optional().describe("UTF-8 key; hashed with murmur2 to pick the partition"),
  key_b64: z.string().optional().describe("binary key, base64 (instead of key)"),
  value: z
    .unknown()
    .optional()
    .describe("json: any JSON; string: text; binary: base64. Null or absent is a null value (a tombstone)"),
  headers: z.record(z.string(), z.string().nullable()).optional(),
  partition: partition.nullable().optional(),
  timestamp: z.number().int().min(0).nullable().optional().describe("ms since the epoch; default now"),
});

const sequence = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export const ProducerSchema = z
  .strictObject({
    // Ids are random positive integers below 2^53 (at most 16 digits); the registry refuses others.
    id: z.string().regex(/^\d{1,16}$/, "producer id must be the decimal id POST /v1/producers returned"),
    epoch: z.number().int().min(0).max(32767),
    sequence: sequence
      .optional()
      .describe(
        "base sequence when every record goes to one partition: records this producer sent to it before, in this epoch",
      ),
    sequences: z
      .record(z.string().regex(/^\d{1,4}$/), sequence)
      .optional()
      .describe("base sequence per partition the request writes to, keyed by partition number"),
    transactional_id: z
      .string()
      .optional()
      .describe(
        "write inside this transactional id's open transaction (docs/transactions.md); id and epoch are what its init, commit or abort answered",
      ),
  })
  .refine(
    (p) => (p.sequence === undefined) !== (p.sequences === undefined),
    "give producer.sequence or producer.sequences, not both or neither",
  );

export const InitProducerSchema = z.strictObject({
  id: z.string().optional().describe("an id to re-initialise: its epoch is bumped, fencing the old holder"),
});

export const ProducerIdentitySchema = z.object({ id: z.string(), epoch: z.number().int() });

export const AcksSchema = z.union([z.literal(0), z.literal(1), z.literal(-1), z.literal("all")]);

/** The raw RecordBatch v2 route's query (JSON bodies carry these in the body). */
export const BatchProduceQuerySchema = z.object({
  acks: z.enum(["1", "all", "-1"]).optional().describe("1 (default) or all"),
  transactional_id: z
    .string()
    .optional()
    .describe("the batches are transactional (attribute bit 0x10) and belong to this transactional id's producer"),
});

export const ProduceRequestSchema = z.strictObject({
  records: z.array(ProduceRecordSchema).min(1),
  format: FormatSchema.default("json"),
  acks: AcksSchema.default(1),
  producer: ProducerSchema.optional().describe("idempotent producer: retries with the same sequence are written once"),
});

export const ProducedRecordSchema = z.object({
  partition: z.number().int(),
  offset: z.number().int().optional(),
  timestamp: z.number().int().optional(),
  duplicate: z.boolean().optional().describe("true when this was a retry of records already written"),
  error: ErrorBodySchema.shape.error.optional(),
});

export const ProduceReplySchema = z.object({ records: z.array(ProducedRecordSchema) });

export const BatchProduceReplySchema = z.object({
  batches: z.array(
    z.object({
      base_offset: z.number().int(),
      last_offset: z.number().int(),
      log_start_offset: z.number().int(),
      timestamp: z.number().int(),
    }),
  ),
});

/** Which copy of a geo-replicated partition serves a read. */
export const ReplicaChoiceSchema = z
  .enum(["nearest", "leader", ...REPLICA_REGIONS])
  .describe(
    "geo-replicated topics: nearest (default: the reader's region if the topic has a replica there), leader, or a region; a copy that is behind hands the read to the leader",
  );

export const DecodeSchema = z
  .enum(["registry"])
  .describe(
    "registry: values framed for the schema registry (magic byte 0, 4-byte id) are decoded to JSON with their schema (JSON fetch and SSE)",
  );

export const FetchQuerySchema = z.object({
  offset: intParam("offset"),
  max_records: intParam("max_records").pipe(z.number().min(1).max(FETCH_MAX_RECORDS_CAP)).optional(),
  max_bytes: intParam("max_bytes").pipe(z.number().min(1).max(FETCH_MAX_BYTES_CAP)).optional(),
  wait_ms: intParam("wait_ms").pipe(z.number().max(FETCH_MAX_WAIT_MS)).optional(),
  format: FormatSchema.optional(),
  live: z
    .enum(["sse"])
    .optional()
    .describe(
      'sse streams Server-Sent Events (event: records, id: next offset; Last-Event-ID resumes). A WebSocket upgrade on this URL streams the same JSON frames; acknowledge each with {"ack": next_offset}',
    ),
  raw: z.enum(["true", "false"]).optional().describe("WebSocket only: binary frames of whole RecordBatch v2"),
  replica: ReplicaChoiceSchema.optional(),
  decode: DecodeSchema.optional(),
  isolation: IsolationSchema.optional(),
});

export const FetchedRecordSchema = z.object({
  offset: z.number().int(),
  timestamp: z.number().int(),
  key: z.string().nullable().optional(),
  key_b64: z.string().optional(),
  value: z.unknown().optional(),
  value_b64: z.string().optional(),
  value_schema_id: z
    .number()
    .int()
    .optional()
    .describe("decode=registry: the schema id of a registry-framed value, which `value` holds decoded"),
  headers: z.record(z.string(), z.string().nullable()).optional(),
  headers_b64: z.record(z.string(), z.string().nullable()).optional(),
});

export const FetchReplySchema = z.object({
  records: z.array(FetchedRecordSchema),
  next_offset: z.number().int(),
  high_watermark: z.number().int(),
  log_start_offset: z.number().int(),
  last_stable_offset: lastStableOffset,
});

/** An aborted transaction overlapping a raw read, as Kafka's Fetch response lists it. */
export const AbortedTransactionSchema = z.object({
  producer_id: z.string(),
  first_offset: z.number().int().describe("the transaction's first offset in this partition"),
});

/** One live-tail event (SSE `event: records`) or WebSocket frame. */
export const LiveFrameSchema = FetchReplySchema.pick({
  records: true,
  next_offset: true,
  high_watermark: true,
  last_stable_offset: true,
});

export const MultiFetchRequestSchema = z.strictObject({
  partitions: z
    .array(
      z.strictObject({
        topic: z.string(),
        partition,
        offset,
        max_bytes: z.number().int().min(1).max(FETCH_MAX_BYTES_CAP).optional(),
      }),
    )
    .min(1)
    .max(MAX_PARTITIONS),
  wait_ms: z.number().int().min(0).max(FETCH_MAX_WAIT_MS).default(0),
  max_bytes: z.number().int().min(1).max(FETCH_MAX_BYTES_CAP).optional(),
  max_records: z.number().int().min(1).max(FETCH_MAX_RECORDS_CAP).optional(),
  format: z
    .enum([...VALUE_FORMATS, "batches"])
    .default("json")
    .describe(
      "batches: whole RecordBatch v2 as stored (base64 in batches_b64), as Kafka returns them; the first may begin below offset",
    ),
  replica: ReplicaChoiceSchema.optional(),
  decode: DecodeSchema.optional(),
  isolation: IsolationSchema.optional(),
});

export const MultiFetchReplySchema = z.object({
  partitions: z.array(
    z.object({
      topic: z.string(),
      partition: z.number().int(),
      records: z.array(FetchedRecordSchema).optional(),
      batches_b64: z.string().optional().describe("format batches: the concatenated raw batches, base64"),
      batches_bytes: z
        .number()
        .int()
        .optional()
        .describe(
          "binary reply (Accept: application/vnd.edgelog.multi-fetch): how many bytes of raw batches follow the header for this partition",
        ),
      aborted_transactions: z
        .array(AbortedTransactionSchema)
        .optional()
        .describe(
          "format batches under read_committed: aborted transactions overlapping the batches; skip each producer's transactional batches from first_offset to its ABORT marker",
        ),
      error: ErrorBodySchema.shape.error.optional(),
      next_offset: z.number().int().optional(),
      high_watermark: z.number().int().optional(),
      log_start_offset: z.number().int().optional(),
      last_stable_offset: lastStableOffset.optional(),
    }),
  ),
});

export type ProduceReply = z.infer<typeof ProduceReplySchema>;

export type ProducedRecord = z.infer<typeof ProducedRecordSchema>;

export type BatchProduceReply = z.infer<typeof BatchProduceReplySchema>;

export type ProducerIdentity = z.infer<typeof ProducerIdentitySchema>;

export type MultiFetchBody = z.input<typeof MultiFetchRequestSchema>;

export type ProducerFields = z.infer<typeof ProducerSchema>;

export type ProduceRequest = z.infer<typeof ProduceRequestSchema>;

export type ProduceRecordInput = z.infer<typeof ProduceRecordSchema>;

export type FetchedRecord = z.infer<typeof FetchedRecordSchema>;

export type FetchReply = z.infer<typeof FetchReplySchema>;

export type LiveFrame = z.infer<typeof LiveFrameSchema>;

export type MultiFetchRequest = z.infer<typeof MultiFetchRequestSchema>;

export type MultiFetchReply = z.infer<typeof MultiFetchReplySchema>;

export type AbortedTransaction = z.infer<typeof AbortedTransactionSchema>;
