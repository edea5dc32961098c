// The field transforms of schemaless records, with Kafka's class names and config keys:
// InsertField, ReplaceField, MaskField, ValueToKey, ExtractField and HeaderFrom.

import type { ConfigValue } from "../config.js";
import { type ConnectRecord, type Data, type DataMap, DataException, isMap, typeName } from "../record.js";
import { operating, type Side, TRANSFORMS_PACKAGE, type TransformPlugin, withOperating } from "./types.js";

const str = (v: ConfigValue) => (v === null ? null : String(v));
const list = (v: ConfigValue) => (Array.isArray(v) ? v : []);
const sideSuffix = (side: Side) => (side === "key" ? "$Key" : "$Value");

function requireMap(d: Data, purpose: string): DataMap {
  if (!isMap(d))
    throw new DataException(`Only Map objects supported in absence of schema for [${purpose}], found: ${typeName(d)}`);
  return d;
}

/** InsertField: `topic.field`, `partition.field`, `offset.field`, `timestamp.field`, `static.field` + `static.value`. */
function insertField(side: Side): TransformPlugin {
  // A trailing ! (required) or ? (optional) only matters with schemas; the name is what precedes it.
  const field = (v: ConfigValue) => (v === null || v === "" ? null : String(v).replace(/[!?]$/, ""));
  return {
    class: `${TRANSFORMS_PACKAGE}.InsertField${sideSuffix(side)}`,
    config: [
      {
        name: "topic.field",
        type: "STRING",
        default: null,
        importance: "MEDIUM",
        documentation: "Field name for the record's topic.",
      },
      {
        name: "partition.field",
        type: "STRING",
        default: null,
        importance: "MEDIUM",
        documentation: "Field name for the record's partition.",
      },
      {
        name: "offset.field",
        type: "STRING",
        default: null,
        importance: "MEDIUM",
        documentation: "Field name for the record's offset (sink connectors only).",
      },
      {
        name: "timestamp.field",
        type: "STRING",
        default: null,
        importance: "MEDIUM",
        documentation: "Field name for the record's timestamp (ms since the epoch).",
      },
      {
        name: "static.field",
        type: "STRING",
        default: null,
        importance: "MEDIUM",
        documentation: "Field name for a static value.",
      },
      {
        name: "static.value",
        type: "STRING",
        default: null,
        importance: "MEDIUM",
        documentation: "The static field value.",
      },
    ],
    create(v) {
      const topic = field(v["topic.field"]!);
      const partition = field(v["partition.field"]!);
      const offset = field(v["offset.field"]!);
      const timestamp = field(v["timestamp.field"]!);
      const staticField = field(v["static.field"]!);
      const staticValue = str(v["static.value"]!);
      return {
        apply(r) {
          const data = operating(r, side);
          if (data === null) return r; // tombstones pass through
          const out: DataMap = { ...requireMap(data, "field insertion") };
          if (topic) out[topic] = r.topic;
          if (partition && r.partition !== null) out[partition] = r.partition;
          if (offset) {
            if (!r.original) throw new DataException("Only SinkRecord supported for [offset insertion]");
            out[offset] = r.original.offset;
          }
          if (timestamp && r.timestamp !== null) out[timestamp] = r.timestamp;
          if (staticField) out[staticField] = staticValue;
          return withOperating(r, side, out);
        },
      };
    },
  };
}

