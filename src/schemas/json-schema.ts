// JSON Schema: parsing (and validating values) with @cfworker/json-schema, which runs in workerd
// without code generation; references resolve by the name each one is registered under.

import { Validator, type Schema } from "@cfworker/json-schema";
import { SchemaError } from "./errors.js";

export type JsonSchemaDoc = boolean | Record<string, unknown>;

export interface ParsedJsonSchema {
  root: JsonSchemaDoc;
  /** Referenced schemas by the name the root's `$ref`s use. */
  refs: Map<string, JsonSchemaDoc>;
  draft: Draft;
}

type Draft = "4" | "7" | "2019-09" | "2020-12";

const DRAFTS: Record<string, Draft> = {
  "http://json-schema.org/draft-04/schema": "4",
  "http://json-schema.org/draft-06/schema": "7",
  "http://json-schema.org/draft-07/schema": "7",
  "https://json-schema.org/draft/2019-09/schema": "2019-09",
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
};

/** Parses schema text; `refs` are the referenced schemas' texts by reference name. */
export function parseJsonSchema(text: string, refs: readonly { name: string; text: string }[] = []): ParsedJsonSchema {
  const root = parseDoc(text, "schema");
  const map = new Map<string, JsonSchemaDoc>();
  for (const r of refs) map.set(r.name, parseDoc(r.text, `reference ${r.name}`));
  const declared = typeof root === "object" && typeof root.$schema === "string" ? root.$schema : undefined;
  const draft = declared === undefined ? "7" : DRAFTS[declared.replace(/#$/, "")];
  if (!draft) throw new SchemaError(`Invalid schema: unsupported $schema ${JSON.stringify(declared)}`);
  const parsed = { root, refs: map, draft };
  // Building a validator checks that every $ref resolves; unknown keywords are annotations, as the specification says.
  try {
    validator(parsed);
  } catch (e) {
    throw new SchemaError(`Invalid schema: ${(e as Error).message}`);
  }
  return parsed;
}

function parseDoc(text: string, what: string): JsonSchemaDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SchemaError(`Invalid ${what}: not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== "boolean" && (doc === null || typeof doc !== "object" || Array.isArray(doc)))
    throw new SchemaError(`Invalid ${what}: a JSON Schema is an object or a boolean`);
  if (typeof doc === "object") checkShapes(doc as Record<string, unknown>, "#");
  return doc as JsonSchemaDoc;
}

/** The keywords whose value shapes the compatibility check relies on. */
function checkShapes(s: Record<string, unknown>, path: string): void {
  const bad = (k: string, want: string) => {
    throw new SchemaError(`Invalid schema: ${path}/${k} must be ${want}`);
  };
  if (
    "type" in s &&
    typeof s.type !== "string" &&
    !(Array.isArray(s.type) && s.type.every((t) => typeof t === "string"))
  )
    bad("type", "a string or an array of strings");
  if ("required" in s && !(Array.isArray(s.required) && s.required.every((t) => typeof t === "string")))
    bad("required", "an array of strings");
  if ("properties" in s && (s.properties === null || typeof s.properties !== "object" || Array.isArray(s.properties)))
    bad("properties", "an object");
  if ("enum" in s && !Array.isArray(s.enum)) bad("enum", "an array");
  for (const k of ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "multipleOf"]) {
    if (k in s && typeof s[k] !== "number") bad(k, "a number");
  }
  const sub = (v: unknown, p: string) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) checkShapes(v as Record<string, unknown>, p);
  };
  for (const [name, v] of Object.entries((s.properties as Record<string, unknown>) ?? {}))
    sub(v, `${path}/properties/${name}`);
  for (const k of ["items", "additionalProperties", "not"]) sub(s[k], `${path}/${k}`);
  for (const k of ["oneOf", "anyOf", "allOf"]) {
    if (k in s && !Array.isArray(s[k])) bad(k, "an array");
    if (Array.isArray(s[k])) (s[k] as unknown[]).forEach((v, i) => sub(v, `${path}/${k}/${i}`));
  }
}

const validators = new WeakMap<ParsedJsonSchema, Validator>();

function validator(s: ParsedJsonSchema): Validator {
  let v = validators.get(s);
  if (!v) {
    v = new Validator(s.root as Schema, s.draft, false);
    for (const [name, doc] of s.refs) v.addSchema(doc as Schema, name);
    validators.set(s, v);
  }
  return v;
}

/** Why `value` does not match the schema (the validator's first errors), or undefined when it does. */
export function jsonSchemaProblem(s: ParsedJsonSchema, value: unknown): string | undefined {
  const r = validator(s).validate(value);
  if (r.valid) return undefined;
  return r.errors
    .slice(-3)
    .map((e) => `${e.instanceLocation}: ${e.error}`)
    .join("; ");
}
