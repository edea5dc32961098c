// Protobuf schemas: .proto text parsed with protobufjs's parser into reflection types (its parser
// runs in workerd; its generated encoders do not, so values are read and written here by walking
// the reflection types with its Reader and Writer).

import protobuf from "protobufjs";
import { toBase64, fromBase64 } from "../util/base64.js";
import { SchemaError } from "./errors.js";

export interface ParsedProtobuf {
  root: protobuf.Root;
  /** Full names of the schema file's own messages, top level in file order, each followed by its nested ones. */
  messages: string[];
  /** Top-level message full names in file order: Confluent's message indexes count these. */
  topLevel: string[];
  packageName: string;
}

/** Well-known imports protobufjs bundles; a schema may import them without a reference. */
const COMMON = [
  "google/protobuf/any.proto",
  "google/protobuf/duration.proto",
  "google/protobuf/empty.proto",
  "google/protobuf/field_mask.proto",
  "google/protobuf/struct.proto",
  "google/protobuf/timestamp.proto",
  "google/protobuf/wrappers.proto",
];

/** Parses .proto text; `refs` are imported files' texts by import path (Confluent's reference names). */
export function parseProtobuf(text: string, refs: readonly { name: string; text: string }[] = []): ParsedProtobuf {
  const root = new protobuf.Root();
  const byName = new Map(refs.map((r) => [r.name, r.text]));
  const loaded = new Set<string>();
  const load = (name: string, source: string, chain: string[]): protobuf.IParserResult => {
    let result: protobuf.IParserResult;
    try {
      result = protobuf.parse(source, root, { keepCase: true });
    } catch (e) {
      throw new SchemaError(`Invalid schema${chain.length ? ` (in ${name})` : ""}: ${(e as Error).message}`);
    }
    for (const imp of [...(result.imports ?? []), ...(result.weakImports ?? [])]) {
      if (loaded.has(imp)) continue;
      loaded.add(imp);
      const refText = byName.get(imp);
      if (refText !== undefined) load(imp, refText, [...chain, name]);
      else if (COMMON.includes(imp)) root.addJSON((protobuf.common.get(imp) as protobuf.INamespace).nested ?? {});
      else throw new SchemaError(`Invalid schema: import ${JSON.stringify(imp)} has no reference of that name`);
    }
    return result;
  };
  // The file's own messages, in order, from a parse of it alone (references would mix theirs in).
  let own: protobuf.IParserResult;
  try {
    own = protobuf.parse(text, new protobuf.Root(), { keepCase: true });
  } catch (e) {
    throw new SchemaError(`Invalid schema: ${(e as Error).message}`);
  }
  const packageName = own.package ?? "";
  const ns = packageName ? own.root.lookup(packageName) : own.root;
  const topLevel = ns instanceof protobuf.Namespace ? ns.nestedArray.filter((n) => n instanceof protobuf.Type) : [];
  const messages: string[] = [];
  const walk = (t: protobuf.ReflectionObject) => {
    if (!(t instanceof protobuf.Type)) return;
    messages.push(fullName(t));
    for (const n of t.nestedArray) walk(n);
  };
  topLevel.forEach(walk);
  if (topLevel.length === 0) throw new SchemaError("Invalid schema: the file defines no message");
  load("schema", text, []);
  try {
    root.resolveAll();
  } catch (e) {
    throw new SchemaError(`Invalid schema: ${(e as Error).message}`);
  }
  return { root, messages, topLevel: topLevel.map(fullName), packageName };
}

export function fullName(t: protobuf.ReflectionObject): string {
  return t.fullName.replace(/^\./, "");
}

/** The message type Confluent's message indexes name: a path of positions, top level first. */
export function messageAt(s: ParsedProtobuf, indexes: readonly number[]): protobuf.Type {
  let type = s.root.lookupType(s.topLevel[indexes[0] ?? 0] ?? "");
  for (const i of indexes.slice(1)) {
    const nested = type.nestedArray.filter((n) => n instanceof protobuf.Type)[i];
    if (!nested) throw new SchemaError(`message index ${indexes.join(",")} names no message`);
    type = nested as protobuf.Type;
  }
  return type;
}

