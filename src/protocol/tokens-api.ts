// HTTP API v1 shapes for tokens (grants, quotas) and the Kafka gateway's SASL exchanges
// (docs/kafka-gateway.md#sasl).

import { z } from "zod";
import { OPERATIONS } from "./constants.js";

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

export type TokenInfo = z.infer<typeof TokenInfoSchema>;

export type CreateTokenRequest = z.infer<typeof CreateTokenSchema>;

export type SaslSessionReply = z.infer<typeof SaslSessionSchema>;

export type ScramFirstReply = z.infer<typeof ScramFirstReplySchema>;

export type ScramFinalReply = z.infer<typeof ScramFinalReplySchema>;
