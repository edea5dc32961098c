// Avro schemas: parsing and validating schema JSON (named types, references, defaults) into a model
// the compatibility check and the binary codec share. Pure; no run-time code generation.

import { SchemaError } from "./errors.js";

export type AvroPrimitive = "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string";
export const AVRO_PRIMITIVES: readonly AvroPrimitive[] = [
  "null",
  "boolean",
  "int",
  "long",
  "float",
  "double",
  "bytes",
  "string",
];

export interface AvroField {
  name: string;
  type: AvroType;
  aliases: string[];
  /** The default as written in the schema (JSON), when there is one. */
  default?: { value: unknown };
}

export type AvroType =
  | { kind: "primitive"; type: AvroPrimitive }
  | { kind: "record"; name: string; aliases: string[]; fields: AvroField[] }
  | { kind: "enum"; name: string; aliases: string[]; symbols: string[]; default?: string }
  | { kind: "fixed"; name: string; aliases: string[]; size: number }
  | { kind: "array"; items: AvroType }
  | { kind: "map"; values: AvroType }
  | { kind: "union"; branches: AvroType[] };

export type NamedAvroType = Extract<AvroType, { name: string }>;

/** Named types visible while parsing: those of referenced schemas, then the schema's own. */
export type AvroNames = Map<string, NamedAvroType>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses schema JSON text. `names` holds the named types of referenced schemas (Confluent's
 * references) and receives this schema's own, so a later schema can refer to them.
 */
export function parseAvro(text: string, names: AvroNames = new Map()): AvroType {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SchemaError(`Invalid schema: not JSON: ${(e as Error).message}`);
  }
  return new Parser(names).type(json, "", "");
}

class Parser {
  constructor(readonly names: AvroNames) {}

  type(json: unknown, namespace: string, path: string): AvroType {
    if (typeof json === "string") return this.byName(json, namespace, path);
    if (Array.isArray(json)) return this.union(json, namespace, path);
    if (json === null || typeof json !== "object") {
      throw new SchemaError(`${where(path)}a type must be a name, an object or a union array, got ${show(json)}`);
    }
    const o = json as Record<string, unknown>;
    const t = o.type;
    switch (t) {
      case "record":
      case "error":
        return this.record(o, namespace, path);
      case "enum":
        return this.enum(o, namespace, path);
      case "fixed":
        return this.fixed(o, namespace, path);
      case "array":
        if (!("items" in o)) throw new SchemaError(`${where(path)}array has no "items"`);
        return { kind: "array", items: this.type(o.items, namespace, `${path}/items`) };
      case "map":
        if (!("values" in o)) throw new SchemaError(`${where(path)}map has no "values"`);
        return { kind: "map", values: this.type(o.values, namespace, `${path}/values`) };
      default:
        // {"type":"string","logicalType":...} and {"type":"MyRecord"} are the named type itself.
        if (typeof t === "string" || Array.isArray(t)) return this.type(t, namespace, path);
        throw new SchemaError(`${where(path)}unknown type ${show(t)}`);
    }
  }

  byName(name: string, namespace: string, path: string): AvroType {
    if ((AVRO_PRIMITIVES as readonly string[]).includes(name))
      return { kind: "primitive", type: name as AvroPrimitive };
    const full = name.includes(".") ? name : namespace ? `${namespace}.${name}` : name;
    const found = this.names.get(full) ?? this.names.get(name);
    if (!found) throw new SchemaError(`${where(path)}undefined name: ${show(name)}`);
    return found;
  }

  union(branches: unknown[], namespace: string, path: string): AvroType {
    const parsed = branches.map((b, i) => this.type(b, namespace, `${path}/${i}`));
    const seen = new Set<string>();
    parsed.forEach((b, i) => {
      if (b.kind === "union")
        throw new SchemaError(`${where(`${path}/${i}`)}unions may not immediately contain unions`);
      const key = branchKey(b);
      if (seen.has(key)) throw new SchemaError(`${where(path)}duplicate in union: ${key}`);
      seen.add(key);
    });
    return { kind: "union", branches: parsed };
  }

  named(o: Record<string, unknown>, namespace: string, path: string): { name: string; ns: string; aliases: string[] } {
    if (typeof o.name !== "string") throw new SchemaError(`${where(path)}a ${String(o.type)} needs a "name"`);
    let ns = typeof o.namespace === "string" ? o.namespace : namespace;
    let short = o.name;
    const dot = o.name.lastIndexOf(".");
    if (dot >= 0) {
      ns = o.name.slice(0, dot);
      short = o.name.slice(dot + 1);
    }
    checkName(short, path);
    if (ns !== "") for (const part of ns.split(".")) checkName(part, path);
    const name = ns ? `${ns}.${short}` : short;
    if ((AVRO_PRIMITIVES as readonly string[]).includes(short) && ns === "") {
      throw new SchemaError(`${where(path)}${show(short)} is a primitive type name and cannot name a type`);
    }
    if (this.names.has(name)) throw new SchemaError(`${where(path)}can't redefine: ${name}`);
    const aliases = stringList(o.aliases, `${path}/aliases`).map((a) => (a.includes(".") || !ns ? a : `${ns}.${a}`));
    return { name, ns, aliases };
  }

