// A partition object's part in transactions, so PartitionDO stays an adapter: the check with the
// transaction coordinator before a transaction's first write here (KIP-890), the coordinator's
// markers, the open-transactions view and an administrator's abort. The books themselves are the
// log's (src/log/transactions.ts).

import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { isControl, isTransactional, readBatchHeader } from "../protocol/record-batch.js";
import { TRANSACTION_MAX_TIMEOUT_MS } from "../protocol/constants.js";
import type { TopicRef } from "../protocol/topic.js";
import type { PartitionTransactions } from "../protocol/api.js";
import type { PartitionLog } from "../log/partition-log.js";
import type { OpenTxn, TxnOrigin } from "../log/transactions.js";
import type { AbortedHere, TxnAppend } from "../contracts/partition.js";
import type { TxnMarker, TxnParticipant, TxnProducer } from "../contracts/transactions.js";

/** The one coordinator call a partition makes: its check before a transaction's first write here. */
export interface TxnCoordinatorPort {
  join(
    transactionalId: string,
    producer: TxnProducer,
    participant: TxnParticipant,
  ): Promise<Result<{ txnSeq: number }>>;
}

export class TxnHost {
  /**
   * Checks in flight with a coordinator, by producer. A marker for the producer removes its entry,
   * so a write whose transaction ended while its check was out is refused rather than left
   * hanging after the marker (Kafka's verification guard).
   */
  readonly #guards = new Map<number, object>();

  constructor(private readonly coordinator: (transactionalId: string) => TxnCoordinatorPort) {}

  /**
   * Runs `append` for a transaction's batches once they may be written: all transactional, of one
   * producer, and either continuing the transaction this producer has open here or confirmed by
   * the coordinator (registering the partition with version 2).
   */
  async append<T>(
    log: PartitionLog,
    ref: TopicRef,
    batches: Uint8Array,
    txn: TxnAppend,
    append: (origin: TxnOrigin) => T,
  ): Promise<T> {
    const { producerId, producerEpoch } = transactionalProducer(batches);
    const open = log.txns.openFor(producerId);
    if (open && open.producerEpoch === producerEpoch) {
      if (open.transactionalId !== null && open.transactionalId !== txn.transactionalId) {
        throw new EdgelogError(
          "INVALID_PRODUCER_ID_MAPPING",
          `producer id ${producerId} writes here for transactional id ${open.transactionalId}, not ${txn.transactionalId}`,
        );
      }
      return append({ txnSeq: open.txnSeq ?? 0, transactionalId: txn.transactionalId });
    }
    const guard = {};
    this.#guards.set(producerId, guard);
    try {
      const coordinator = this.coordinator(txn.transactionalId);
      const { txnSeq } = unwrap(
        await coordinator.join(
          txn.transactionalId,
          { id: producerId, epoch: producerEpoch },
          { kind: "partition", topic: ref.name, topicId: ref.id, partition: ref.partition, ref },
        ),
      );
      if (this.#guards.get(producerId) !== guard) {
        throw new EdgelogError(
          "INVALID_TXN_STATE",
          `transactional id ${txn.transactionalId}: the transaction ended while this write was being registered; nothing was written`,
        );
      }
      // The coordinator tells every partition the outcome before a new transaction may begin, so an
      // older one still open here was lost track of: it hangs until an administrator aborts it.
      const stale = log.txns.openFor(producerId);
      if (stale && stale.producerEpoch !== producerEpoch) {
        throw new EdgelogError(
          "INVALID_TXN_STATE",
          `producer ${producerId} still has a transaction open here from offset ${stale.firstOffset} (epoch ${stale.producerEpoch}); abort it with POST /v1/topics/${ref.name}/partitions/${ref.partition}/transactions/abort`,
        );
      }
      // Synchronously after the check: no marker can come between it and the append.
      return append({ txnSeq, transactionalId: txn.transactionalId });
    } finally {
      if (this.#guards.get(producerId) === guard) this.#guards.delete(producerId);
    }
  }

  /**
   * A coordinator's marker: ends the producer's open transaction here when it is the marker's
   * transaction (a retried, late or superseded marker changes nothing), and fences older epochs.
   */
  marker(log: PartitionLog, m: TxnMarker, opts: { now: number; holdHighWatermark: boolean }): { written: boolean } {
    this.#guards.delete(m.producerId);
    const open = log.txns.endedBy(m);
    if (!open) {
      log.fenceProducer(m.producerId, m.producerEpoch, opts.now);
      return { written: false };
    }
    const type = m.result === "commit" ? "COMMIT" : "ABORT";
    log.appendMarker({ producerId: m.producerId, producerEpoch: m.producerEpoch, type }, opts);
    return { written: true };
  }

  /** The open transactions, as Kafka's DescribeProducers and kafka-transactions.sh find-hanging see them. */
  view(log: PartitionLog, partition: number, now: number): PartitionTransactions {
    return {
      partition,
      last_stable_offset: log.lastStableOffset,
      high_watermark: log.state.highWatermark,
      transactions: log.txns.open().map((t) => ({
        producer_id: String(t.producerId),
        producer_epoch: t.producerEpoch,
        transactional_id: t.transactionalId,
        first_offset: t.firstOffset,
        last_offset: t.lastOffset,
        open_ms: Math.max(0, now - t.startedAt),
        hanging: now - t.startedAt > TRANSACTION_MAX_TIMEOUT_MS,
      })),
    };
  }

  /** An administrator's abort of one open transaction, on this partition alone (kafka-transactions.sh abort). */
  abort(
    log: PartitionLog,
    which: { producerId: number } | { startOffset: number },
    opts: { now: number; holdHighWatermark: boolean },
  ): AbortedHere {
    const open: OpenTxn | undefined =
      "producerId" in which
        ? log.txns.openFor(which.producerId)
        : log.txns.open().find((t) => t.firstOffset === which.startOffset);
    if (!open) {
      const what = "producerId" in which ? `of producer ${which.producerId}` : `starting at ${which.startOffset}`;
      throw new EdgelogError("INVALID_TXN_STATE", `no transaction ${what} is open on this partition`);
    }
    this.#guards.delete(open.producerId);
    const at = log.appendMarker(
      { producerId: open.producerId, producerEpoch: open.producerEpoch, type: "ABORT" },
      opts,
    );
    return { producer_id: String(open.producerId), first_offset: open.firstOffset, marker_offset: at };
  }
}

/** The one producer a transactional append's batches belong to; INVALID_RECORD (nothing written) otherwise. */
function transactionalProducer(batches: Uint8Array): { producerId: number; producerEpoch: number } {
  let producer: { producerId: number; producerEpoch: number } | undefined;
  for (let pos = 0; pos < batches.byteLength; ) {
    const h = readBatchHeader(batches, pos);
    if (!isTransactional(h) || isControl(h) || h.producerId < 0) {
      throw new EdgelogError(
        "INVALID_RECORD",
        `record batch at byte ${pos} is not a transactional data batch (attribute bit 0x10, a producer id), but the request names a transactional id`,
      );
    }
    if (producer && (producer.producerId !== h.producerId || producer.producerEpoch !== h.producerEpoch)) {
      throw new EdgelogError(
        "INVALID_RECORD",
        "a transactional request's batches must all be one producer's (id and epoch)",
      );
    }
    producer ??= { producerId: h.producerId, producerEpoch: h.producerEpoch };
    pos += h.size;
  }
  if (!producer) throw new EdgelogError("INVALID_RECORD", "expected one or more record batches, got an empty body");
  return producer;
}
