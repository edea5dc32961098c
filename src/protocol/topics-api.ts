// HTTP API v1 shapes for topics and their partitions: create, alter, describe, list, offsets,
// delete records, leader elections and leader epochs.

import { z } from "zod";
import { MAX_PARTITIONS } from "./constants.js";
import { TOPIC_CONFIG_KEYS } from "./topic-config.js";
import { IsolationSchema, lastStableOffset, intParam, pageQuery } from "./api-fields.js";
import { GroupListSchema } from "./groups-api.js";

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

export const TopicListQuerySchema = pageQuery("topics");

export const TopicListSchema = z.object({
  topics: z.array(TopicSchema),
  next_after: GroupListSchema.shape.next_after,
});

export type TopicReply = z.infer<typeof TopicSchema>;

export type TopicListPage = z.infer<typeof TopicListSchema>;

export type PartitionInfo = z.infer<typeof PartitionInfoSchema>;

export type TopicDescription = z.infer<typeof DescribeTopicSchema>;

export type OffsetReply = z.infer<typeof OffsetReplySchema>;

export type DeleteRecordsReply = z.infer<typeof DeleteRecordsReplySchema>;

export type CreateTopicBody = z.input<typeof CreateTopicSchema>;

export type AlterTopicBody = z.input<typeof AlterTopicSchema>;
