// The schema registry's SQLite tables, as a numbered migration list.

import type { Migration } from "../util/migrations.js";

export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      // One row per distinct schema (type, text, references): its id is global and never changes.
      `CREATE TABLE schemas (
         id INTEGER PRIMARY KEY,
         type TEXT NOT NULL,
         text TEXT NOT NULL,
         refs TEXT NOT NULL,
         identity TEXT NOT NULL UNIQUE
       )`,
      // A subject's versions; soft-deleted ones keep their row (deleted = 1) until deleted permanently.
      `CREATE TABLE versions (
         subject TEXT NOT NULL,
         version INTEGER NOT NULL,
         schema_id INTEGER NOT NULL,
         deleted INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (subject, version)
       )`,
      `CREATE INDEX versions_by_schema ON versions (schema_id)`,
      // Which subject versions a schema references (for referencedby and for refusing deletes).
      `CREATE TABLE schema_refs (
         schema_id INTEGER NOT NULL,
         subject TEXT NOT NULL,
         version INTEGER NOT NULL,
         PRIMARY KEY (schema_id, subject, version)
       )`,
      `CREATE INDEX schema_refs_by_target ON schema_refs (subject, version)`,
      // Compatibility level and mode: subject '' is the global setting.
      `CREATE TABLE settings (subject TEXT PRIMARY KEY, compatibility TEXT, mode TEXT)`,
      // The next id to hand out: ids of permanently deleted schemas are never reused.
      `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
    ],
  },
];
