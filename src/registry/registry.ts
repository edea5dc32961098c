// The registry's rules over its store: registering (same schema, same id; compatibility under the
// subject's level), looking up, soft and permanent deletes, references, levels and modes.

import { EdgelogError } from "../protocol/errors.js";
import {
  MAX_SCHEMA_CHARS,
  REGISTRY_MODES,
  SUBJECT_PATTERN,
  type RegistryMode,
  type SchemaById,
  type SchemaReference,
  type SchemaRequest,
  type SubjectVersion,
} from "../protocol/registry-api.js";
import {
  COMPATIBILITY_LEVELS,
  compatibilityMessages,
  DEFAULT_COMPATIBILITY,
  type CompatibilityLevel,
} from "../schemas/compatibility.js";
import { incompatibilities, schemaIdentity } from "../schemas/compare.js";
import { parseSchema, type ParsedSchema, type ResolvedReference } from "../schemas/formats.js";
import type { RegistryStore, SchemaRow, VersionRow } from "./store.js";
import type { VersionRef } from "../contracts/registry.js";

/** A version as a path names it: a number, or the latest. */

const GLOBAL = "";
/** Parsed schemas kept per object (ids never change, so entries never go stale). */
const PARSED_CACHE_ENTRIES = 1000;

export class SchemaRegistry {
  readonly #parsed = new Map<number, ParsedSchema>();

  constructor(private readonly store: RegistryStore) {}

