// The schema registry's REST shapes (Confluent's names): request bodies as zod schemas, replies
// as types. Shared by the router and the SDK's registry client.

import { z } from "zod";

/** Confluent's media type; plain application/json is accepted too. */
export const CONTENT_TYPE_REGISTRY = "application/vnd.schemaregistry.v1+json";
/** Where the registry is served on the Worker: the URL a Confluent client is given. */
export const REGISTRY_PREFIX = "/registry";
/** The largest schema text accepted (characters). */
export const MAX_SCHEMA_CHARS = 512 * 1024;
/** Subject names: any text of 1-255 characters without control characters (Confluent allows nearly anything). */
export const SUBJECT_PATTERN = /^[^\u0000-\u001f\u007f]{1,255}$/;
/** The schema formats the registry holds (Confluent's schemaType). */
export const SCHEMA_TYPES = ["AVRO", "JSON", "PROTOBUF"] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];
/** Confluent's compatibility levels. */
export const COMPATIBILITY_LEVELS = [
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FORWARD",
  "FORWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
  "NONE",
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];
export const REGISTRY_MODES = ["READWRITE", "READONLY"] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];

export const SchemaReferenceSchema = z.object({
  name: z.string().min(1),
  subject: z.string().min(1),
  version: z.number().int(),
});
export type SchemaReference = z.infer<typeof SchemaReferenceSchema>;

/** POST /subjects/{s}/versions, POST /subjects/{s}, POST /compatibility/...: unknown fields are ignored, as Confluent does. */
export const SchemaRequestSchema = z.object({
  schema: z.string().min(1),
  schemaType: z.enum(SCHEMA_TYPES).optional(),
  references: z.array(SchemaReferenceSchema).optional(),
});
export type SchemaRequest = z.infer<typeof SchemaRequestSchema>;

export const ConfigRequestSchema = z.object({ compatibility: z.string() });
export const ModeRequestSchema = z.object({ mode: z.string() });

export const RegisteredSchema = z.object({ id: z.number().int() });
export const SubjectVersionSchema = z.object({
  subject: z.string(),
  id: z.number().int(),
  version: z.number().int(),
  schema: z.string(),
  schemaType: z.enum(SCHEMA_TYPES).optional(),
  references: z.array(SchemaReferenceSchema).optional(),
});
export type SubjectVersion = z.infer<typeof SubjectVersionSchema>;
export const SchemaByIdSchema = z.object({
  schema: z.string(),
  schemaType: z.enum(SCHEMA_TYPES).optional(),
  references: z.array(SchemaReferenceSchema).optional(),
});
export type SchemaById = z.infer<typeof SchemaByIdSchema>;
export const CompatibilityReplySchema = z.object({
  is_compatible: z.boolean(),
  messages: z.array(z.string()).optional(),
});
export const ConfigReplySchema = z.object({ compatibilityLevel: z.enum(COMPATIBILITY_LEVELS) });
export const ModeReplySchema = z.object({ mode: z.enum(REGISTRY_MODES) });
export const RegistryErrorSchema = z.object({ error_code: z.number().int(), message: z.string() });
