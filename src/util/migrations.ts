// Applies a numbered list of SQL migrations, each once, recording every version applied.

export interface Migration {
  version: number;
  statements: string[];
}

/**
 * Runs the migrations not yet applied, in version order. Each version is recorded on its own,
 * so a migration numbered below one already applied (branches landing in another order) still runs.
 */
export function migrate(sql: SqlStorage, migrations: readonly Migration[]): number[] {
  sql.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    sql
      .exec<{ version: number }>(`SELECT version FROM schema_migrations`)
      .toArray()
      .map((r) => r.version),
  );
  const ran: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    for (const s of m.statements) sql.exec(s);
    sql.exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, Date.now());
    ran.push(m.version);
  }
  return ran;
}
