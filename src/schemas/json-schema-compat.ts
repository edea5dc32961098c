// JSON Schema compatibility: does every value the writer's schema accepts still match the
// reader's? Reported with Confluent's JSON Schema difference types. A keyword this check does not
// model fails closed: any change to it is reported as incompatible, never waved through.

import type { Incompatibility } from "./compatibility.js";
import type { JsonSchemaDoc, ParsedJsonSchema } from "./json-schema.js";

/** Difference types this check reports as incompatible (Confluent's names). */
export const JSON_SCHEMA_INCOMPATIBILITIES = [
  "TYPE_NARROWED",
  "TYPE_CHANGED",
  "MAX_LENGTH_ADDED",
  "MAX_LENGTH_DECREASED",
  "MIN_LENGTH_ADDED",
  "MIN_LENGTH_INCREASED",
  "PATTERN_ADDED",
  "PATTERN_CHANGED",
  "MAXIMUM_ADDED",
  "MAXIMUM_DECREASED",
  "MINIMUM_ADDED",
  "MINIMUM_INCREASED",
  "EXCLUSIVE_MAXIMUM_ADDED",
  "EXCLUSIVE_MAXIMUM_DECREASED",
  "EXCLUSIVE_MINIMUM_ADDED",
  "EXCLUSIVE_MINIMUM_INCREASED",
  "MULTIPLE_OF_ADDED",
  "MULTIPLE_OF_EXPANDED",
  "MULTIPLE_OF_CHANGED",
  "REQUIRED_ATTRIBUTE_ADDED",
  "MAX_PROPERTIES_ADDED",
  "MAX_PROPERTIES_DECREASED",
  "MIN_PROPERTIES_ADDED",
  "MIN_PROPERTIES_INCREASED",
  "ADDITIONAL_PROPERTIES_REMOVED",
  "ADDITIONAL_PROPERTIES_NARROWED",
  "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
  "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
  "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
  "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
  "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
  "MAX_ITEMS_ADDED",
  "MAX_ITEMS_DECREASED",
  "MIN_ITEMS_ADDED",
  "MIN_ITEMS_INCREASED",
  "UNIQUE_ITEMS_ADDED",
  "ENUM_ARRAY_NARROWED",
  "ENUM_ARRAY_CHANGED",
  "COMBINED_TYPE_CHANGED",
  "PRODUCT_TYPE_EXTENDED",
  "SUM_TYPE_NARROWED",
  "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
  "SCHEMA_ADDED",
  /** edgelog's: a keyword this check does not model changed (fail closed). */
  "UNCHECKED_KEYWORD_CHANGED",
] as const;

/** Keywords that never affect which values match. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "id",
  "$comment",
  "title",
  "description",
  "default",
  "examples",
  "readOnly",
  "writeOnly",
  "deprecated",
  "definitions",
  "$defs",
  "format",
  "contentEncoding",
  "contentMediaType",
]);
/** Keywords compared below; every other keyword fails closed when it differs. */
const MODELLED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minProperties",
  "maxProperties",
  "minItems",
  "maxItems",
  "uniqueItems",
  "oneOf",
  "anyOf",
  "allOf",
  "$ref",
]);

const TYPES = ["null", "boolean", "object", "array", "number", "string", "integer"];

/** Every reason a value the writer's schema accepts may fail the reader's; empty when none. */
export function jsonSchemaIncompatibilities(reader: ParsedJsonSchema, writer: ParsedJsonSchema): Incompatibility[] {
  const out: Incompatibility[] = [];
  new Diff(reader, writer, out).compare(writer.root, reader.root, "#", 0);
  return out;
}

class Diff {
  constructor(
    readonly reader: ParsedJsonSchema,
    readonly writer: ParsedJsonSchema,
    readonly out: Incompatibility[],
  ) {}

  add(type: string, path: string, description: string): void {
    this.out.push({ type, path, description });
  }

