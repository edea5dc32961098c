// Request and reply shapes of HTTP API v1, as zod schemas: the router validates with them,
// the OpenAPI document is generated from them, and the SDK takes its types from them.

import { z } from "zod";
import { REPLICA_REGIONS, TOPIC_CONFIG_KEYS } from "./topic-config.js";
import {
  LIST_PAGE_DEFAULT,
  LIST_PAGE_MAX,
  FETCH_MAX_BYTES_CAP,
  FETCH_MAX_RECORDS_CAP,
  FETCH_MAX_WAIT_MS,
  ISOLATION_LEVELS,
  MAX_PARTITIONS,
  OFFSET_METADATA_MAX_CHARS,
  OPERATIONS,
  TOPIC_NAME_PATTERN,
  TRANSACTION_DEFAULT_TIMEOUT_MS,
  TRANSACTION_MAX_TIMEOUT_MS,
  TRANSACTION_STATES,
  VALUE_FORMATS,
} from "./constants.js";

const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const partition = z
  .number()
  .int()
  .min(0)
  .max(MAX_PARTITIONS - 1);

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), retriable: z.boolean() }),
});

export const TopicConfigSchema = z
  .record(z.string(), z.unknown())
  .describe(`Kafka config names to values; the keys: ${TOPIC_CONFIG_KEYS.join(", ")} (docs/topics.md)`);

export const CreateTopicSchema = z.strictObject({
  name: z.string(),
  partitions: z.number().int().optional().describe(`1..${MAX_PARTITIONS}, default 1`),
  config: TopicConfigSchema.optional(),
});

export const AlterTopicSchema = z.strictObject({
  partitions: z.number().int().optional().describe("a larger partition count"),
  config: TopicConfigSchema.optional().describe("keys to set; null resets a key to its default"),
});

export const TopicSchema = z.object({
  name: z.string(),
  id: z.string(),
  partitions: z.number().int(),
  config: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  created_at: z.number().int(),
});

/** Kafka's isolation.level, on every read path (docs/transactions.md). */
export const IsolationSchema = z
  .enum(ISOLATION_LEVELS)
  .describe(
    "read_committed: stop at the last stable offset and leave out aborted transactions' records; read_uncommitted (the HTTP default): every data record up to the high watermark. Control records (transaction markers) are never shown as records",
  );

const lastStableOffset = z
  .number()
  .int()
  .describe("the first offset of the oldest open transaction, or the high watermark when none is open");

export const PartitionInfoSchema = z.object({
  partition: z.number().int(),
  log_start_offset: z.number().int(),
  high_watermark: z.number().int(),
  last_stable_offset: lastStableOffset,
  bytes: z.number().int().describe("bytes in the hot tier (SQLite)"),
  archived_bytes: z.number().int().describe("bytes in archived R2 segments"),
  segments: z.number().int().describe("sealed segments (archived, or sealed in place for compacted topics)"),
  log_end_offset: z
    .number()
    .int()
    .describe("the next offset to be written; above high_watermark while in-sync replicas have yet to copy it"),
  isr: z.array(z.string()).optional().describe("geo-replicated topics: the replicas in sync, leader first"),
  replicas: z
    .array(
      z.object({
        region: z.string(),
        log_end_offset: z.number().int().nullable().describe("what the follower holds (null until it first answers)"),
        lag: z.number().int().nullable().describe("offsets behind the leader's log end"),
        in_sync: z.boolean(),
        caught_up_ms_ago: z.number().int().describe("time since the follower last held everything the leader had"),
        error: z.string().optional().describe("the last shipping failure, while the follower is failing"),
        unclean_election_loss: z
          .number()
          .int()
          .optional()
          .describe(
            "with unclean.leader.election.enable, on an out-of-sync copy: records an unclean election of it would lose now",
          ),
      }),
    )
    .optional(),
  leader: z.string().optional().describe("geo-replicated topics: the copy that leads, `home` or a region"),
  leader_epoch: z
    .number()
    .int()
    .optional()
    .describe("geo-replicated topics: the leader epoch, bumped by each election"),
});

export const DescribeTopicSchema = TopicSchema.extend({
  partitions: z.array(PartitionInfoSchema),
  partition_count: z.number().int(),
});

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

