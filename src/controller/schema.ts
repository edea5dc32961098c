// Numbered migrations of the ClusterDO's SQLite: one list for the whole object.

import type { Migration } from "../util/migrations.js";

export const CLUSTER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE topics (
        name TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        partitions INTEGER NOT NULL,
        overrides TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      )`,
      // Ids of deleted topics whose partition data still has to be removed.
      `CREATE TABLE deleted_topics (id TEXT PRIMARY KEY, partitions INTEGER NOT NULL, deleted_at INTEGER NOT NULL)`,
    ],
  },
  {
    version: 2,
    statements: [
      // Producer ids are Kafka int64s handed out in order; the epoch fences older holders.
      `CREATE TABLE producer_ids (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        epoch INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    // The consumer-group directory (controller/groups.ts): names only; each group's state lives in its coordinator.
    statements: [`CREATE TABLE consumer_groups (group_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)`],
  },
];
