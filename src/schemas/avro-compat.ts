// Avro schema resolution as a compatibility check: can a reader schema read every datum a writer
// schema wrote? The rules of the Avro specification ("Schema Resolution"), reported with the
// incompatibility types of Avro's Java SchemaCompatibility, which Confluent's registry uses.

import { describe, type AvroType } from "./avro-schema.js";
import type { Incompatibility } from "./compatibility.js";

/** Avro's SchemaIncompatibilityType names; every one is checked. */
export const AVRO_INCOMPATIBILITIES = [
  "NAME_MISMATCH",
  "FIXED_SIZE_MISMATCH",
  "MISSING_ENUM_SYMBOLS",
  "READER_FIELD_MISSING_DEFAULT_VALUE",
  "TYPE_MISMATCH",
  "MISSING_UNION_BRANCH",
] as const;

/** Writer primitives each reader primitive accepts besides itself (the specification's promotions). */
const PROMOTIONS: Record<string, readonly string[]> = {
  long: ["int"],
  float: ["int", "long"],
  double: ["int", "long", "float"],
  string: ["bytes"],
  bytes: ["string"],
};

/** Every reason `reader` cannot read what `writer` wrote; empty when it can. */
export function avroIncompatibilities(reader: AvroType, writer: AvroType): Incompatibility[] {
  const out: Incompatibility[] = [];
  check(reader, writer, "", out, new Set());
  return out;
}

function check(reader: AvroType, writer: AvroType, path: string, out: Incompatibility[], seen: Set<string>): void {
  // Recursive named types: a pair whose check is under way (an ancestor) is assumed compatible.
  if (!("name" in reader && "name" in writer)) return checkPair(reader, writer, path, out, seen);
  const key = `${reader.name}\u0000${writer.name}`;
  if (seen.has(key)) return;
  seen.add(key);
  checkPair(reader, writer, path, out, seen);
  seen.delete(key);
}

function checkPair(reader: AvroType, writer: AvroType, path: string, out: Incompatibility[], seen: Set<string>): void {
  if (writer.kind === "union") {
    // Every branch the writer may have used must be readable.
    writer.branches.forEach((b, i) => {
      if (reader.kind === "union") {
        if (!reader.branches.some((r) => quiet(r, b, seen))) {
          out.push({
            type: "MISSING_UNION_BRANCH",
            path: `${path}/${i}`,
            description: `reader union lacking writer type: ${describe(b).toUpperCase()}`,
          });
        }
      } else check(reader, b, `${path}/${i}`, out, seen);
    });
    return;
  }
  if (reader.kind === "union") {
    if (!reader.branches.some((r) => quiet(r, writer, seen))) {
      out.push({
        type: "MISSING_UNION_BRANCH",
        path,
        description: `reader union lacking writer type: ${describe(writer).toUpperCase()}`,
      });
    }
    return;
  }
  if (reader.kind === "primitive" && writer.kind === "primitive") {
    if (reader.type !== writer.type && !PROMOTIONS[reader.type]?.includes(writer.type))
      mismatch(reader, writer, path, out);
    return;
  }
  if (reader.kind !== writer.kind) {
    mismatch(reader, writer, path, out);
    return;
  }
  switch (reader.kind) {
    case "array":
      check(reader.items, (writer as typeof reader).items, `${path}/items`, out, seen);
      return;
    case "map":
      check(reader.values, (writer as typeof reader).values, `${path}/values`, out, seen);
      return;
    case "fixed": {
      const w = writer as typeof reader;
      if (!namesMatch(reader, w)) return nameMismatch(reader, w, path, out);
      if (reader.size !== w.size) {
        out.push({
          type: "FIXED_SIZE_MISMATCH",
          path: `${path}/size`,
          description: `expected: ${w.size}, found: ${reader.size}`,
        });
      }
      return;
    }
    case "enum": {
      const w = writer as typeof reader;
      if (!namesMatch(reader, w)) return nameMismatch(reader, w, path, out);
      const missing = w.symbols.filter((s) => !reader.symbols.includes(s));
      if (missing.length > 0 && reader.default === undefined) {
        out.push({
          type: "MISSING_ENUM_SYMBOLS",
          path: `${path}/symbols`,
          description: `The new schema is missing enum symbols '${missing.join(", ")}' at path '${path}/symbols' in the old schema`,
        });
      }
      return;
    }
    case "record": {
      const w = writer as typeof reader;
      if (!namesMatch(reader, w)) return nameMismatch(reader, w, path, out);
      reader.fields.forEach((rf, i) => {
        const wf = w.fields.find((f) => f.name === rf.name) ?? w.fields.find((f) => rf.aliases.includes(f.name));
        if (wf) check(rf.type, wf.type, `${path}/fields/${i}/type`, out, seen);
        else if (!rf.default) {
          out.push({
            type: "READER_FIELD_MISSING_DEFAULT_VALUE",
            path: `${path}/fields/${i}`,
            description: `The field '${rf.name}' at path '${path}/fields/${i}' in the new schema has no default value and is missing in the old schema`,
          });
        }
      });
      return;
    }
  }
}

/** Whether reader reads writer, without recording why not (for choosing a union branch). */
function quiet(reader: AvroType, writer: AvroType, seen: Set<string>): boolean {
  const out: Incompatibility[] = [];
  check(reader, writer, "", out, new Set(seen));
  return out.length === 0;
}

/** As Avro's Java SchemaCompatibility: unqualified names equal, or the reader aliases the writer's full name. */
function namesMatch(reader: { name: string; aliases: string[] }, writer: { name: string }): boolean {
  return short(reader.name) === short(writer.name) || reader.aliases.includes(writer.name);
}

function short(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

function nameMismatch(reader: { name: string }, writer: { name: string }, path: string, out: Incompatibility[]): void {
  out.push({
    type: "NAME_MISMATCH",
    path: `${path}/name`,
    description: `expected: ${writer.name}, found: ${reader.name}`,
  });
}

function mismatch(reader: AvroType, writer: AvroType, path: string, out: Incompatibility[]): void {
  out.push({
    type: "TYPE_MISMATCH",
    path,
    description: `reader type: ${describe(reader).toUpperCase()} not compatible with writer type: ${describe(writer).toUpperCase()}`,
  });
}
