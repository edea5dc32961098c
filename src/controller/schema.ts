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
  {
    version: 4,
    statements: [
      // Scoped access tokens. Only a SHA-256 of the secret is kept; grants and quotas are JSON.
      `CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        grants TEXT NOT NULL,
        quotas TEXT,
        expires_at INTEGER,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    // Who obtained each producer id (a token id, "admin", or "open" with auth off): re-initialising
    // an id fences its holder, so only the same token (or the admin) may do it.
    statements: [`ALTER TABLE producer_ids ADD COLUMN owner TEXT`],
  },
  {
    version: 6,
    statements: [
      // SCRAM-SHA-256/512 credentials (salt, iterations, StoredKey, ServerKey per mechanism, JSON),
      // set when a token is minted or by POST /v1/sasl/scram-credentials; null for older tokens.
      `ALTER TABLE tokens ADD COLUMN scram TEXT`,
      // SCRAM exchanges between their two messages: single-use, expiring, one row per server nonce.
      `CREATE TABLE sasl_exchanges (
        id TEXT PRIMARY KEY,
        mechanism TEXT NOT NULL,
        token_id TEXT NOT NULL,
        client_first TEXT NOT NULL,
        server_first TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      )`,
      // SASL sessions: what a Kafka gateway connection acts with once its client authenticated.
      // Like a token, only a hash of the secret is kept; the session dies with its token.
      `CREATE TABLE sasl_sessions (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        token_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      )`,
      // Random keys the controller keeps (the key behind the stand-in salts of unknown SCRAM users).
      `CREATE TABLE cluster_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    ],
  },
  {
    version: 7,
    // The transactional-id directory (controller/transactions.ts): names only; each id's state
    // lives in its transaction coordinator.
    statements: [`CREATE TABLE transactional_ids (transactional_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)`],
  },
];
