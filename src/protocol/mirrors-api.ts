// HTTP API v1 shapes for mirrors: copying a topic from another deployment.

import { z } from "zod";
import { TOPIC_NAME_PATTERN } from "./constants.js";

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

export type CreateMirrorRequest = z.infer<typeof CreateMirrorSchema>;

export type MirrorView = z.infer<typeof MirrorSchema>;

export type MirrorPartitionStatus = z.infer<typeof MirrorPartitionSchema>;
