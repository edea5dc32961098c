// Applies a numbered list of SQL migrations once, recording the version reached.

export interface Migration {
  version: number;
  statements: string[];
}

export function migrate(sql: SqlStorage, migrations: readonly Migration[]): number {
  sql.exec(`CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 0), version INTEGER NOT NULL)`);
  const row = sql.exec<{ version: number }>(`SELECT version FROM schema_version WHERE id = 0`).toArray()[0];
  let current = row?.version ?? 0;
  for (const m of migrations) {
    if (m.version <= current) continue;
    for (const s of m.statements) sql.exec(s);
    sql.exec(
      `INSERT INTO schema_version (id, version) VALUES (0, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
      m.version,
    );
    current = m.version;
  }
  return current;
}
