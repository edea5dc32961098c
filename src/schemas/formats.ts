// The three schema types behind one interface: parse (with references), and reading or writing a
// framed datum's payload as JSON. Identity and compatibility, the registry's side, are in compare.ts.

import { parseAvro, type AvroNames, type AvroType } from "./avro-schema.js";
import { decodeAvro, encodeAvro } from "./avro-codec.js";
import { SchemaError } from "./errors.js";
import { parseJsonSchema, jsonSchemaProblem, type ParsedJsonSchema } from "./json-schema.js";
import {
  decodeProtobuf,
  encodeProtobuf,
  indexesOf,
  messageAt,
  parseProtobuf,
  type ParsedProtobuf,
} from "./protobuf.js";
import { readMessageIndexes, writeMessageIndexes } from "./wire.js";

// The format names are the registry API's vocabulary (protocol depends on nothing above it).
export { SCHEMA_TYPES, type SchemaType } from "../protocol/registry-api.js";
import type { SchemaType } from "../protocol/registry-api.js";

/** A referenced schema's text, under the name the referring schema uses for it. */
export interface ResolvedReference {
  name: string;
  text: string;
}

export type ParsedSchema =
  | { type: "AVRO"; avro: AvroType }
  | { type: "JSON"; json: ParsedJsonSchema }
  | { type: "PROTOBUF"; proto: ParsedProtobuf };

/** Parses a schema; `refs` are every schema it references, directly or not, dependencies first. */
export function parseSchema(type: SchemaType, text: string, refs: readonly ResolvedReference[] = []): ParsedSchema {
  switch (type) {
    case "AVRO": {
      const names: AvroNames = new Map();
      for (const r of refs) parseAvro(r.text, names);
      return { type, avro: parseAvro(text, names) };
    }
    case "JSON":
      return { type, json: parseJsonSchema(text, refs) };
    case "PROTOBUF":
      return { type, proto: parseProtobuf(text, refs) };
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Reads a framed datum's payload (the bytes after magic and id) as JSON. */
export function decodePayload(s: ParsedSchema, payload: Uint8Array): unknown {
  switch (s.type) {
    case "AVRO":
      return decodeAvro(s.avro, payload);
    case "JSON":
      try {
        return JSON.parse(utf8.decode(payload));
      } catch (e) {
        throw new SchemaError(`payload is not JSON: ${(e as Error).message}`);
      }
    case "PROTOBUF": {
      try {
        const at = readMessageIndexes(payload, 0);
        return decodeProtobuf(messageAt(s.proto, at.indexes), payload.subarray(at.pos));
      } catch (e) {
        // @kafkajs/confluent-schema-registry writes no message indexes: a message never starts
        // with byte 0 (field 0 does not exist), so such a payload is read as the first message.
        if (payload[0] === 0) throw e instanceof SchemaError ? e : new SchemaError((e as Error).message);
        return decodeProtobuf(messageAt(s.proto, [0]), payload);
      }
    }
  }
}

/**
 * Writes a JSON value as a framed datum's payload. JSON values are checked against the schema;
 * Protobuf writes `message` (a full name; the schema's first message when omitted).
 */
export function encodePayload(s: ParsedSchema, value: unknown, message?: string): Uint8Array {
  switch (s.type) {
    case "AVRO":
      return encodeAvro(s.avro, value);
    case "JSON": {
      const problem = jsonSchemaProblem(s.json, value);
      if (problem) throw new SchemaError(`value does not match the schema: ${problem}`);
      return new TextEncoder().encode(JSON.stringify(value));
    }
    case "PROTOBUF": {
      const name = message ?? s.proto.topLevel[0]!;
      const indexes = writeMessageIndexes(indexesOf(s.proto, name));
      if (value === null || typeof value !== "object") throw new SchemaError("a Protobuf value is an object");
      const body = encodeProtobuf(s.proto.root.lookupType(name), value as Record<string, unknown>);
      const out = new Uint8Array(indexes.byteLength + body.byteLength);
      out.set(indexes);
      out.set(body, indexes.byteLength);
      return out;
    }
  }
}