  register(subject: string, req: SchemaRequest): { id: number } {
    checkSubject(subject);
    if (this.mode(subject) === "READONLY")
      throw new EdgelogError("OPERATION_NOT_PERMITTED", `subject ${JSON.stringify(subject)} is in read-only mode`);
    const { parsed, identity, refs } = this.#candidate(req);
    const live = this.store.versions(subject, false);
    const existing = this.store.schemaByIdentity(identity);
    if (existing && live.some((v) => v.schemaId === existing.id)) return { id: existing.id };
    const messages = compatibilityMessages(this.level(subject), parsed, this.#previous(live), incompatibilities);
    if (messages.length > 0) {
      throw new EdgelogError(
        "INCOMPATIBLE_SCHEMA",
        `Schema being registered is incompatible with an earlier schema for subject ${JSON.stringify(subject)}, details: [${messages.join(", ")}]`,
      );
    }
    const row = existing ?? this.store.insertSchema(parsed.type, req.schema, refs, identity);
    this.#remember(row.id, parsed);
    this.store.addVersion(subject, row.id);
    return { id: row.id };
  }

  /** POST /subjects/{s}: the version of the subject holding this schema. */
  lookup(subject: string, req: SchemaRequest, deleted: boolean): SubjectVersion {
    const { identity } = this.#candidate(req);
    const all = this.store.versions(subject, deleted);
    if (all.length === 0) throw subjectNotFound(subject);
    const row = this.store.schemaByIdentity(identity);
    const v = row && all.find((x) => x.schemaId === row.id);
    if (!row || !v) throw new EdgelogError("SCHEMA_NOT_FOUND", "Schema not found");
    return view(v, row);
  }

  getVersion(subject: string, version: VersionRef, deleted: boolean): SubjectVersion {
    const v = this.#version(subject, version, deleted);
    return view(v, this.#schemaRow(v.schemaId));
  }

  listVersions(subject: string, deleted: boolean): number[] {
    const vs = this.store.versions(subject, deleted);
    if (vs.length === 0) throw subjectNotFound(subject);
    return vs.map((v) => v.version);
  }

  subjects(deleted: boolean, prefix: string): string[] {
    return this.store.subjects(deleted, prefix);
  }

  schemaById(id: number): SchemaById {
    const row = this.store.schema(id);
    if (!row) throw schemaNotFound(id);
    return byId(row);
  }

  /** The schema and every schema it references, dependencies first (what a decoder needs to parse it). */
  schemaWithRefs(id: number): { type: SchemaRow["type"]; text: string; refs: ResolvedReference[] } {
    const row = this.store.schema(id);
    if (!row) throw schemaNotFound(id);
    return { type: row.type, text: row.text, refs: this.#resolveRefs(row.refs) };
  }

  subjectsOf(id: number, deleted: boolean): string[] {
    if (!this.store.schema(id)) throw schemaNotFound(id);
    return [...new Set(this.store.usesOf(id, deleted).map((v) => v.subject))];
  }

  versionsOf(id: number, deleted: boolean): { subject: string; version: number }[] {
    if (!this.store.schema(id)) throw schemaNotFound(id);
    return this.store.usesOf(id, deleted).map((v) => ({ subject: v.subject, version: v.version }));
  }

  /** Whether `id` is registered (not soft-deleted) under `subject`: what produce-side validation asks. */
  isRegisteredUnder(subject: string, id: number): boolean {
    return this.store.usesOf(id, false).some((v) => v.subject === subject);
  }

  referencedBy(subject: string, version: VersionRef): number[] {
    const v = this.#version(subject, version, true);
    return this.store.referencedBy(subject, v.version);
  }

  /** Checks a candidate against one version (`version`) or, when undefined, against what the level names. */
  checkCompatibility(subject: string, version: VersionRef | undefined, req: SchemaRequest): string[] {
    const { parsed } = this.#candidate(req);
    const live = this.store.versions(subject, false);
    const level = this.level(subject);
    if (version === undefined) return compatibilityMessages(level, parsed, this.#previous(live), incompatibilities);
    if (live.length === 0 && version === "latest") return [];
    const v = this.#version(subject, version, false);
    // One named version: the level's direction, against that version alone.
    const single = level.replace("_TRANSITIVE", "") as CompatibilityLevel;
    return compatibilityMessages(single, parsed, this.#previous([v]), incompatibilities);
  }

  deleteSubject(subject: string, permanent: boolean): number[] {
    const all = this.store.versions(subject, true);
    if (all.length === 0) throw subjectNotFound(subject);
    const live = all.filter((v) => !v.deleted);
    if (permanent) {
      if (live.length > 0)
        throw new EdgelogError(
          "SUBJECT_NOT_SOFT_DELETED",
          `Subject ${JSON.stringify(subject)} was not deleted first before being permanently deleted`,
        );
      for (const v of all) this.#refuseIfReferenced(v);
      for (const v of all) {
        this.store.hardDelete(subject, v.version);
        this.store.dropSchemaIfUnused(v.schemaId);
      }
      return all.map((v) => v.version);
    }
    if (live.length === 0)
      throw new EdgelogError("SUBJECT_SOFT_DELETED", `Subject ${JSON.stringify(subject)} was soft deleted`);
    if (this.mode(subject) === "READONLY")
      throw new EdgelogError("OPERATION_NOT_PERMITTED", `subject ${JSON.stringify(subject)} is in read-only mode`);
    for (const v of live) this.#refuseIfReferenced(v);
    for (const v of live) this.store.softDelete(subject, v.version);
    return live.map((v) => v.version);
  }

  deleteVersion(subject: string, version: VersionRef, permanent: boolean): number {
    const v = this.#version(subject, version, permanent);
    if (permanent) {
      if (!v.deleted)
        throw new EdgelogError(
          "SCHEMA_VERSION_NOT_SOFT_DELETED",
          `Subject ${JSON.stringify(subject)} Version ${v.version} was not deleted first before being permanently deleted`,
        );
      this.#refuseIfReferenced(v);
      this.store.hardDelete(subject, v.version);
      this.store.dropSchemaIfUnused(v.schemaId);
      return v.version;
    }
    if (this.mode(subject) === "READONLY")
      throw new EdgelogError("OPERATION_NOT_PERMITTED", `subject ${JSON.stringify(subject)} is in read-only mode`);
    this.#refuseIfReferenced(v);
    this.store.softDelete(subject, v.version);
    return v.version;
  }

  /** The level in force: the subject's, else the global one, else BACKWARD. */
  level(subject: string): CompatibilityLevel {
    return (this.store.setting(subject, "compatibility") ??
      this.store.setting(GLOBAL, "compatibility") ??
      DEFAULT_COMPATIBILITY) as CompatibilityLevel;
  }

  /** GET /config[/{s}]: a subject without its own level is 40408 unless `defaultToGlobal`. */
  getLevel(subject: string | undefined, defaultToGlobal: boolean): CompatibilityLevel {
    if (subject === undefined) return this.level(GLOBAL);
    const own = this.store.setting(subject, "compatibility");
    if (own) return own as CompatibilityLevel;
    if (defaultToGlobal) return this.level(GLOBAL);
    throw new EdgelogError(
      "SUBJECT_COMPATIBILITY_NOT_CONFIGURED",
      `Subject ${JSON.stringify(subject)} does not have subject-level compatibility configured`,
    );
  }

  setLevel(subject: string | undefined, level: string): CompatibilityLevel {
    if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(level))
      throw new EdgelogError("INVALID_COMPATIBILITY_LEVEL", `Invalid compatibility level ${JSON.stringify(level)}`);
    if (subject !== undefined) checkSubject(subject);
    this.store.putSetting(subject ?? GLOBAL, "compatibility", level);
    return level as CompatibilityLevel;
  }

  /** DELETE /config[/{s}]: back to the global level (or, globally, to BACKWARD); answers the level it removed. */
  deleteLevel(subject: string | undefined): CompatibilityLevel {
    const previous = subject === undefined ? this.level(GLOBAL) : this.getLevel(subject, false);
    this.store.putSetting(subject ?? GLOBAL, "compatibility", null);
    return previous;
  }

  mode(subject: string): RegistryMode {
    return (this.store.setting(subject, "mode") ?? this.store.setting(GLOBAL, "mode") ?? "READWRITE") as RegistryMode;
  }

  getMode(subject: string | undefined, defaultToGlobal: boolean): RegistryMode {
    if (subject === undefined) return this.mode(GLOBAL);
    const own = this.store.setting(subject, "mode");
    if (own) return own as RegistryMode;
    if (defaultToGlobal) return this.mode(GLOBAL);
    throw new EdgelogError(
      "SUBJECT_MODE_NOT_CONFIGURED",
      `Subject ${JSON.stringify(subject)} does not have subject-level mode configured`,
    );
  }

  setMode(subject: string | undefined, mode: string): RegistryMode {
    if (!(REGISTRY_MODES as readonly string[]).includes(mode)) {
      const hint = mode === "IMPORT" || mode === "READONLY_OVERRIDE" ? ` (edgelog does not support ${mode})` : "";
      throw new EdgelogError("INVALID_MODE", `Invalid mode ${JSON.stringify(mode)}${hint}`);
    }
    if (subject !== undefined) checkSubject(subject);
    this.store.putSetting(subject ?? GLOBAL, "mode", mode);
    return mode as RegistryMode;
  }

  deleteMode(subject: string): RegistryMode {
    const previous = this.getMode(subject, false);
    this.store.putSetting(subject, "mode", null);
    return previous;
  }

  #candidate(req: SchemaRequest): { parsed: ParsedSchema; identity: string; refs: SchemaReference[] } {
    if (req.schema.length > MAX_SCHEMA_CHARS)
      throw new EdgelogError(
        "INVALID_SCHEMA",
        `Invalid schema: ${req.schema.length} characters; the bound is ${MAX_SCHEMA_CHARS}`,
      );
    const type = req.schemaType ?? "AVRO";
    const refs = req.references ?? [];
    // Numbered references are pinned here: "latest" (-1) resolves to today's latest, as Confluent does.
    const pinned = refs.map((r) => ({
      ...r,
      version: this.#version(r.subject, r.version === -1 ? "latest" : r.version, false).version,
    }));
    const parsed = parseSchema(type, req.schema, this.#resolveRefs(pinned));
    const identity = `${schemaIdentity(type, req.schema)}\u0000${JSON.stringify(pinned)}`;
    return { parsed, identity, refs: pinned };
  }

  /** Every schema the references name, directly or through theirs, dependencies first, each once. */
  #resolveRefs(refs: readonly SchemaReference[], seen = new Set<string>(), depth = 0): ResolvedReference[] {
    if (depth > 32) throw new EdgelogError("INVALID_SCHEMA", "Invalid schema: references nest more than 32 deep");
    const out: ResolvedReference[] = [];
    for (const r of refs) {
      const key = `${r.subject}\u0000${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const v = this.store.version(r.subject, r.version);
      if (!v) {
        throw new EdgelogError(
          "INVALID_SCHEMA",
          `Invalid schema: reference ${JSON.stringify(r.name)} names subject ${JSON.stringify(r.subject)} version ${r.version}, which does not exist`,
        );
      }
      const row = this.#schemaRow(v.schemaId);
      out.push(...this.#resolveRefs(row.refs, seen, depth + 1), { name: r.name, text: row.text });
    }
    return out;
  }

  #previous(versions: readonly VersionRow[]) {
    return versions.map((v) => {
      const row = this.#schemaRow(v.schemaId);
      return { version: v.version, schema: this.#parse(row), text: row.text };
    });
  }

  #parse(row: SchemaRow): ParsedSchema {
    const hit = this.#parsed.get(row.id);
    if (hit) return hit;
    const parsed = parseSchema(row.type, row.text, this.#resolveRefs(row.refs));
    this.#remember(row.id, parsed);
    return parsed;
  }

  #remember(id: number, parsed: ParsedSchema): void {
    if (this.#parsed.size >= PARSED_CACHE_ENTRIES) this.#parsed.clear();
    this.#parsed.set(id, parsed);
  }

  #schemaRow(id: number): SchemaRow {
    const row = this.store.schema(id);
    if (!row) throw schemaNotFound(id);
    return row;
  }

  #version(subject: string, version: VersionRef, deleted: boolean): VersionRow {
    const all = this.store.versions(subject, deleted);
    if (all.length === 0) throw subjectNotFound(subject);
    const v = version === "latest" ? all.at(-1) : all.find((x) => x.version === version);
    if (!v) throw new EdgelogError("VERSION_NOT_FOUND", `Version ${version} not found`);
    return v;
  }

  #refuseIfReferenced(v: VersionRow): void {
    const by = this.store.referencedBy(v.subject, v.version);
    if (by.length > 0) {
      throw new EdgelogError(
        "REFERENCE_EXISTS",
        `One or more references exist to the schema {subject=${v.subject}, version=${v.version}}: schema ids ${by.join(", ")}`,
      );
    }
  }
}

/** Parses a path's version: a positive integer, -1 or "latest" (42202 otherwise). */
export function parseVersion(text: string): VersionRef {
  if (text === "latest" || text === "-1") return "latest";
  const n = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1)
    throw new EdgelogError("INVALID_VERSION", `The specified version '${text}' is not a valid version id`);
  return n;
}

function checkSubject(subject: string): void {
  if (!SUBJECT_PATTERN.test(subject))
    throw new EdgelogError(
      "INVALID_REQUEST",
      `invalid subject ${JSON.stringify(subject)}: 1-255 characters, no control characters`,
    );
}

function subjectNotFound(subject: string): EdgelogError {
  return new EdgelogError("SUBJECT_NOT_FOUND", `Subject ${JSON.stringify(subject)} not found`);
}

function schemaNotFound(id: number): EdgelogError {
  return new EdgelogError("SCHEMA_NOT_FOUND", `Schema ${id} not found`);
}

function view(v: VersionRow, row: SchemaRow): SubjectVersion {
  return { subject: v.subject, version: v.version, id: row.id, ...byId(row) };
}

/** Confluent leaves schemaType out for Avro and references out when there are none. */
function byId(row: SchemaRow): SchemaById {
  return {
    schema: row.text,
    ...(row.type === "AVRO" ? {} : { schemaType: row.type }),
    ...(row.refs.length > 0 ? { references: row.refs } : {}),
  };
}
