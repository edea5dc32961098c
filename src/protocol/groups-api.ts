// HTTP API v1 shapes for consumer groups: heartbeat, committed offsets (commit, read, reset),
// describe and list.

import { z } from "zod";
import { MAX_PARTITIONS, OFFSET_METADATA_MAX_CHARS } from "./constants.js";
import { offset, partition, IsolationSchema, lastStableOffset, pageQuery } from "./api-fields.js";

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

export const GroupListQuerySchema = pageQuery("groups");

export type CommittedOffsetsReply = z.infer<typeof CommittedOffsetsReplySchema>;

export type ResetOffsetsReply = z.infer<typeof ResetOffsetsReplySchema>;

export type GroupListPage = z.infer<typeof GroupListSchema>;

export type GroupSummary = GroupListPage["groups"][number];

export type HeartbeatBody = z.input<typeof HeartbeatRequestSchema>;

export type CommitOffsetsBody = z.input<typeof CommitOffsetsSchema>;

export type HeartbeatRequest = z.infer<typeof HeartbeatRequestSchema>;

export type HeartbeatReply = z.infer<typeof HeartbeatReplySchema>;

export type CommitOffsetsRequest = z.infer<typeof CommitOffsetsSchema>;

export type ResetOffsetsRequest = z.infer<typeof ResetOffsetsSchema>;

export type GroupDescription = z.infer<typeof GroupSchema>;
