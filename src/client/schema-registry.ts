// The SDK's schema registry client: register schemas, and serialize / deserialize values in
// Confluent's wire format (magic byte 0, 4-byte schema id, the datum) for Avro, JSON Schema and
// Protobuf, with schemas cached by id (ids never change).

import { EdgelogError } from "../protocol/errors.js";
import {
  CONTENT_TYPE_REGISTRY,
  REGISTRY_PREFIX,
  type SchemaById,
  type SchemaReference,
  type SubjectVersion,
} from "../protocol/registry-api.js";
import type { ParsedSchema, SchemaType } from "../schemas/formats.js";
import { frame, framedId, WIRE_HEADER_BYTES } from "../schemas/wire.js";
import type { Transport } from "./transport.js";

// The schema codecs (Avro, JSON Schema's validator, protobufjs) load on first use: an application
// that never serializes does not load them, and dist/client.js keeps them in a chunk of their own.
const formats = () => import("../schemas/formats.js");

export interface SchemaInput {
  schema: string;
  /** Default AVRO, as Confluent's. */
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

export class SchemaRegistryClient {
  readonly #schemas = new Map<number, Promise<ParsedSchema>>();

  constructor(private readonly http: Transport) {}

  /** Registers a schema under a subject; the same schema again answers the same id. */
  async register(subject: string, input: SchemaInput): Promise<number> {
    const r = await this.#call<{ id: number }>("POST", `/subjects/${encodeURIComponent(subject)}/versions`, input);
    return r.id;
  }

  /** The latest version registered under a subject. */
  latest(subject: string): Promise<SubjectVersion> {
    return this.#call("GET", `/subjects/${encodeURIComponent(subject)}/versions/latest`);
  }

  /** The parsed schema with this id (fetched once per client). */
  schema(id: number): Promise<ParsedSchema> {
    let hit = this.#schemas.get(id);
    if (!hit) {
      hit = this.#load(id);
      hit.catch(() => this.#schemas.delete(id));
      this.#schemas.set(id, hit);
    }
    return hit;
  }

  /**
   * A value framed with schema `id` (a number), or with the latest schema of a subject (a
   * string). Protobuf writes `message` (a full name; the schema's first message by default).
   */
  async serialize(schema: number | string, value: unknown, opts: { message?: string } = {}): Promise<Uint8Array> {
    const id = typeof schema === "number" ? schema : (await this.latest(schema)).id;
    const { encodePayload } = await formats();
    return frame(id, encodePayload(await this.schema(id), value, opts.message));
  }

  /** Reads a framed value: its schema id and the datum as JSON. */
  async deserialize(bytes: Uint8Array): Promise<{ id: number; value: unknown }> {
    const id = framedId(bytes);
    if (id === undefined)
      throw new EdgelogError("INVALID_RECORD", "not a schema registry frame (magic byte 0 and a 4-byte schema id)");
    const { decodePayload } = await formats();
    return { id, value: decodePayload(await this.schema(id), bytes.subarray(WIRE_HEADER_BYTES)) };
  }

  async #load(id: number): Promise<ParsedSchema> {
    const s = await this.#call<SchemaById>("GET", `/schemas/ids/${id}`);
    const refs = await this.#references(s.references ?? []);
    const { parseSchema } = await formats();
    return parseSchema(s.schemaType ?? "AVRO", s.schema, refs);
  }

  /** Every referenced schema, dependencies first, as the parser wants them. */
  async #references(
    refs: readonly SchemaReference[],
    seen = new Set<string>(),
  ): Promise<{ name: string; text: string }[]> {
    const out: { name: string; text: string }[] = [];
    for (const r of refs) {
      const key = `${r.subject}\u0000${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const v = await this.#call<SubjectVersion>(
        "GET",
        `/subjects/${encodeURIComponent(r.subject)}/versions/${r.version}`,
      );
      out.push(...(await this.#references(v.references ?? [], seen)), { name: r.name, text: v.schema });
    }
    return out;
  }

  /** One registry exchange in Confluent's media type (the transport reads Confluent's error bodies too); reads are retried. */
  #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.http.request<T>(method, `${REGISTRY_PREFIX}${path}`, body, {
      headers: { "content-type": CONTENT_TYPE_REGISTRY },
      retry: method === "GET",
    });
  }
}
