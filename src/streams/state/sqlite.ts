// The BytesStore of Worker-mode tasks: rows in the hosting Durable Object's SQLite, one namespace
// per store and task, with the checkpoint that says whether the rows can be trusted after a restart.

import { migrate, type Migration } from "../../util/migrations.js";
import { prefixEnd, type Checkpoint, type PersistentBytesStore } from "./bytes.js";

/**
 * Numbered from 1001: the member host's SQLite is shared by whatever kinds it runs, and each kind
 * numbers its own migrations in its own range of the one schema_migrations table.
 */
export const STREAMS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1001,
    statements: [
      `CREATE TABLE streams_kv (ns TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID`,
      `CREATE TABLE streams_checkpoints (ns TEXT PRIMARY KEY, changelog_offset INTEGER NOT NULL, clean INTEGER NOT NULL)`,
    ],
  },
];

export function migrateStreamsStorage(sql: SqlStorage): void {
  migrate(sql, STREAMS_MIGRATIONS);
}

const blob = (b: Uint8Array): ArrayBuffer =>
  (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer) as ArrayBuffer;

export class SqliteBytesStore implements PersistentBytesStore {
  constructor(
    private readonly sql: SqlStorage,
    /** The namespace: one per store instance (store name and task). */
    readonly ns: string,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const rows = this.sql
      .exec<{ value: ArrayBuffer }>(`SELECT value FROM streams_kv WHERE ns = ? AND key = ?`, this.ns, blob(key))
      .toArray();
    return rows.length === 0 ? undefined : new Uint8Array(rows[0]!.value);
  }

  put(key: Uint8Array, value: Uint8Array | null): void {
    if (value === null) this.sql.exec(`DELETE FROM streams_kv WHERE ns = ? AND key = ?`, this.ns, blob(key));
    else
      this.sql.exec(
        `INSERT INTO streams_kv (ns, key, value) VALUES (?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value`,
        this.ns,
        blob(key),
        blob(value),
      );
  }

  range(from?: Uint8Array, to?: Uint8Array): Iterable<[Uint8Array, Uint8Array]> {
    const where = [`ns = ?`];
    const args: unknown[] = [this.ns];
    if (from) {
      where.push(`key >= ?`);
      args.push(blob(from));
    }
    if (to) {
      where.push(`key <= ?`);
      args.push(blob(to));
    }
    return this.#select(where, args);
  }

  prefix(prefix: Uint8Array): Iterable<[Uint8Array, Uint8Array]> {
    const end = prefixEnd(prefix);
    const where = [`ns = ?`, `key >= ?`];
    const args: unknown[] = [this.ns, blob(prefix)];
    if (end) {
      where.push(`key < ?`);
      args.push(blob(end));
    }
    return this.#select(where, args);
  }

  count(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM streams_kv WHERE ns = ?`, this.ns).one().n;
  }

  clear(): void {
    this.sql.exec(`DELETE FROM streams_kv WHERE ns = ?`, this.ns);
  }

  checkpoint(): Checkpoint | null {
    const rows = this.sql
      .exec<{ changelog_offset: number; clean: number }>(
        `SELECT changelog_offset, clean FROM streams_checkpoints WHERE ns = ?`,
        this.ns,
      )
      .toArray();
    return rows.length === 0 ? null : { offset: rows[0]!.changelog_offset, clean: rows[0]!.clean === 1 };
  }

  setCheckpoint(c: Checkpoint): void {
    this.sql.exec(
      `INSERT INTO streams_checkpoints (ns, changelog_offset, clean) VALUES (?, ?, ?)
       ON CONFLICT (ns) DO UPDATE SET changelog_offset = excluded.changelog_offset, clean = excluded.clean`,
      this.ns,
      c.offset,
      c.clean ? 1 : 0,
    );
  }

  /** Materialized before it is handed out: callers may write to the store while they iterate. */
  #select(where: string[], args: unknown[]): [Uint8Array, Uint8Array][] {
    return this.sql
      .exec<{ key: ArrayBuffer; value: ArrayBuffer }>(
        `SELECT key, value FROM streams_kv WHERE ${where.join(" AND ")} ORDER BY key`,
        ...args,
      )
      .toArray()
      .map((r) => [new Uint8Array(r.key), new Uint8Array(r.value)]);
  }
}
