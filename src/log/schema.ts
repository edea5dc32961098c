// Numbered migrations for a partition's SQLite log; applied once per object start.

import type { Migration } from "../util/migrations.js";

export const LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      // One row per record batch, keyed by its base offset (the rowid, so lookups are O(log n)).
      // time_index is the running maximum of max_timestamp, monotonic in base_offset like Kafka's
      // time index, so "first offset at or after time T" is one index seek.
      `CREATE TABLE batches (
        base_offset INTEGER PRIMARY KEY,
        last_offset INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL,
        time_index INTEGER NOT NULL,
        records INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        data BLOB NOT NULL
      )`,
      `CREATE INDEX batches_by_time ON batches (time_index)`,
      `CREATE TABLE log_state (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        log_start_offset INTEGER NOT NULL,
        log_end_offset INTEGER NOT NULL,
        high_watermark INTEGER NOT NULL,
        leader_epoch INTEGER NOT NULL,
        hot_bytes INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL
      )`,
      `INSERT INTO log_state VALUES (0, 0, 0, 0, 0, 0, -1)`,
    ],
  },
  {
    version: 2,
    statements: [
      // Idempotent producer state per partition, as Kafka's ProducerStateManager keeps it: the
      // current epoch, the last sequence written, and the last few batches so a retry of any
      // in-flight batch is answered with its original offsets.
      `CREATE TABLE producers (
        producer_id INTEGER PRIMARY KEY,
        epoch INTEGER NOT NULL,
        last_sequence INTEGER NOT NULL,
        recent TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE INDEX producers_by_age ON producers (updated_at)`,
    ],
  },
];