/** ReplaceField: `exclude`, `include` (and Kafka's older blacklist/whitelist), `renames` as old:new pairs. */
function replaceField(side: Side): TransformPlugin {
  return {
    class: `${TRANSFORMS_PACKAGE}.ReplaceField${sideSuffix(side)}`,
    config: [
      {
        name: "exclude",
        type: "LIST",
        default: [],
        importance: "MEDIUM",
        documentation: "Fields to exclude. This takes precedence over the fields to include.",
      },
      {
        name: "include",
        type: "LIST",
        default: [],
        importance: "MEDIUM",
        documentation: "Fields to include. If specified, only these fields will be used.",
      },
      {
        name: "blacklist",
        type: "LIST",
        default: [],
        importance: "LOW",
        documentation: "Deprecated. Use exclude instead.",
      },
      {
        name: "whitelist",
        type: "LIST",
        default: [],
        importance: "LOW",
        documentation: "Deprecated. Use include instead.",
      },
      {
        name: "renames",
        type: "LIST",
        default: [],
        importance: "MEDIUM",
        documentation: "Field rename mappings, as foo:bar,abc:xyz.",
        validate: (value) =>
          list(value).find((p) => p.split(":").length !== 2 || p.split(":").some((s) => s === ""))
            ? `Invalid rename mapping: ${list(value).join(",")}; use old:new pairs separated by commas`
            : undefined,
      },
    ],
    create(v) {
      const exclude = new Set([...list(v.exclude!), ...list(v.blacklist!)]);
      const include = new Set([...list(v.include!), ...list(v.whitelist!)]);
      const renames = new Map(list(v.renames!).map((p) => p.split(":") as [string, string]));
      const keep = (f: string) => !exclude.has(f) && (include.size === 0 || include.has(f));
      return {
        apply(r) {
          const data = operating(r, side);
          if (data === null) return r;
          const out: DataMap = {};
          for (const [f, value] of Object.entries(requireMap(data, "field replacement"))) {
            if (keep(f)) out[renames.get(f) ?? f] = value;
          }
          return withOperating(r, side, out);
        },
      };
    },
  };
}

/** The value Kafka's MaskField puts in place of a field, by the field's type. */
function masked(value: Data, replacement: string | null): Data {
  if (value === null) return null;
  if (replacement === null) {
    if (typeof value === "string") return "";
    if (typeof value === "number") return 0;
    if (typeof value === "boolean") return false;
    if (Array.isArray(value)) return [];
    if (value instanceof Uint8Array) return new Uint8Array(0);
    return {};
  }
  if (typeof value === "string") return replacement;
  if (typeof value === "number") {
    const n = Number(replacement);
    if (replacement.trim() === "" || !Number.isFinite(n))
      throw new DataException(`Unable to convert ${replacement} to a number for masking`);
    return n;
  }
  throw new DataException(`Cannot mask value of type ${typeName(value)} with custom replacement.`);
}

/** MaskField: `fields`, optional `replacement`. */
function maskField(side: Side): TransformPlugin {
  return {
    class: `${TRANSFORMS_PACKAGE}.MaskField${sideSuffix(side)}`,
    config: [
      {
        name: "fields",
        type: "LIST",
        importance: "HIGH",
        documentation: "Names of fields to mask.",
        validate: (x) => (list(x).length === 0 ? "fields must name at least one field" : undefined),
      },
      {
        name: "replacement",
        type: "STRING",
        default: null,
        importance: "LOW",
        documentation:
          "Custom value replacement, applied to all 'fields' values (numeric or non-empty string values only).",
      },
    ],
    create(v) {
      const fields = list(v.fields!);
      const replacement = str(v.replacement!);
      return {
        apply(r) {
          const data = operating(r, side);
          if (data === null) return r;
          const out: DataMap = { ...requireMap(data, "masking") };
          for (const f of fields) if (f in out) out[f] = masked(out[f]!, replacement);
          return withOperating(r, side, out);
        },
      };
    },
  };
}

/** ValueToKey: replaces the key with a map of `fields` taken from the value. */
const valueToKey: TransformPlugin = {
  class: `${TRANSFORMS_PACKAGE}.ValueToKey`,
  config: [
    {
      name: "fields",
      type: "LIST",
      importance: "HIGH",
      documentation: "Field names on the record value to extract as the record key.",
      validate: (x) => (list(x).length === 0 ? "fields must name at least one field" : undefined),
    },
  ],
  create(v) {
    const fields = list(v.fields!);
    return {
      apply(r) {
        const value = requireMap(r.value, "copying fields from value to key");
        const key: DataMap = {};
        for (const f of fields) key[f] = value[f] ?? null;
        return { ...r, key };
      },
    };
  },
};

