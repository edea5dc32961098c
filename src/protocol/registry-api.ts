// The schema registry's REST vocabulary (Confluent's names): paths, media type, limits and the
// request and reply shapes as plain types, shared by the router and the SDK's registry client.
// The router's zod schemas for them are in src/router/registry-schemas.ts, so the SDK carries no zod.

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

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** POST /subjects/{s}/versions, POST /subjects/{s}, POST /compatibility/...: unknown fields are ignored, as Confluent does. */
export interface SchemaRequest {
  schema: string;
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

export interface SubjectVersion {
  subject: string;
  id: number;
  version: number;
  schema: string;
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

export interface SchemaById {
  schema: string;
  schemaType?: SchemaType;
  references?: SchemaReference[];
}
