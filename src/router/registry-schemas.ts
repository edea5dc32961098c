// The schema registry's request and reply bodies as zod schemas (validation and OpenAPI), checked
// against the plain types the SDK shares (src/protocol/registry-api.ts).

import { z } from "zod";
import {
  COMPATIBILITY_LEVELS,
  REGISTRY_MODES,
  SCHEMA_TYPES,
  type SchemaById,
  type SchemaReference,
  type SchemaRequest,
  type SubjectVersion,
} from "../protocol/registry-api.js";

export const SchemaReferenceSchema = z.object({
  name: z.string().min(1),
  subject: z.string().min(1),
  version: z.number().int(),
}) satisfies z.ZodType<SchemaReference>;

/** Unknown fields are ignored, as Confluent does. */
export const SchemaRequestSchema = z.object({
  schema: z.string().min(1),
  schemaType: z.enum(SCHEMA_TYPES).optional(),
  references: z.array(SchemaReferenceSchema).optional(),
}) satisfies z.ZodType<SchemaRequest>;

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
}) satisfies z.ZodType<SubjectVersion>;
export const SchemaByIdSchema = z.object({
  schema: z.string(),
  schemaType: z.enum(SCHEMA_TYPES).optional(),
  references: z.array(SchemaReferenceSchema).optional(),
}) satisfies z.ZodType<SchemaById>;
export const CompatibilityReplySchema = z.object({
  is_compatible: z.boolean(),
  messages: z.array(z.string()).optional(),
});
export const ConfigReplySchema = z.object({ compatibilityLevel: z.enum(COMPATIBILITY_LEVELS) });
export const ModeReplySchema = z.object({ mode: z.enum(REGISTRY_MODES) });