  record(o: Record<string, unknown>, namespace: string, path: string): AvroType {
    const { name, ns, aliases } = this.named(o, namespace, path);
    if (!Array.isArray(o.fields)) throw new SchemaError(`${where(path)}record ${name} has no "fields" array`);
    const rec: AvroType = { kind: "record", name, aliases, fields: [] };
    // Registered before its fields so they can refer to it (recursive types).
    this.names.set(name, rec);
    const seen = new Set<string>();
    (o.fields as unknown[]).forEach((f, i) => {
      const fp = `${path}/fields/${i}`;
      if (f === null || typeof f !== "object" || Array.isArray(f))
        throw new SchemaError(`${where(fp)}a field must be an object`);
      const fo = f as Record<string, unknown>;
      if (typeof fo.name !== "string") throw new SchemaError(`${where(fp)}a field needs a "name"`);
      checkName(fo.name, fp);
      if (seen.has(fo.name)) throw new SchemaError(`${where(fp)}duplicate field ${fo.name} in record ${name}`);
      seen.add(fo.name);
      if (!("type" in fo)) throw new SchemaError(`${where(fp)}field ${fo.name} has no "type"`);
      const type = this.type(fo.type, ns, `${fp}/type`);
      const field: AvroField = { name: fo.name, type, aliases: stringList(fo.aliases, `${fp}/aliases`) };
      if ("default" in fo) {
        const problem = defaultProblem(type, fo.default);
        if (problem) throw new SchemaError(`${where(fp)}invalid default for field ${fo.name}: ${problem}`);
        field.default = { value: fo.default };
      }
      rec.fields.push(field);
    });
    return rec;
  }

  enum(o: Record<string, unknown>, namespace: string, path: string): AvroType {
    const { name, aliases } = this.named(o, namespace, path);
    const symbols = stringList(o.symbols, `${path}/symbols`);
    if (!Array.isArray(o.symbols)) throw new SchemaError(`${where(path)}enum ${name} has no "symbols" array`);
    const seen = new Set<string>();
    for (const s of symbols) {
      checkName(s, `${path}/symbols`);
      if (seen.has(s)) throw new SchemaError(`${where(path)}duplicate enum symbol ${s}`);
      seen.add(s);
    }
    const t: AvroType = { kind: "enum", name, aliases, symbols };
    if ("default" in o) {
      if (typeof o.default !== "string" || !symbols.includes(o.default))
        throw new SchemaError(`${where(path)}enum default ${show(o.default)} is not one of its symbols`);
      t.default = o.default;
    }
    this.names.set(name, t);
    return t;
  }

  fixed(o: Record<string, unknown>, namespace: string, path: string): AvroType {
    const { name, aliases } = this.named(o, namespace, path);
    if (typeof o.size !== "number" || !Number.isInteger(o.size) || o.size < 0)
      throw new SchemaError(`${where(path)}fixed ${name} needs a non-negative integer "size"`);
    const t: AvroType = { kind: "fixed", name, aliases, size: o.size };
    this.names.set(name, t);
    return t;
  }
}

/** What tells union branches apart: the primitive or collection kind, or a named type's full name. */
export function branchKey(t: AvroType): string {
  switch (t.kind) {
    case "primitive":
      return t.type;
    case "record":
    case "enum":
    case "fixed":
      return t.name;
    default:
      return t.kind;
  }
}

/** Why `value` is not a valid JSON default for `type` (a union's default matches its first branch), or undefined. */
export function defaultProblem(type: AvroType, value: unknown, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  const bad = `${show(value)} is not a ${describe(type)}`;
  switch (type.kind) {
    case "primitive":
      switch (type.type) {
        case "null":
          return value === null ? undefined : bad;
        case "boolean":
          return typeof value === "boolean" ? undefined : bad;
        case "int":
          return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31
            ? undefined
            : bad;
        case "long":
          return Number.isInteger(value) ? undefined : bad;
        case "float":
        case "double":
          return typeof value === "number" ? undefined : bad;
        case "bytes":
        case "string":
          return typeof value === "string" ? undefined : bad;
      }
      return bad;
    case "record": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return bad;
      const o = value as Record<string, unknown>;
      for (const f of type.fields) {
        if (f.name in o) {
          const p = defaultProblem(f.type, o[f.name], depth + 1);
          if (p) return `${f.name}: ${p}`;
        } else if (!f.default) return `missing field ${f.name}`;
      }
      return undefined;
    }
    case "enum":
      return typeof value === "string" && type.symbols.includes(value) ? undefined : bad;
    case "fixed":
      return typeof value === "string" && value.length === type.size ? undefined : bad;
    case "array":
      if (!Array.isArray(value)) return bad;
      return value.map((v) => defaultProblem(type.items, v, depth + 1)).find((p) => p !== undefined);
    case "map":
      if (value === null || typeof value !== "object" || Array.isArray(value)) return bad;
      return Object.values(value)
        .map((v) => defaultProblem(type.values, v, depth + 1))
        .find((p) => p !== undefined);
    case "union":
      return defaultProblem(type.branches[0]!, value, depth + 1);
  }
}

export function describe(t: AvroType): string {
  return t.kind === "primitive" ? t.type : t.kind === "union" ? "union" : "name" in t ? `${t.kind} ${t.name}` : t.kind;
}

function checkName(name: string, path: string): void {
  if (!NAME.test(name)) throw new SchemaError(`${where(path)}illegal name ${show(name)}: use [A-Za-z_][A-Za-z0-9_]*`);
}

function stringList(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    throw new SchemaError(`${where(path)}expected an array of strings`);
  return v as string[];
}

function where(path: string): string {
  return path ? `at ${path}: ` : "";
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
