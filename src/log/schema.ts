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
    // Durable Streams (src/streams): a stream is the single partition of a `stream.<name>` topic.
    // Versions 2-4 are reserved for the log's own producers, archive and replication tables.
    version: 5,
    statements: [
      // One row while the partition backs a stream; absent for ordinary topics.
      `CREATE TABLE stream_meta (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        content_type TEXT NOT NULL,
        ttl_seconds INTEGER,
        expires_at INTEGER,
        last_access INTEGER NOT NULL,
        closed INTEGER NOT NULL,
        closed_by TEXT,
        last_seq TEXT,
        forked_from TEXT,
        fork_offset TEXT,
        fork_sub_offset INTEGER NOT NULL,
        fork_refs INTEGER NOT NULL,
        soft_deleted INTEGER NOT NULL,
        tail_bytes INTEGER NOT NULL
      )`,
      // Payload bytes before each message boundary: the second half of a stream offset token,
      // kept so a token can be checked against the log (a tampered one names no row).
      `CREATE TABLE stream_positions (end_offset INTEGER PRIMARY KEY, byte_pos INTEGER NOT NULL)`,
      // Durable Streams idempotent producers (Producer-Id/Epoch/Seq), per stream.
      `CREATE TABLE stream_producers (
        producer_id TEXT PRIMARY KEY,
        epoch INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
    ],
  },
];
