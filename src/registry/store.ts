// The registry's rows over an injected SqlStorage: schemas by id and identity, subject versions
// (soft-deleted or not), references between them, settings, and the id counter.

import type { SchemaReference } from "../protocol/registry-api.js";
import type { SchemaType } from "../schemas/formats.js";

export interface SchemaRow {
  id: number;
  type: SchemaType;
  text: string;
  refs: SchemaReference[];
}

export interface VersionRow {
  subject: string;
  version: number;
  schemaId: number;
  deleted: boolean;
}

type Row = Record<string, SqlStorageValue>;

export class RegistryStore {
  constructor(private readonly sql: SqlStorage) {}

  schema(id: number): SchemaRow | undefined {
    const r = this.sql.exec<Row>(`SELECT * FROM schemas WHERE id = ?`, id).toArray()[0];
    return r && toSchema(r);
  }

  schemaByIdentity(identity: string): SchemaRow | undefined {
    const r = this.sql.exec<Row>(`SELECT * FROM schemas WHERE identity = ?`, identity).toArray()[0];
    return r && toSchema(r);
  }

  insertSchema(type: SchemaType, text: string, refs: SchemaReference[], identity: string): SchemaRow {
    const id = this.#nextId();
    this.sql.exec(
      `INSERT INTO schemas (id, type, text, refs, identity) VALUES (?, ?, ?, ?, ?)`,
      id,
      type,
      text,
      JSON.stringify(refs),
      identity,
    );
    for (const r of refs) {
      this.sql.exec(
        `INSERT OR IGNORE INTO schema_refs (schema_id, subject, version) VALUES (?, ?, ?)`,
        id,
        r.subject,
        r.version,
      );
    }
    return { id, type, text, refs };
  }

  #nextId(): number {
    const row = this.sql.exec<{ value: number }>(`SELECT value FROM counters WHERE name = 'schema_id'`).toArray()[0];
    const id = row?.value ?? 1;
    this.sql.exec(`INSERT OR REPLACE INTO counters (name, value) VALUES ('schema_id', ?)`, id + 1);
    return id;
  }

  /** Drops a schema no version uses any more (its id is never handed out again). */
  dropSchemaIfUnused(id: number): void {
    const used = this.sql.exec(`SELECT 1 FROM versions WHERE schema_id = ? LIMIT 1`, id).toArray().length > 0;
    if (used) return;
    this.sql.exec(`DELETE FROM schemas WHERE id = ?`, id);
    this.sql.exec(`DELETE FROM schema_refs WHERE schema_id = ?`, id);
  }

  /** A subject's versions in order, soft-deleted ones too when `deleted`. */
  versions(subject: string, deleted: boolean): VersionRow[] {
    return this.sql
      .exec<Row>(
        `SELECT * FROM versions WHERE subject = ? ${deleted ? "" : "AND deleted = 0"} ORDER BY version`,
        subject,
      )
      .toArray()
      .map(toVersion);
  }

  version(subject: string, version: number): VersionRow | undefined {
    const r = this.sql
      .exec<Row>(`SELECT * FROM versions WHERE subject = ? AND version = ?`, subject, version)
      .toArray()[0];
    return r && toVersion(r);
  }

  /** The next version number: one past the highest ever used by the subject, soft-deleted included. */
  addVersion(subject: string, schemaId: number): number {
    const top = this.sql
      .exec<{ v: number | null }>(`SELECT MAX(version) AS v FROM versions WHERE subject = ?`, subject)
      .toArray()[0]?.v;
    const version = (top ?? 0) + 1;
    this.sql.exec(`INSERT INTO versions (subject, version, schema_id) VALUES (?, ?, ?)`, subject, version, schemaId);
    return version;
  }

  softDelete(subject: string, version: number): void {
    this.sql.exec(`UPDATE versions SET deleted = 1 WHERE subject = ? AND version = ?`, subject, version);
  }

  hardDelete(subject: string, version: number): void {
    this.sql.exec(`DELETE FROM versions WHERE subject = ? AND version = ?`, subject, version);
  }

  subjects(deleted: boolean, prefix: string): string[] {
    return this.sql
      .exec<{ subject: string }>(
        `SELECT DISTINCT subject FROM versions WHERE substr(subject, 1, ?) = ? ${deleted ? "" : "AND deleted = 0"} ORDER BY subject`,
        prefix.length,
        prefix,
      )
      .toArray()
      .map((r) => r.subject);
  }

  /** Where a schema id is registered: every (subject, version) using it. */
  usesOf(id: number, deleted: boolean): VersionRow[] {
    return this.sql
      .exec<Row>(
        `SELECT * FROM versions WHERE schema_id = ? ${deleted ? "" : "AND deleted = 0"} ORDER BY subject, version`,
        id,
      )
      .toArray()
      .map(toVersion);
  }

  /** Ids of the schemas that reference a subject version. */
  referencedBy(subject: string, version: number): number[] {
    return this.sql
      .exec<{ schema_id: number }>(
        `SELECT DISTINCT r.schema_id FROM schema_refs r JOIN versions v ON v.schema_id = r.schema_id
          WHERE r.subject = ? AND r.version = ? ORDER BY r.schema_id`,
        subject,
        version,
      )
      .toArray()
      .map((r) => r.schema_id);
  }

  setting(subject: string, key: "compatibility" | "mode"): string | undefined {
    const r = this.sql.exec<Row>(`SELECT ${key} AS v FROM settings WHERE subject = ?`, subject).toArray()[0];
    return (r?.v as string | null | undefined) ?? undefined;
  }

  putSetting(subject: string, key: "compatibility" | "mode", value: string | null): void {
    this.sql.exec(
      `INSERT INTO settings (subject, ${key}) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET ${key} = excluded.${key}`,
      subject,
      value,
    );
  }
}

function toSchema(r: Row): SchemaRow {
  return { id: r.id as number, type: r.type as SchemaType, text: r.text as string, refs: JSON.parse(r.refs as string) };
}

function toVersion(r: Row): VersionRow {
  return {
    subject: r.subject as string,
    version: r.version as number,
    schemaId: r.schema_id as number,
    deleted: r.deleted === 1,
  };
}