/** The message indexes of a message by full name (for the serializer's frame). */
export function indexesOf(s: ParsedProtobuf, name: string): number[] {
  const type = s.root.lookupType(name);
  const path: number[] = [];
  let t: protobuf.Type = type;
  while (t.parent instanceof protobuf.Type) {
    const siblings = t.parent.nestedArray.filter((n) => n instanceof protobuf.Type);
    path.unshift(siblings.indexOf(t));
    t = t.parent;
  }
  const top = s.topLevel.indexOf(fullName(t));
  if (top < 0) throw new SchemaError(`message ${name} is not defined in this schema`);
  return [top, ...path];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Decodes a message to JSON: int64 as decimal strings and bytes as base64 (as protobuf's JSON mapping), enums by name. */
export function decodeProtobuf(type: protobuf.Type, bytes: Uint8Array): Record<string, Json> {
  return readMessage(type, protobuf.Reader.create(bytes), bytes.byteLength);
}

function readMessage(type: protobuf.Type, r: protobuf.Reader, length: number): Record<string, Json> {
  const end = r.pos + length;
  const out: Record<string, Json> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const field = type.fieldsById[tag >>> 3];
    const wire = tag & 7;
    if (!field) {
      r.skipType(wire);
      continue;
    }
    field.resolve();
    if (field.map) {
      const mf = field as unknown as protobuf.MapField;
      const entryEnd = r.uint32() + r.pos;
      let key: Json = null;
      let value: Json = null;
      while (r.pos < entryEnd) {
        const t = r.uint32();
        if (t >>> 3 === 1) key = readScalar(mf.keyType, r, null);
        else if (t >>> 3 === 2) value = readValue(field, r);
        else r.skipType(t & 7);
      }
      const map = (out[field.name] ??= {}) as Record<string, Json>;
      map[String(key ?? "")] = value;
    } else if (field.repeated) {
      const list = (out[field.name] ??= []) as Json[];
      if (wire === 2 && isPackable(field)) {
        const packedEnd = r.uint32() + r.pos;
        while (r.pos < packedEnd) list.push(readValue(field, r));
      } else list.push(readValue(field, r));
    } else out[field.name] = readValue(field, r);
  }
  return out;
}

function isPackable(f: protobuf.Field): boolean {
  return (
    f.resolvedType instanceof protobuf.Enum ||
    (!(f.resolvedType instanceof protobuf.Type) && !["string", "bytes"].includes(f.type))
  );
}

function readValue(field: protobuf.Field, r: protobuf.Reader): Json {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return readMessage(t, r, r.uint32());
  return readScalar(field.type, r, t instanceof protobuf.Enum ? t : null);
}

function readScalar(type: string, r: protobuf.Reader, en: protobuf.Enum | null): Json {
  if (en) {
    const n = r.int32();
    return en.valuesById[n] ?? n;
  }
  switch (type) {
    case "double":
      return r.double();
    case "float":
      return r.float();
    case "int32":
      return r.int32();
    case "uint32":
      return r.uint32();
    case "sint32":
      return r.sint32();
    case "fixed32":
      return r.fixed32();
    case "sfixed32":
      return r.sfixed32();
    case "int64":
      return String(r.int64());
    case "uint64":
      return String(r.uint64());
    case "sint64":
      return String(r.sint64());
    case "fixed64":
      return String(r.fixed64());
    case "sfixed64":
      return String(r.sfixed64());
    case "bool":
      return r.bool();
    case "string":
      return r.string();
    case "bytes":
      return toBase64(r.bytes());
    default:
      throw new SchemaError(`unknown protobuf type ${type}`);
  }
}

/** Encodes JSON (as decodeProtobuf returns it; numbers accepted for 64-bit fields) as a message. */
export function encodeProtobuf(type: protobuf.Type, value: Record<string, unknown>): Uint8Array {
  const w = protobuf.Writer.create();
  writeMessage(type, value, w);
  return w.finish();
}

function writeMessage(type: protobuf.Type, value: Record<string, unknown>, w: protobuf.Writer): void {
  for (const field of type.fieldsArray) {
    field.resolve();
    const v = value[field.name];
    if (v === undefined || v === null) continue;
    if (field.map) {
      const mf = field as unknown as protobuf.MapField;
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        w.uint32((field.id << 3) | 2).fork();
        writeScalar(mf.keyType, 1, mf.keyType === "bool" ? k === "true" : k, w, null);
        writeField(field, 2, item, w);
        w.ldelim();
      }
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw new SchemaError(`${field.name}: expected an array`);
      for (const item of v) writeField(field, field.id, item, w);
    } else writeField(field, field.id, v, w);
  }
}

function writeField(field: protobuf.Field, id: number, v: unknown, w: protobuf.Writer): void {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) {
    if (v === null || typeof v !== "object") throw new SchemaError(`${field.name}: expected an object`);
    w.uint32((id << 3) | 2).fork();
    writeMessage(t, v as Record<string, unknown>, w);
    w.ldelim();
    return;
  }
  writeScalar(field.type, id, v, w, t instanceof protobuf.Enum ? t : null);
}

const WIRE: Record<string, number> = {
  double: 1,
  fixed64: 1,
  sfixed64: 1,
  float: 5,
  fixed32: 5,
  sfixed32: 5,
  string: 2,
  bytes: 2,
};

function writeScalar(type: string, id: number, v: unknown, w: protobuf.Writer, en: protobuf.Enum | null): void {
  if (en) {
    const n = typeof v === "string" ? en.values[v] : v;
    if (typeof n !== "number") throw new SchemaError(`${JSON.stringify(v)} is not a value of enum ${en.name}`);
    w.uint32(id << 3).int32(n);
    return;
  }
  w.uint32((id << 3) | (WIRE[type] ?? 0));
  const num = () => {
    if (typeof v !== "number" && typeof v !== "string") throw new SchemaError(`expected a number for a ${type} field`);
    return v;
  };
  switch (type) {
    case "double":
      w.double(Number(v));
      return;
    case "float":
      w.float(Number(v));
      return;
    case "int32":
      w.int32(Number(v));
      return;
    case "uint32":
      w.uint32(Number(v));
      return;
    case "sint32":
      w.sint32(Number(v));
      return;
    case "fixed32":
      w.fixed32(Number(v));
      return;
    case "sfixed32":
      w.sfixed32(Number(v));
      return;
    case "int64":
      w.int64(num() as number);
      return;
    case "uint64":
      w.uint64(num() as number);
      return;
    case "sint64":
      w.sint64(num() as number);
      return;
    case "fixed64":
      w.fixed64(num() as number);
      return;
    case "sfixed64":
      w.sfixed64(num() as number);
      return;
    case "bool":
      w.bool(Boolean(v));
      return;
    case "string":
      if (typeof v !== "string") throw new SchemaError("expected a string");
      w.string(v);
      return;
    case "bytes": {
      const bytes = v instanceof Uint8Array ? v : fromBase64(String(v));
      if (!bytes) throw new SchemaError("expected base64 for a bytes field");
      w.bytes(bytes);
      return;
    }
    default:
      throw new SchemaError(`unknown protobuf type ${type}`);
  }
}