  /** `original` is the writer's schema, `update` the reader's (Confluent's names for the two sides). */
  compare(originalIn: JsonSchemaDoc, updateIn: JsonSchemaDoc, path: string, depth: number): void {
    if (depth > 32) {
      if (JSON.stringify(originalIn) !== JSON.stringify(updateIn))
        this.add("UNCHECKED_KEYWORD_CHANGED", path, "schemas nested this deep are compared only for equality");
      return;
    }
    const original = this.resolve(originalIn, this.writer);
    const update = this.resolve(updateIn, this.reader);
    if (isEverything(update) || original === false) return;
    if (update === false || isEverything(original)) {
      this.add("SCHEMA_ADDED", path, "the new schema accepts less than the old one did");
      return;
    }
    const o = original as Record<string, unknown>;
    const u = update as Record<string, unknown>;

    // A type widened to a union (oneOf/anyOf) that still accepts the old schema.
    const uSum = (u.oneOf ?? u.anyOf) as JsonSchemaDoc[] | undefined;
    if (!o.oneOf && !o.anyOf && !o.allOf && uSum && Object.keys(u).length === 1) {
      if (uSum.some((branch) => this.quiet(o, branch, depth))) return;
      this.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path, "no branch of the new union accepts what the old schema did");
      return;
    }

    for (const k of new Set([...Object.keys(o), ...Object.keys(u)])) {
      if (ANNOTATIONS.has(k) || MODELLED.has(k)) continue;
      if (JSON.stringify(o[k]) !== JSON.stringify(u[k])) {
        this.add(
          "UNCHECKED_KEYWORD_CHANGED",
          `${path}/${k}`,
          `edgelog does not check changes to ${k}; keep it unchanged`,
        );
      }
    }
    this.types(o, u, path);
    this.bound(o, u, path, "maxLength", "MAX_LENGTH", "max");
    this.bound(o, u, path, "minLength", "MIN_LENGTH", "min");
    this.bound(o, u, path, "maximum", "MAXIMUM", "max");
    this.bound(o, u, path, "minimum", "MINIMUM", "min");
    this.bound(o, u, path, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM", "max");
    this.bound(o, u, path, "exclusiveMinimum", "EXCLUSIVE_MINIMUM", "min");
    this.bound(o, u, path, "maxProperties", "MAX_PROPERTIES", "max");
    this.bound(o, u, path, "minProperties", "MIN_PROPERTIES", "min");
    this.bound(o, u, path, "maxItems", "MAX_ITEMS", "max");
    this.bound(o, u, path, "minItems", "MIN_ITEMS", "min");
    if (u.pattern !== undefined && o.pattern === undefined)
      this.add("PATTERN_ADDED", `${path}/pattern`, "a pattern was added");
    else if (u.pattern !== undefined && u.pattern !== o.pattern)
      this.add("PATTERN_CHANGED", `${path}/pattern`, "the pattern changed");
    this.multipleOf(o, u, path);
    if (u.uniqueItems === true && o.uniqueItems !== true)
      this.add("UNIQUE_ITEMS_ADDED", `${path}/uniqueItems`, "uniqueItems was added");
    this.enums(o, u, path);
    this.objects(o, u, path, depth);
    if (o.items !== undefined || u.items !== undefined) {
      if (Array.isArray(o.items) || Array.isArray(u.items)) {
        if (JSON.stringify(o.items) !== JSON.stringify(u.items))
          this.add("UNCHECKED_KEYWORD_CHANGED", `${path}/items`, "edgelog does not check changes to tuple items");
      } else
        this.compare(
          (o.items ?? true) as JsonSchemaDoc,
          (u.items ?? true) as JsonSchemaDoc,
          `${path}/items`,
          depth + 1,
        );
    }
    this.combined(o, u, path, depth);
  }

