// A source connector's task: converts and transforms what arrived (webhook requests, queue
// messages), writes it to the topic with the connector's token, then records its source offsets
// in the connector object's SQLite: a delivery already written is answered again, never written
// twice. At-least-once, unless exactly once (exactly-once.ts): otherwise a crash after the write and
// before the offset is recorded writes again.

import type { Transport } from "../../client/transport.js";
import type { SourceOffset, Written } from "../../contracts/connector.js";
import { EdgelogError } from "../../protocol/errors.js";
import { migrate, type Migration } from "../../util/migrations.js";
import type { ValidatedConnector } from "../connector-config.js";
import { converter } from "../converters.js";
import { errorMessage, withRetries } from "../errors.js";
import { produceRecords, type OutRecord } from "../runtime/produce.js";
import type { ConnectRecord } from "../record.js";
import { ExactlyOnceWriter, type DeliveryBook, type PendingDelivery } from "./exactly-once.js";

/** Connector migrations count from 2001 in the object's schema_migrations (hosts use 1001+ for streams). */
const MIGRATIONS: Migration[] = [
  {
    version: 2001,
    statements: [
      "CREATE TABLE source_offsets (source_partition TEXT PRIMARY KEY, source_offset TEXT)",
      "CREATE TABLE deliveries (id TEXT PRIMARY KEY, at INTEGER NOT NULL, reply TEXT NOT NULL)",
    ],
  },
  {
    version: 2002,
    statements: ["CREATE TABLE pending_deliveries (marker TEXT PRIMARY KEY, delivery TEXT NOT NULL)"],
  },
];

/** How long a delivery id is remembered, and how many at most. */
const DELIVERY_TTL_MS = 24 * 3_600_000;
const DELIVERY_MAX = 100_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where an exactly-once task's transactions and source offsets go (KIP-618). */
export interface ExactlyOnceIds {
  transactionalId: string;
  /** The group whose committed offset (on `topic`, partition 0) is the source offset. */
  group: string;
  topic: string;
}

