// How the registry compares schemas: what makes two registrations the same schema, and every
// reason one schema cannot read data written with another, across the three types.

import { avroIncompatibilities } from "./avro-compat.js";
import type { Incompatibility } from "./compatibility.js";
import type { ParsedSchema, SchemaType } from "./formats.js";
import { jsonSchemaIncompatibilities } from "./json-schema-compat.js";
import { protobufIncompatibilities } from "./protobuf-compat.js";

/**
 * What makes two registrations "the same schema": the type and the text with insignificant
 * differences removed (JSON whitespace and key order; Protobuf's surrounding whitespace).
 */
export function schemaIdentity(type: SchemaType, text: string): string {
  if (type === "PROTOBUF") return `${type}\u0000${text.trim()}`;
  try {
    return `${type}\u0000${stableStringify(JSON.parse(text))}`;
  } catch {
    return `${type}\u0000${text}`;
  }
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Every reason `reader` cannot read data written with `writer`; a change of type is one such reason. */
export function incompatibilities(reader: ParsedSchema, writer: ParsedSchema): Incompatibility[] {
  if (reader.type === "AVRO" && writer.type === "AVRO") return avroIncompatibilities(reader.avro, writer.avro);
  if (reader.type === "JSON" && writer.type === "JSON") return jsonSchemaIncompatibilities(reader.json, writer.json);
  if (reader.type === "PROTOBUF" && writer.type === "PROTOBUF")
    return protobufIncompatibilities(reader.proto, writer.proto);
  return [{ type: "TYPE_MISMATCH", path: "#/", description: `schema type ${writer.type} became ${reader.type}` }];
}