  /** Local `$ref`s (#/definitions/..., #/$defs/...) and referenced schemas by name; others stay as written. */
  resolve(s: JsonSchemaDoc, side: ParsedJsonSchema, hops = 0): JsonSchemaDoc {
    if (typeof s !== "object" || typeof s.$ref !== "string" || hops > 16) return s;
    const ref = s.$ref;
    let target: unknown;
    if (ref.startsWith("#/")) {
      target = ref
        .slice(2)
        .split("/")
        .reduce<unknown>(
          (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")],
          side.root,
        );
    } else {
      const [name, fragment] = ref.split("#");
      const doc = side.refs.get(name!);
      target = fragment ? undefined : doc;
    }
    if (typeof target !== "boolean" && (target === null || typeof target !== "object")) return s;
    const rest = Object.fromEntries(Object.entries(s).filter(([k]) => k !== "$ref"));
    const resolved = this.resolve(target as JsonSchemaDoc, side, hops + 1);
    if (Object.keys(rest).length === 0 || typeof resolved === "boolean") return resolved;
    return { ...resolved, ...rest };
  }

  quiet(original: JsonSchemaDoc, update: JsonSchemaDoc, depth: number): boolean {
    const out: Incompatibility[] = [];
    new Diff(this.reader, this.writer, out).compare(original, update, "#", depth + 1);
    return out.length === 0;
  }

  types(o: Record<string, unknown>, u: Record<string, unknown>, path: string): void {
    const set = (t: unknown): Set<string> =>
      new Set(t === undefined ? TYPES : typeof t === "string" ? [t] : (t as string[]));
    const os = set(o.type);
    const us = set(u.type);
    // integer is a subset of number.
    const accepts = (s: Set<string>, t: string) => s.has(t) || (t === "integer" && s.has("number"));
    const lost = [...os].filter((t) => !accepts(us, t));
    if (lost.length === 0) return;
    const gained = [...us].some((t) => !accepts(os, t));
    this.add(
      gained ? "TYPE_CHANGED" : "TYPE_NARROWED",
      `${path}/type`,
      `the new schema no longer accepts ${lost.join(", ")}`,
    );
  }

  bound(
    o: Record<string, unknown>,
    u: Record<string, unknown>,
    path: string,
    key: string,
    name: string,
    kind: "max" | "min",
  ): void {
    const ov = o[key];
    const uv = u[key];
    if (typeof uv !== "number") return; // removed or absent: accepts more
    if (typeof ov !== "number") {
      this.add(`${name}_ADDED`, `${path}/${key}`, `${key} ${uv} was added`);
      return;
    }
    if (kind === "max" && uv < ov) this.add(`${name}_DECREASED`, `${path}/${key}`, `${key} went from ${ov} to ${uv}`);
    if (kind === "min" && uv > ov) this.add(`${name}_INCREASED`, `${path}/${key}`, `${key} went from ${ov} to ${uv}`);
  }

  multipleOf(o: Record<string, unknown>, u: Record<string, unknown>, path: string): void {
    const ov = o.multipleOf;
    const uv = u.multipleOf;
    if (typeof uv !== "number") return;
    if (typeof ov !== "number")
      return this.add("MULTIPLE_OF_ADDED", `${path}/multipleOf`, `multipleOf ${uv} was added`);
    if (ov === uv || Number.isInteger(ov / uv)) return; // reduced: every old multiple is still one
    this.add(
      Number.isInteger(uv / ov) ? "MULTIPLE_OF_EXPANDED" : "MULTIPLE_OF_CHANGED",
      `${path}/multipleOf`,
      `multipleOf went from ${ov} to ${uv}`,
    );
  }

  enums(o: Record<string, unknown>, u: Record<string, unknown>, path: string): void {
    if (!Array.isArray(u.enum)) return;
    const key = (v: unknown) => JSON.stringify(v);
    const uv = new Set(u.enum.map(key));
    if (!Array.isArray(o.enum)) return this.add("ENUM_ARRAY_NARROWED", `${path}/enum`, "an enum was added");
    const ov = o.enum.map(key);
    const lost = ov.filter((v) => !uv.has(v));
    if (lost.length === 0) return;
    const gained = [...uv].some((v) => !ov.includes(v));
    this.add(
      gained ? "ENUM_ARRAY_CHANGED" : "ENUM_ARRAY_NARROWED",
      `${path}/enum`,
      `the enum no longer has ${lost.join(", ")}`,
    );
  }

  objects(o: Record<string, unknown>, u: Record<string, unknown>, path: string, depth: number): void {
    const op = (o.properties ?? {}) as Record<string, JsonSchemaDoc>;
    const up = (u.properties ?? {}) as Record<string, JsonSchemaDoc>;
    const oAdditional = (o.additionalProperties ?? true) as JsonSchemaDoc;
    const uAdditional = (u.additionalProperties ?? true) as JsonSchemaDoc;
    const oRequired = new Set((o.required ?? []) as string[]);
    const uRequired = new Set((u.required ?? []) as string[]);
    for (const [name, schema] of Object.entries(up)) {
      const at = `${path}/properties/${name}`;
      if (name in op) {
        this.compare(op[name]!, schema, at, depth + 1);
        continue;
      }
      // Old values may hold this name with whatever the old additionalProperties allowed.
      if (oAdditional === false) {
        if (uRequired.has(name))
          this.add("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", at, `required property ${name} was added`);
      } else if (isEverything(oAdditional)) {
        if (!isEverything(schema))
          this.add("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", at, `property ${name} was added to an open content model`);
      } else if (!this.quiet(oAdditional, schema, depth)) {
        this.add(
          "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
          at,
          `property ${name} is not covered by the old additionalProperties`,
        );
      }
    }
    for (const [name, schema] of Object.entries(op)) {
      if (name in up) continue;
      const at = `${path}/properties/${name}`;
      if (uAdditional === false)
        this.add(
          "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
          at,
          `property ${name} was removed from a closed content model`,
        );
      else if (!isEverything(uAdditional) && !this.quiet(schema, uAdditional, depth))
        this.add(
          "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
          at,
          `property ${name} is not covered by the new additionalProperties`,
        );
    }
    for (const name of uRequired) {
      if (oRequired.has(name)) continue;
      const prop = up[name];
      if (!(typeof prop === "object" && "default" in prop))
        this.add("REQUIRED_ATTRIBUTE_ADDED", `${path}/required`, `property ${name} became required`);
    }
    if (oAdditional !== uAdditional && JSON.stringify(oAdditional) !== JSON.stringify(uAdditional)) {
      if (uAdditional === false)
        this.add("ADDITIONAL_PROPERTIES_REMOVED", `${path}/additionalProperties`, "additionalProperties was closed");
      else if (!isEverything(uAdditional)) {
        if (!this.quiet(oAdditional, uAdditional, depth))
          this.add(
            "ADDITIONAL_PROPERTIES_NARROWED",
            `${path}/additionalProperties`,
            "additionalProperties accepts less",
          );
      }
    }
  }

  combined(o: Record<string, unknown>, u: Record<string, unknown>, path: string, depth: number): void {
    const kind = (s: Record<string, unknown>) =>
      (["oneOf", "anyOf", "allOf"] as const).find((k) => Array.isArray(s[k]));
    const ok = kind(o);
    const uk = kind(u);
    if (!uk) return; // removed: accepts more
    if (ok !== uk) return this.add("COMBINED_TYPE_CHANGED", `${path}/${uk}`, `${ok ?? "no combination"} became ${uk}`);
    const os = o[ok] as JsonSchemaDoc[];
    const us = u[uk] as JsonSchemaDoc[];
    if (uk === "allOf") {
      // Every new conjunct must accept what the old conjunction did: some old conjunct must imply it.
      if (us.length > os.length) return this.add("PRODUCT_TYPE_EXTENDED", `${path}/allOf`, "allOf gained subschemas");
      if (!us.every((ub) => os.some((ob) => this.quiet(ob, ub, depth))))
        this.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", `${path}/allOf`, "allOf subschemas changed");
      return;
    }
    if (!os.every((ob) => us.some((ub) => this.quiet(ob, ub, depth)))) {
      this.add(
        us.length < os.length ? "SUM_TYPE_NARROWED" : "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
        `${path}/${uk}`,
        `some ${ok} branch of the old schema is accepted by no branch of the new one`,
      );
    }
  }
}

function isEverything(s: JsonSchemaDoc): boolean {
  return s === true || (typeof s === "object" && Object.keys(s).every((k) => ANNOTATIONS.has(k)));
}
