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
  {
    version: 3,
    statements: [
      // Sealed segments: contiguous offset ranges closed for appends. r2_key NULL means sealed in
      // place (compacted topics stay in SQLite, as Kafka keeps them off tiered storage); otherwise
      // the batches live in R2 once state is 'archived'. 'uploading' rows still have their batches
      // in SQLite and are redone after a crash; 'deleting' rows are past retention and their R2
      // object is being removed. time_index is the running max timestamp, as in batches.
      `CREATE TABLE segments (
        base_offset INTEGER PRIMARY KEY,
        last_offset INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL,
        time_index INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        batch_count INTEGER NOT NULL,
        record_count INTEGER NOT NULL,
        r2_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('uploading', 'archived', 'sealed', 'deleting')),
        sealed_at INTEGER NOT NULL
      )`,
      `CREATE INDEX segments_by_time ON segments (time_index)`,
      // Sparse offset -> byte index of archived segments: one entry every few hundred KiB, at
      // batch starts, so a ranged read fetches whole batches near the wanted offset.
      `CREATE TABLE segment_index (
        segment_base INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        position INTEGER NOT NULL,
        time_index INTEGER NOT NULL,
        PRIMARY KEY (segment_base, offset)
      ) WITHOUT ROWID`,
      `CREATE INDEX segment_index_by_position ON segment_index (segment_base, position)`,
      // Compaction: the offset of the latest record per key among sealed segments (Kafka's offset map).
      `CREATE TABLE compact_keys (key BLOB PRIMARY KEY, offset INTEGER NOT NULL) WITHOUT ROWID`,
      // Background cursors: keys ingested up to key_cursor; the cleaning pass is at clean_cursor
      // (-1 when no pass is due); clean_after: earliest time a kept tombstone may be dropped, as
      // computed under delete_retention_ms (a changed setting starts a new pass).
      `CREATE TABLE compaction_state (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        key_cursor INTEGER NOT NULL,
        clean_cursor INTEGER NOT NULL,
        clean_after INTEGER NOT NULL,
        delete_retention_ms INTEGER NOT NULL
      )`,
      `INSERT INTO compaction_state VALUES (0, 0, -1, -1, -1)`,
    ],
  },
  {
    // Geo-replication (src/replication): compaction rewrites rows the followers already copied;
    // each rewrite is queued here until every follower has applied it.
    version: 4,
    statements: [`CREATE TABLE replica_rewrites (seq INTEGER PRIMARY KEY AUTOINCREMENT, base_offset INTEGER NOT NULL)`],
  },
  {
    // Durable Streams (src/durable-streams): a stream is the single partition of a `stream.<name>` topic.
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
  {
    // compact,delete topics: keys whose latest record retention removed are forgotten, a slice at
    // a time, found by offset.
    version: 6,
    statements: [`CREATE INDEX compact_keys_by_offset ON compact_keys (offset)`],
  },
  {
    // Transactions (src/log/transactions.ts): the producers with a transaction open in this
    // partition and where it began (the LSO waits on the oldest), and the aborted ranges that
    // read_committed leaves out (Kafka's aborted-transaction index, by first offset; rows whose
    // segment went to R2 move into the segment's .txnindex object, counted in aborted_txns).
    version: 7,
    statements: [
      `CREATE TABLE txn_open (
        producer_id INTEGER PRIMARY KEY,
        producer_epoch INTEGER NOT NULL,
        first_offset INTEGER NOT NULL,
        last_offset INTEGER NOT NULL,
        txn_seq INTEGER,
        transactional_id TEXT,
        started_at INTEGER NOT NULL
      )`,
      `CREATE TABLE txn_aborted (
        first_offset INTEGER NOT NULL,
        producer_id INTEGER NOT NULL,
        last_offset INTEGER NOT NULL,
        PRIMARY KEY (first_offset, producer_id)
      ) WITHOUT ROWID`,
      `CREATE INDEX txn_aborted_by_last ON txn_aborted (last_offset)`,
      `ALTER TABLE segments ADD COLUMN aborted_txns INTEGER NOT NULL DEFAULT 0`,
      // Compaction (archive/compaction.ts): per producer, whether the current cleaning pass kept a
      // record of the transaction it is in; its marker may go only when none was kept.
      `CREATE TABLE compact_txns (producer_id INTEGER PRIMARY KEY, retained INTEGER NOT NULL)`,
    ],
  },
  {
    // Leader failover (src/replication, docs/geo-replication.md#failover): the first offset of each
    // leader epoch in this copy (Kafka's leader-epoch checkpoint), to find where two copies diverge.
    version: 8,
    statements: [`CREATE TABLE leader_epochs (epoch INTEGER PRIMARY KEY, start_offset INTEGER NOT NULL)`],
  },
];