export class SourceTask {
  readonly #exactly?: ExactlyOnceWriter;
  /** Exactly-once deliveries go one at a time: one transactional id has one open transaction. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlStorage,
    private readonly http: Transport,
    private readonly c: ValidatedConnector,
    /** The source partition this task reads, e.g. {"webhook":"<name>"}. */
    private readonly sourcePartition: Record<string, unknown>,
    exactlyOnce?: ExactlyOnceIds,
  ) {
    migrate(sql, MIGRATIONS);
    if (exactlyOnce) {
      this.#exactly = new ExactlyOnceWriter(http, this.#book(), exactlyOnce.transactionalId, exactlyOnce);
    }
  }

  get exactlyOnce(): boolean {
    return this.#exactly !== undefined;
  }

  /** The reply a delivery got, if it was written already. */
  delivered(id: string): Written | null {
    const row = this.sql.exec<{ reply: string }>("SELECT reply FROM deliveries WHERE id = ?", id).toArray()[0];
    return row ? { ...(JSON.parse(row.reply) as Written), duplicate: true } : null;
  }

  /**
   * Writes `records` (one delivery). Bad records fail the delivery with INVALID_RECORD and nothing
   * written (errors.tolerance=none) or are skipped (all); a write that keeps failing surfaces as
   * the write's error, so the sender retries it.
   */
  async write(records: ConnectRecord[], deliveryId: string | null): Promise<Written> {
    const { byTopic, skipped } = this.#convert(records);
    const exactly = this.#exactly;
    if (!exactly) return this.#writeAtLeastOnce(byTopic, skipped, deliveryId);
    const run = this.#queue.then(async () => {
      await exactly.recover();
      // A retry may have waited behind its own first attempt, or recovery found it committed.
      const seen = deliveryId === null ? null : this.delivered(deliveryId);
      return seen ?? exactly.write(byTopic, skipped, deliveryId);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #convert(records: ConnectRecord[]): { byTopic: Map<string, OutRecord[]>; skipped: number } {
    const keyConv = converter(String(this.c.values["key.converter"]))!;
    const valueConv = converter(String(this.c.values["value.converter"]))!;
    const byTopic = new Map<string, OutRecord[]>();
    let skipped = 0;
    for (const [i, r] of records.entries()) {
      let out: OutRecord;
      try {
        const t = this.c.chain.apply(r);
        if (!t) {
          skipped++;
          continue;
        }
        out = {
          key: keyConv.fromConnect(t.key),
          value: valueConv.fromConnect(t.value),
          headers: t.headers,
          timestamp: t.timestamp,
          partition: t.partition,
        };
        const list = byTopic.get(t.topic) ?? byTopic.set(t.topic, []).get(t.topic)!;
        list.push(out);
      } catch (e) {
        if (this.c.errors.tolerance === "none")
          throw new EdgelogError("INVALID_RECORD", `record ${i}: ${errorMessage(e)}; nothing was written`);
        skipped++;
      }
    }
    return { byTopic, skipped };
  }

  async #writeAtLeastOnce(byTopic: Map<string, OutRecord[]>, skipped: number, deliveryId: string | null) {
    const written: Written = { records: [], skipped };
    for (const [topic, list] of byTopic) {
      const reply = await withRetries(() => produceRecords(this.http, topic, list), this.c.errors, sleep);
      for (const r of reply.records) {
        if (r.offset !== undefined) written.records.push({ topic, partition: r.partition, offset: r.offset });
      }
    }
    this.#record(written, deliveryId);
    return written;
  }

  #deliveries(): number {
    const prev = this.offsets()[0]?.offset ?? {};
    return Number((prev as { deliveries?: number }).deliveries ?? 0);
  }

  #record(w: Written, deliveryId: string | null, count = this.#deliveries() + 1): void {
    const key = JSON.stringify(this.sourcePartition);
    const offset = { deliveries: count, last_delivery: deliveryId };
    this.sql.exec(
      "INSERT INTO source_offsets VALUES (?, ?) ON CONFLICT (source_partition) DO UPDATE SET source_offset = excluded.source_offset",
      key,
      JSON.stringify(offset),
    );
    if (deliveryId !== null) {
      const now = Date.now();
      this.sql.exec("INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?)", deliveryId, now, JSON.stringify(w));
      this.sql.exec(
        "DELETE FROM deliveries WHERE at < ? OR id IN (SELECT id FROM deliveries ORDER BY at DESC LIMIT -1 OFFSET ?)",
        now - DELIVERY_TTL_MS,
        DELIVERY_MAX,
      );
    }
  }

  /** An exactly-once writer's view of this task's tables. */
  #book(): DeliveryBook {
    return {
      deliveries: () => this.#deliveries(),
      putPending: (p) =>
        this.sql.exec("INSERT OR REPLACE INTO pending_deliveries VALUES (?, ?)", p.marker, JSON.stringify(p)),
      pending: () =>
        this.sql
          .exec<{ delivery: string }>("SELECT delivery FROM pending_deliveries")
          .toArray()
          .map((r) => JSON.parse(r.delivery) as PendingDelivery),
      dropPending: (marker) => this.sql.exec("DELETE FROM pending_deliveries WHERE marker = ?", marker),
      // Both statements run with no await between them: the object's storage commits them together.
      promote: (p) => {
        this.#record(p.reply, p.deliveryId, p.deliveries);
        this.sql.exec("DELETE FROM pending_deliveries WHERE marker = ?", p.marker);
      },
    };
  }

  offsets(): SourceOffset[] {
    return this.sql
      .exec<{ source_partition: string; source_offset: string | null }>("SELECT * FROM source_offsets")
      .toArray()
      .map((r) => ({
        partition: JSON.parse(r.source_partition) as Record<string, unknown>,
        offset: r.source_offset === null ? null : (JSON.parse(r.source_offset) as Record<string, unknown>),
      }));
  }

  /** KIP-875 alter: a null offset resets its partition; a reset forgets remembered deliveries too. */
  alter(entries: SourceOffset[]): void {
    for (const e of entries) {
      const key = JSON.stringify(e.partition);
      if (e.offset === null) {
        this.sql.exec("DELETE FROM source_offsets WHERE source_partition = ?", key);
        this.sql.exec("DELETE FROM deliveries");
      } else {
        this.sql.exec(
          "INSERT INTO source_offsets VALUES (?, ?) ON CONFLICT (source_partition) DO UPDATE SET source_offset = excluded.source_offset",
          key,
          JSON.stringify(e.offset),
        );
      }
    }
  }

  reset(): void {
    this.sql.exec("DELETE FROM source_offsets");
    this.sql.exec("DELETE FROM deliveries");
    this.sql.exec("DELETE FROM pending_deliveries");
  }
}
