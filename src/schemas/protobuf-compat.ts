// Protobuf compatibility: can a reader's messages parse what a writer's wrote? Compared on the wire
// (field numbers and wire types, not names), reported with Confluent's Protobuf difference types.
// What this check does not model (extensions, proto2 groups) fails closed.

import protobuf from "protobufjs";
import type { Incompatibility } from "./compatibility.js";
import { fullName, type ParsedProtobuf } from "./protobuf.js";

/** Difference types reported as incompatible (Confluent's names, plus edgelog's fail-closed one). */
export const PROTOBUF_INCOMPATIBILITIES = [
  "PACKAGE_CHANGED",
  "MESSAGE_REMOVED",
  "FIELD_KIND_CHANGED",
  "FIELD_SCALAR_KIND_CHANGED",
  "FIELD_NAMED_TYPE_CHANGED",
  "FIELD_NUMERIC_LABEL_CHANGED",
  "REQUIRED_FIELD_ADDED",
  "REQUIRED_FIELD_REMOVED",
  "ONEOF_FIELD_REMOVED",
  "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
  "FIELD_MOVED_TO_EXISTING_ONEOF",
  "UNCHECKED_CONSTRUCT_CHANGED",
] as const;

/** Scalars that read each other's encodings (same wire type and meaning). */
const SCALAR_GROUPS = [
  ["int32", "uint32", "int64", "uint64", "bool"],
  ["sint32", "sint64"],
  ["fixed32", "sfixed32"],
  ["fixed64", "sfixed64"],
  ["string", "bytes"],
  ["float"],
  ["double"],
];

export function protobufIncompatibilities(reader: ParsedProtobuf, writer: ParsedProtobuf): Incompatibility[] {
  const out: Incompatibility[] = [];
  if (reader.packageName !== writer.packageName) {
    out.push({
      type: "PACKAGE_CHANGED",
      path: "#/",
      description: `package ${writer.packageName || "(none)"} became ${reader.packageName || "(none)"}`,
    });
    return out;
  }
  for (const name of writer.messages) {
    const w = writer.root.lookupType(name);
    const r = reader.messages.includes(name) ? reader.root.lookupType(name) : undefined;
    if (!r) {
      out.push({ type: "MESSAGE_REMOVED", path: `#/${name}`, description: `message ${name} was removed` });
      continue;
    }
    compareMessage(r, w, `#/${name}`, out);
  }
  return out;
}

function compareMessage(r: protobuf.Type, w: protobuf.Type, path: string, out: Incompatibility[]): void {
  if (hasExtensions(r) || hasExtensions(w)) {
    if (JSON.stringify(r.toJSON()) !== JSON.stringify(w.toJSON()))
      out.push({
        type: "UNCHECKED_CONSTRUCT_CHANGED",
        path,
        description: "edgelog does not check changes to messages with extensions",
      });
    return;
  }
  for (const wf of w.fieldsArray) {
    const rf = r.fieldsById[wf.id];
    const at = `${path}/${wf.id}`;
    if (!rf) {
      if (wf.required)
        out.push({ type: "REQUIRED_FIELD_REMOVED", path: at, description: `required field ${wf.name} was removed` });
      if (wf.partOf)
        out.push({
          type: "ONEOF_FIELD_REMOVED",
          path: at,
          description: `field ${wf.name} was removed from oneof ${wf.partOf.name}`,
        });
      continue;
    }
    compareField(rf, wf, at, out);
  }
  for (const rf of r.fieldsArray) {
    if (!w.fieldsById[rf.id] && rf.required)
      out.push({
        type: "REQUIRED_FIELD_ADDED",
        path: `${path}/${rf.id}`,
        description: `required field ${rf.name} was added`,
      });
  }
  // Fields that were apart and now share a oneof: old data may set several of them.
  for (const oneof of r.oneofsArray) {
    const moved = oneof.fieldsArray.filter((f) => {
      const before = w.fieldsById[f.id];
      return before && !before.partOf;
    });
    const existing = oneof.fieldsArray.some((f) => w.fieldsById[f.id]?.partOf);
    if (moved.length > 1)
      out.push({
        type: "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        path: `${path}/${oneof.name}`,
        description: `fields ${moved.map((f) => f.name).join(", ")} moved into oneof ${oneof.name}`,
      });
    else if (moved.length === 1 && existing)
      out.push({
        type: "FIELD_MOVED_TO_EXISTING_ONEOF",
        path: `${path}/${oneof.name}`,
        description: `field ${moved[0]!.name} moved into the existing oneof ${oneof.name}`,
      });
  }
}

function hasExtensions(t: protobuf.Type): boolean {
  return (t.extensions?.length ?? 0) > 0 || t.nestedArray.some((n) => n instanceof protobuf.Field);
}

type Kind = "scalar" | "message" | "enum" | "map";

function kindOf(f: protobuf.Field): Kind {
  if (f.map) return "map";
  if (f.resolvedType instanceof protobuf.Type) return "message";
  if (f.resolvedType instanceof protobuf.Enum) return "enum";
  return "scalar";
}

function compareField(r: protobuf.Field, w: protobuf.Field, path: string, out: Incompatibility[]): void {
  const rk = kindOf(r);
  const wk = kindOf(w);
  if (rk !== wk) {
    out.push({ type: "FIELD_KIND_CHANGED", path, description: `field ${w.name} changed from ${wk} to ${rk}` });
    return;
  }
  if (rk === "map") {
    const rm = r as unknown as protobuf.MapField;
    const wm = w as unknown as protobuf.MapField;
    if (rm.keyType !== wm.keyType || !sameValueType(r, w))
      out.push({ type: "FIELD_KIND_CHANGED", path, description: `map field ${w.name} changed its key or value type` });
    return;
  }
  if (rk === "scalar") {
    if (!SCALAR_GROUPS.some((g) => g.includes(r.type) && g.includes(w.type)))
      out.push({
        type: "FIELD_SCALAR_KIND_CHANGED",
        path,
        description: `field ${w.name} changed from ${w.type} to ${r.type}`,
      });
  } else if (fullName(r.resolvedType!) !== fullName(w.resolvedType!)) {
    out.push({
      type: "FIELD_NAMED_TYPE_CHANGED",
      path,
      description: `field ${w.name} changed from ${fullName(w.resolvedType!)} to ${fullName(r.resolvedType!)}`,
    });
  }
  // Repeated and singular read each other only for length-delimited types (strings, bytes, messages).
  if (r.repeated !== w.repeated && !(rk === "message" || r.type === "string" || r.type === "bytes"))
    out.push({
      type: "FIELD_NUMERIC_LABEL_CHANGED",
      path,
      description: `field ${w.name} changed between singular and repeated`,
    });
  if (r.required && !w.required)
    out.push({ type: "REQUIRED_FIELD_ADDED", path, description: `field ${w.name} became required` });
}

function sameValueType(r: protobuf.Field, w: protobuf.Field): boolean {
  if (r.resolvedType || w.resolvedType)
    return !!r.resolvedType && !!w.resolvedType && fullName(r.resolvedType) === fullName(w.resolvedType);
  return r.type === w.type;
}