const intParam = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${name} is too large`);

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

export const OffsetsQuerySchema = z.object({
  at: z
    .union([z.enum(["earliest", "latest"]), intParam("at")])
    .default("latest")
    .describe("earliest, latest, or a timestamp in ms"),
  isolation: IsolationSchema.optional().describe("read_committed: latest is the last stable offset"),
});

export const OffsetReplySchema = z.object({ offset: z.number().int(), timestamp: z.number().int() });

export const DeleteRecordsSchema = z.strictObject({
  before_offset: z
    .number()
    .int()
    .min(-1)
    .max(Number.MAX_SAFE_INTEGER)
    .describe("records below this offset are deleted; -1 means the high watermark (everything written)"),
});

export const ElectLeadersSchema = z.strictObject({
  election_type: z
    .enum(["preferred", "clean", "unclean"])
    .default("preferred")
    .describe(
      "preferred: back to the home copy (Kafka's preferred leader); clean: to `region`, which must be in sync; unclean: to `region` even out of sync (needs unclean.leader.election.enable)",
    ),
  region: z.string().optional().describe("the copy to elect (a replica region, or home); required unless preferred"),
  partitions: z.array(z.number().int().min(0)).max(MAX_PARTITIONS).optional().describe("default: every partition"),
});

export const ElectLeadersReplySchema = z.object({
  partitions: z.array(z.object({ partition: z.number().int(), leader: z.string(), leader_epoch: z.number().int() })),
});

export const LeaderEpochQuerySchema = z.object({
  epoch: intParam("epoch").describe("a leader epoch, as stamped in the batches a client read"),
});

export const LeaderEpochEndSchema = z.object({
  leader_epoch: z.number().int().describe("the largest epoch at or below the one asked (-1: none)"),
  end_offset: z.number().int().describe("where that epoch's batches end on the leader (the log end for the latest)"),
});

export type LeaderEpochEnd = z.infer<typeof LeaderEpochEndSchema>;

export const DeleteRecordsReplySchema = z.object({
  partition: z.number().int(),
  log_start_offset: z.number().int().describe("the partition's new log start offset (Kafka's low watermark)"),
});

const topicPartitions = z.array(z.strictObject({ topic: z.string(), partitions: z.array(partition) }));

export const HeartbeatRequestSchema = z.strictObject({
  member_id: z.string().min(1).max(255).nullable().describe("null to join; the coordinator assigns one"),
  member_epoch: z.number().int().min(0).describe("0 to join or rejoin, else the epoch of the last reply"),
  topics: z.array(z.string()).max(MAX_PARTITIONS).optional().describe("subscribed topic names; required when joining"),
  instance_id: z
    .string()
    .min(1)
    .max(255)
    .nullable()
    .optional()
    .describe("static membership: a restart with the same id keeps its partitions"),
  session_timeout_ms: z.number().int().optional(),
  rebalance_timeout_ms: z
    .number()
    .int()
    .min(1)
    .max(3_600_000)
    .optional()
    .describe(
      "how long the member may take to release partitions it is asked to give up (default 300000, Kafka's max.poll.interval.ms); past it the member is fenced",
    ),
  assignor: z
    .string()
    .optional()
    .describe("range, roundrobin or sticky (default); the group uses the one most members ask for"),
  protocol: z
    .enum(["consumer", "classic"])
    .optional()
    .describe("classic: assignment changes only at rejoin (member_epoch 0); replies carry rejoin"),
  owned: topicPartitions
    .nullable()
    .optional()
    .describe(
      "partitions the member still holds; absent means exactly those of the previous reply, null means unchanged since the member's last report (Kafka's ConsumerGroupHeartbeat TopicPartitions null)",
    ),
  client_id: z
    .string()
    .max(255)
    .optional()
    .describe("the client's name for itself (Kafka's client.id), shown by describe; kept until sent again"),
  client_host: z
    .string()
    .max(255)
    .optional()
    .describe("the address the member connects from; default: the caller's (CF-Connecting-IP)"),
});

export const HeartbeatReplySchema = z.object({
  member_id: z.string(),
  member_epoch: z.number().int(),
  heartbeat_interval_ms: z.number().int(),
  assignment: z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) })),
  rejoin: z.boolean().optional(),
});

export const CommitOffsetsSchema = z.strictObject({
  member_id: z
    .string()
    .min(1)
    .max(255)
    .nullable()
    .optional()
    .describe("absent or null: only an empty group accepts the commit"),
  member_epoch: z.number().int().min(0).optional(),
  offsets: z
    .array(
      z.strictObject({
        topic: z.string(),
        partition,
        offset: offset.describe("the next offset to consume (last processed + 1), at most the high watermark"),
        metadata: z.string().nullable().optional().describe(`at most ${OFFSET_METADATA_MAX_CHARS} characters`),
      }),
    )
    .min(1)
    .max(MAX_PARTITIONS),
});

export const CommittedOffsetsQuerySchema = z.object({
  require_stable: z
    .enum(["true", "false"])
    .optional()
    .describe("true: 409 UNSTABLE_OFFSET_COMMIT while a transaction holds pending offsets for the asked partitions"),
  topics: z.string().optional().describe("comma-separated topic names: only their offsets (default: every topic)"),
});

export const CommittedOffsetsReplySchema = z.object({
  offsets: z.array(
    z.object({
      topic: z.string(),
      partition: z.number().int(),
      offset: z.number().int(),
      metadata: z.string().nullable(),
    }),
  ),
});

export const ResetOffsetsSchema = z.strictObject({
  to: z.union([
    z.enum(["earliest", "latest"]),
    z.strictObject({ timestamp: z.number().int().min(0) }).describe("first offset at or after this time (ms)"),
    z.strictObject({ offset }).describe("an explicit offset, at most the high watermark"),
  ]),
  topics: z
    .array(z.string())
    .min(1)
    .max(MAX_PARTITIONS)
    .optional()
    .describe("default: the topics the group has committed offsets for"),
});

export const ResetOffsetsReplySchema = z.object({
  offsets: z.array(z.object({ topic: z.string(), partition: z.number().int(), offset: z.number().int() })),
});

const memberAssignment = z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) }));

export const GroupSchema = z.object({
  group_id: z.string(),
  state: z.enum(["empty", "reconciling", "stable"]),
  group_epoch: z.number().int(),
  assignor: z.string(),
  members: z.array(
    z.object({
      member_id: z.string(),
      instance_id: z.string().nullable(),
      client_id: z.string().nullable().describe("the client's client.id, when it sent one"),
      client_host: z.string().nullable().describe("the address the member connects from, when known"),
      member_epoch: z.number().int(),
      protocol: z.enum(["consumer", "classic"]),
      topics: z.array(z.string()),
      session_timeout_ms: z.number().int(),
      rebalance_timeout_ms: z.number().int(),
      revoke_by: z
        .number()
        .int()
        .nullable()
        .describe("while the member holds partitions it was asked to release: when it is fenced if it still does"),
      assignment: memberAssignment,
      target_assignment: memberAssignment,
      owned: memberAssignment,
    }),
  ),
  partitions: z.array(
    z.object({
      topic: z.string(),
      partition: z.number().int(),
      member_id: z.string().nullable(),
      committed_offset: z.number().int().nullable(),
      high_watermark: z.number().int(),
      last_stable_offset: lastStableOffset,
      lag: z
        .number()
        .int()
        .nullable()
        .describe(
          "high_watermark (read_committed: last_stable_offset) - committed_offset; null when nothing is committed",
        ),
    }),
  ),
});

export const GroupDescribeQuerySchema = z.object({
  isolation: IsolationSchema.optional().describe("read_committed: lag is counted to the last stable offset"),
});

export const GroupListSchema = z.object({
  groups: z.array(z.object({ group_id: z.string(), state: GroupSchema.shape.state, members: z.number().int() })),
  next_after: z.string().nullable().describe("pass as after= for the next page; null on the last page"),
});

/** One paging shape for every name-ordered listing: limit, after=<last name>, next_after in the reply. */
const pageQuery = (noun: string) =>
  z.object({
    limit: intParam("limit")
      .pipe(z.number().min(1).max(LIST_PAGE_MAX))
      .optional()
      .describe(`${noun} per page (default ${LIST_PAGE_DEFAULT}, at most ${LIST_PAGE_MAX})`),
    after: z
      .string()
      .optional()
      .describe(`list ${noun} whose names sort after this one (next_after of the previous page)`),
  });

export const GroupListQuerySchema = pageQuery("groups");
export const TopicListQuerySchema = pageQuery("topics");

export const TopicListSchema = z.object({
  topics: z.array(TopicSchema),
  next_after: GroupListSchema.shape.next_after,
});

export const GrantSchema = z.strictObject({
  resource: z
    .string()
    .describe(
      "topic:, group:, subject: or transactional-id: with a <name> or <prefix>*, or cluster; * alone matches every name",
    ),
  operations: z
    .array(z.enum(OPERATIONS))
    .min(1)
    .describe("admin implies the others; produce and consume imply describe"),
});

const bytesPerSec = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const QuotasSchema = z.strictObject({
  produce_bytes_per_sec: bytesPerSec.optional().describe("request bytes produced per second, per isolate"),
  fetch_bytes_per_sec: bytesPerSec.optional().describe("record bytes fetched per second, per isolate"),
});

export const CreateTokenSchema = z.strictObject({
  name: z.string().min(1).max(200),
  grants: z.array(GrantSchema).min(1).max(100),
  expires_at: z.number().int().min(0).nullable().optional().describe("ms since the epoch; default never"),
  quotas: QuotasSchema.optional(),
});

export const TokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  grants: z.array(GrantSchema),
  quotas: QuotasSchema.nullable(),
  expires_at: z.number().int().nullable(),
  created_at: z.number().int(),
  created_by: z.string(),
});

export const CreatedTokenSchema = TokenInfoSchema.extend({
  token: z.string().describe("the bearer token; shown only in this reply, never again"),
});

/** SASL for the Kafka gateway (docs/kafka-gateway.md#sasl): PLAIN and SCRAM checked by edgelog, a session back. */
export const SaslPlainSchema = z.strictObject({
  username: z
    .string()
    .max(300)
    .describe("a token's id (with or without elg_), or anything when password is a whole token"),
  password: z.string().max(300).describe("the token's secret, or the whole token"),
});

export const ScramMechanismSchema = z.enum(["SCRAM-SHA-256", "SCRAM-SHA-512"]);

export const ScramFirstSchema = z.strictObject({
  mechanism: ScramMechanismSchema,
  client_first: z
    .string()
    .max(1000)
    .describe("the client-first-message as the client sent it (n,,n=<token id>,r=<nonce>)"),
});

export const ScramFirstReplySchema = z.object({
  exchange: z.string().describe("names this exchange in the final call; single-use, valid 30 s"),
  server_first: z.string().describe("the server-first-message to hand the client"),
});

export const ScramFinalSchema = z.strictObject({
  exchange: z.string().max(100),
  client_final: z.string().max(1000).describe("the client-final-message as the client sent it"),
});

export const SaslSessionSchema = z.object({
  session: z.string().describe("a bearer credential acting as the token until expires_at (or its revocation)"),
  token_id: z.string(),
  expires_at: z.number().int(),
});

export const ScramFinalReplySchema = SaslSessionSchema.extend({
  server_final: z.string().describe("the server-final-message (v=<ServerSignature>) to hand the client"),
});

export const ScramCredentialsReplySchema = z.object({
  token_id: z.string(),
  mechanisms: z.array(ScramMechanismSchema),
});

const mirrorName = z
  .string()
  .regex(TOPIC_NAME_PATTERN, "mirror names are 1-249 characters of [a-zA-Z0-9._-]")
  .refine((n) => n !== "." && n !== "..", "mirror names may not be '.' or '..'");

export const CreateMirrorSchema = z.strictObject({
  name: mirrorName,
  source: z.strictObject({
    url: z.string().describe("base URL of the other edgelog deployment, e.g. https://edgelog.example.com"),
    topic: z.string().describe("the topic to copy there"),
    token: z
      .string()
      .min(1)
      .optional()
      .describe("bearer token for the source (consume and describe on the topic); never shown again"),
  }),
  topic: z
    .string()
    .optional()
    .describe(
      "local topic to copy into (default: the source topic's name); created with the source's partition count if missing",
    ),
});

export const MirrorPartitionSchema = z.object({
  partition: z.number().int(),
  source_offset: z
    .number()
    .int()
    .nullable()
    .describe("the next source offset to copy; null until the source was first asked"),
  source_high_watermark: z.number().int().nullable().describe("the source's high watermark at the last fetch"),
  lag: z.number().int().nullable().describe("source_high_watermark - source_offset"),
  records_skipped: z
    .number()
    .int()
    .describe("source records removed by the source's retention before they were copied"),
  last_error: z.string().optional().describe("the last failure (source down, refused, ...); retried with backoff"),
});

export const MirrorSchema = z.object({
  name: z.string(),
  id: z.string(),
  source: z.object({ url: z.string(), topic: z.string() }),
  topic: z.string(),
  partitions: z.array(MirrorPartitionSchema),
  lag: z.number().int().nullable().describe("total over partitions; null until every partition was fetched once"),
  created_at: z.number().int(),
});

export const MirrorListSchema = z.object({ mirrors: z.array(MirrorSchema) });

// Every request and reply type clients use is inferred from the schemas above, never written twice.
export type ErrorReplyBody = z.infer<typeof ErrorBodySchema>;
export type TopicReply = z.infer<typeof TopicSchema>;
export type TopicListPage = z.infer<typeof TopicListSchema>;
export type PartitionInfo = z.infer<typeof PartitionInfoSchema>;
export type TopicDescription = z.infer<typeof DescribeTopicSchema>;
export type ProduceReply = z.infer<typeof ProduceReplySchema>;
export type ProducedRecord = z.infer<typeof ProducedRecordSchema>;
export type BatchProduceReply = z.infer<typeof BatchProduceReplySchema>;
export type OffsetReply = z.infer<typeof OffsetReplySchema>;
export type DeleteRecordsReply = z.infer<typeof DeleteRecordsReplySchema>;
export type TokenInfo = z.infer<typeof TokenInfoSchema>;
export type ProducerIdentity = z.infer<typeof ProducerIdentitySchema>;
export type CommittedOffsetsReply = z.infer<typeof CommittedOffsetsReplySchema>;
export type ResetOffsetsReply = z.infer<typeof ResetOffsetsReplySchema>;
export type GroupListPage = z.infer<typeof GroupListSchema>;
export type GroupSummary = GroupListPage["groups"][number];
// Request bodies as a client writes them (defaults may be left out).
export type CreateTopicBody = z.input<typeof CreateTopicSchema>;
export type AlterTopicBody = z.input<typeof AlterTopicSchema>;
export type MultiFetchBody = z.input<typeof MultiFetchRequestSchema>;
export type HeartbeatBody = z.input<typeof HeartbeatRequestSchema>;
export type CommitOffsetsBody = z.input<typeof CommitOffsetsSchema>;

// ---- Transactions (docs/transactions.md) ----

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

export type ProducerFields = z.infer<typeof ProducerSchema>;
export type ProduceRequest = z.infer<typeof ProduceRequestSchema>;
export type ProduceRecordInput = z.infer<typeof ProduceRecordSchema>;
export type FetchedRecord = z.infer<typeof FetchedRecordSchema>;
export type FetchReply = z.infer<typeof FetchReplySchema>;
export type LiveFrame = z.infer<typeof LiveFrameSchema>;
export type MultiFetchRequest = z.infer<typeof MultiFetchRequestSchema>;
export type MultiFetchReply = z.infer<typeof MultiFetchReplySchema>;
export type HeartbeatRequest = z.infer<typeof HeartbeatRequestSchema>;
export type HeartbeatReply = z.infer<typeof HeartbeatReplySchema>;
export type CommitOffsetsRequest = z.infer<typeof CommitOffsetsSchema>;
export type ResetOffsetsRequest = z.infer<typeof ResetOffsetsSchema>;
export type GroupDescription = z.infer<typeof GroupSchema>;
export type CreateTokenRequest = z.infer<typeof CreateTokenSchema>;
export type SaslSessionReply = z.infer<typeof SaslSessionSchema>;
export type ScramFirstReply = z.infer<typeof ScramFirstReplySchema>;
export type ScramFinalReply = z.infer<typeof ScramFinalReplySchema>;
export type CreateMirrorRequest = z.infer<typeof CreateMirrorSchema>;
export type MirrorView = z.infer<typeof MirrorSchema>;
export type MirrorPartitionStatus = z.infer<typeof MirrorPartitionSchema>;
export type AbortedTransaction = z.infer<typeof AbortedTransactionSchema>;
export type InitTransactionRequest = z.infer<typeof InitTransactionSchema>;
export type InitTransactionReply = z.infer<typeof InitTransactionReplySchema>;
export type TxnOffsetCommitRequest = z.infer<typeof TxnOffsetCommitSchema>;
export type EndTxnReply = z.infer<typeof EndTxnReplySchema>;
export type TransactionDescription = z.infer<typeof TransactionSchema>;
export type PartitionTransactions = z.infer<typeof PartitionTransactionsSchema>;
