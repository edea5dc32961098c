// Exactly-once source writes (KIP-618): each delivery's records and its source offset in one
// transaction of the task's transactional id. The offset is committed inside the transaction as
// group connect-<name>'s offset, its metadata naming the transaction, so the coordinator's outcome
// decides both: a delivery is remembered locally only once that offset is seen committed.

import { Instrumentation } from "../../client/instrumentation.js";
import { TopicMetadata } from "../../client/metadata.js";
import { Producer } from "../../client/producer.js";
import type { Transport } from "../../client/transport.js";
import type { Written } from "../../contracts/connector.js";
import type { CommittedOffsetsReply } from "../../protocol/api.js";
import { EdgelogError } from "../../protocol/errors.js";
import { toMessage, type OutRecord } from "../runtime/produce.js";

/** A delivery written in a transaction whose commit has not been seen yet (kept in the object's SQLite). */
export interface PendingDelivery {
  /** Names the transaction: the metadata of the offset it commits. */
  marker: string;
  deliveryId: string | null;
  /** The source offset's delivery count once committed. */
  deliveries: number;
  reply: Written;
}

/** Where the task keeps its pending delivery and its source offsets (SourceTask's tables). */
export interface DeliveryBook {
  deliveries(): number;
  putPending(p: PendingDelivery): void;
  pending(): PendingDelivery[];
  dropPending(marker: string): void;
  /** Records the delivery as written (its source offset and id) and drops it from pending. */
  promote(p: PendingDelivery): void;
}

/** Offset metadata stays within Kafka's offset.metadata.max.bytes (4096) with room to spare. */
const DELIVERY_ID_IN_METADATA_MAX = 1000;

const enc = encodeURIComponent;

export class ExactlyOnceWriter {
  readonly #producer: Producer;
  /** The task's first write (and any after a commit of unknown outcome) recovers first. */
  #ready?: Promise<void>;

  constructor(
    private readonly http: Transport,
    private readonly book: DeliveryBook,
    /** Kafka's transactional.id per source task. */
    readonly transactionalId: string,
    /** The group whose committed offset is the source offset, and the topic partition it is kept under. */
    private readonly offsets: { group: string; topic: string },
  ) {
    this.#producer = new Producer(http, new Instrumentation(), new TopicMetadata(http), {
      transactionalId,
      format: "binary",
      lingerMs: 0,
    });
  }

  /**
   * Takes the transactional id (fencing and aborting what an older task left open), then settles
   * the pending delivery: committed (its offset is the group's) → remembered; otherwise dropped.
   */
  recover(): Promise<void> {
    this.#ready ??= (async () => {
      await this.#producer.initTransactions();
      const pending = this.book.pending();
      if (pending.length === 0) return;
      const committed = await this.#committedMarker();
      for (const p of pending) {
        if (p.marker === committed) this.book.promote(p);
        else this.book.dropPending(p.marker);
      }
    })().catch((e) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  /** Writes one delivery's records and its source offset in one transaction; answers what was written. */
  async write(byTopic: Map<string, OutRecord[]>, skipped: number, deliveryId: string | null): Promise<Written> {
    await this.recover();
    const txn = await this.#producer.transaction();
    const marker = crypto.randomUUID();
    let pending: PendingDelivery;
    try {
      const written: Written = { records: [], skipped };
      for (const [topic, list] of byTopic) {
        for (const m of await txn.send(topic, list.map(toMessage))) {
          written.records.push({ topic, partition: m.partition, offset: m.offset });
        }
      }
      pending = { marker, deliveryId, deliveries: this.book.deliveries() + 1, reply: written };
      const metadata = JSON.stringify({
        transaction: marker,
        ...(deliveryId !== null && deliveryId.length <= DELIVERY_ID_IN_METADATA_MAX ? { delivery: deliveryId } : {}),
      });
      await txn.sendOffsets({
        consumerGroupId: this.offsets.group,
        topics: [{ topic: this.offsets.topic, partitions: [{ partition: 0, offset: pending.deliveries, metadata }] }],
      });
      // Durable before the commit is sent: whatever happens next, recovery finds it.
      this.book.putPending(pending);
    } catch (e) {
      await txn.abort().catch(() => {
        this.#ready = undefined;
      });
      throw e;
    }
    try {
      await txn.commit();
    } catch (e) {
      if (e instanceof EdgelogError && e.code === "PRODUCER_FENCED") {
        // A newer task took the transactional id: this one is a zombie, its transaction aborted.
        this.book.dropPending(marker);
        throw new EdgelogError("PRODUCER_FENCED", `${this.transactionalId}: a newer task took over; retry`);
      }
      // The outcome is unknown: the next write (or the sender's retry) recovers it first.
      this.#ready = undefined;
      throw new EdgelogError("COORDINATOR_NOT_AVAILABLE", `committing the delivery failed, retry: ${String(e)}`);
    }
    this.book.promote(pending);
    return pending.reply;
  }

  /** The transaction marker of the group's committed source offset (null if none). */
  async #committedMarker(): Promise<string | null> {
    const { group, topic } = this.offsets;
    const r = await this.http.request<CommittedOffsetsReply>(
      "GET",
      `/v1/groups/${enc(group)}/offsets?require_stable=true&topics=${enc(topic)}`,
      undefined,
      { retry: true },
    );
    const o = r.offsets.find((x) => x.topic === topic && x.partition === 0);
    if (!o?.metadata) return null;
    try {
      return (JSON.parse(o.metadata) as { transaction?: string }).transaction ?? null;
    } catch {
      return null;
    }
  }
}