/** The path in a value: V1 takes the name as is; V2 reads dots as nesting (backticks quote a name holding dots). */
function fieldPath(field: string, version: string): string[] {
  if (version !== "V2") return [field];
  const parts: string[] = [];
  const re = /`((?:[^`]|``)*)`|([^.]+)/g;
  for (let m = re.exec(field); m; m = re.exec(field))
    parts.push(m[1] !== undefined ? m[1].replaceAll("``", "`") : m[2]!);
  return parts;
}

/** ExtractField: the operating key or value becomes one of its fields (`field`, `field.syntax.version`). */
function extractField(side: Side): TransformPlugin {
  return {
    class: `${TRANSFORMS_PACKAGE}.ExtractField${sideSuffix(side)}`,
    config: [
      { name: "field", type: "STRING", importance: "MEDIUM", documentation: "Field name to extract." },
      {
        name: "field.syntax.version",
        type: "STRING",
        default: "V1",
        validValues: ["V1", "V2"],
        importance: "HIGH",
        documentation: "V1: the name is one field; V2: dots separate nested fields, backticks quote names with dots.",
      },
    ],
    create(v) {
      const path = fieldPath(String(v.field), String(v["field.syntax.version"]));
      return {
        apply(r) {
          const data = operating(r, side);
          if (data === null) return withOperating(r, side, null);
          let at: Data = requireMap(data, "field extraction");
          for (const p of path) {
            if (!isMap(at)) return withOperating(r, side, null);
            at = at[p] ?? null;
          }
          return withOperating(r, side, at);
        },
      };
    },
  };
}

/** A header's text for a field value: strings as they are, anything else as JSON. */
function headerText(d: Data | undefined): string | null {
  if (d === undefined || d === null) return null;
  return typeof d === "string" ? d : JSON.stringify(d);
}

/** HeaderFrom: copies or moves `fields` into `headers` (same length, pairwise). */
function headerFrom(side: Side): TransformPlugin {
  return {
    class: `${TRANSFORMS_PACKAGE}.HeaderFrom${sideSuffix(side)}`,
    config: [
      {
        name: "fields",
        type: "LIST",
        importance: "HIGH",
        documentation: "Field names in the record whose values are to be copied or moved to headers.",
      },
      {
        name: "headers",
        type: "LIST",
        importance: "HIGH",
        documentation:
          "Header names, in the same order as the field names listed in the fields configuration property.",
      },
      {
        name: "operation",
        type: "STRING",
        validValues: ["move", "copy"],
        importance: "HIGH",
        documentation:
          "Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value).",
      },
    ],
    create(v) {
      const fields = list(v.fields!);
      const headers = list(v.headers!);
      if (fields.length !== headers.length)
        throw new DataException("'fields' config must have the same number of elements as 'headers' config.");
      const move = v.operation === "move";
      return {
        apply(r) {
          const data = operating(r, side);
          if (data === null) return r;
          const map = requireMap(data, "header ".concat(move ? "move" : "copy"));
          const added = fields.map((f, i) => ({ key: headers[i]!, value: headerText(map[f]) }));
          const out: ConnectRecord = { ...r, headers: [...r.headers, ...added] };
          if (!move) return out;
          const rest: DataMap = { ...map };
          for (const f of fields) delete rest[f];
          return withOperating(out, side, rest);
        },
      };
    },
  };
}

export const FIELD_TRANSFORMS: TransformPlugin[] = [
  insertField("key"),
  insertField("value"),
  replaceField("key"),
  replaceField("value"),
  maskField("key"),
  maskField("value"),
  valueToKey,
  extractField("key"),
  extractField("value"),
  headerFrom("key"),
  headerFrom("value"),
];
