// Numbered migrations for a consumer group's SQLite state: the group row, members, committed offsets.

import type { Migration } from "../util/migrations.js";

export const GROUP_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      // partitions: the topic partition counts the current target assignment was computed from.
      `CREATE TABLE group_state (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        group_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        assignor TEXT NOT NULL,
        partitions TEXT NOT NULL
      )`,
      // Partition sets are JSON arrays of "topic:partition" keys (topic names cannot hold ':').
      `CREATE TABLE members (
        member_id TEXT PRIMARY KEY,
        instance_id TEXT UNIQUE,
        epoch INTEGER NOT NULL,
        protocol TEXT NOT NULL,
        topics TEXT NOT NULL,
        assignor TEXT,
        session_timeout_ms INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        target TEXT NOT NULL,
        assigned TEXT NOT NULL,
        owned TEXT NOT NULL
      )`,
      // topic_id pins an offset to one incarnation of the topic: a recreated topic starts afresh.
      `CREATE TABLE offsets (
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        topic_id TEXT NOT NULL,
        committed_offset INTEGER NOT NULL,
        metadata TEXT,
        committed_at INTEGER NOT NULL,
        PRIMARY KEY (topic, partition)
      )`,
    ],
  },
  {
    // Rebalance timeout (KIP-848): a member asked to give partitions up must do so within
    // rebalance_timeout_ms of being asked (revoke_by), or it is fenced out of the group.
    version: 2,
    statements: [
      `ALTER TABLE members ADD COLUMN rebalance_timeout_ms INTEGER NOT NULL DEFAULT 300000`,
      `ALTER TABLE members ADD COLUMN revoke_by INTEGER`,
    ],
  },
  {
    // Transactions (coordinator/txn-offsets.ts): offsets committed inside a transaction wait here,
    // per producer, until the transaction coordinator's marker commits or drops them. `position`
    // orders every offset write, so a plain commit made after a transactional one wins over it
    // when the transaction commits later (Kafka keeps the later of the two).
    version: 3,
    statements: [
      `CREATE TABLE txn_offsets (
        producer_id INTEGER NOT NULL,
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        topic_id TEXT NOT NULL,
        committed_offset INTEGER NOT NULL,
        metadata TEXT,
        transactional_id TEXT NOT NULL,
        txn_seq INTEGER NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (producer_id, topic, partition)
      )`,
      `ALTER TABLE offsets ADD COLUMN position INTEGER NOT NULL DEFAULT 0`,
      `CREATE TABLE offset_position (id INTEGER PRIMARY KEY CHECK (id = 0), next INTEGER NOT NULL)`,
      `INSERT INTO offset_position VALUES (0, 1)`,
    ],
  },
  {
    // Who the member is, as Kafka's DescribeGroups shows it: the client's client.id and address.
    version: 4,
    statements: [`ALTER TABLE members ADD COLUMN client_id TEXT`, `ALTER TABLE members ADD COLUMN client_host TEXT`],
  },
];
