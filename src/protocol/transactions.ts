// Kafka's transaction markers (control batches) and the read_committed filter over raw batches:
// shared by the partition (which writes markers), the router and mirror (which read), and clients.

import { EdgelogError } from "./errors.js";
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  decodeRecords,
  encodeBatch,
  isControl,
  isTransactional,
  readBatchHeader,
  type BatchHeader,
} from "./record-batch.js";

/** A transaction's outcome as a marker records it: Kafka's ControlRecordType ABORT (0) and COMMIT (1). */
export type MarkerType = "ABORT" | "COMMIT";

export interface Marker {
  type: MarkerType;
  /** Kafka's coordinator epoch, in the marker's value (edgelog's coordinators are never re-elected: 0). */
  coordinatorEpoch: number;
}

const CONTROL_RECORD_VERSION = 0;

/**
 * A control batch as Kafka's broker writes it (EndTransactionMarker): attributes transactional |
 * control, the producer's id and the marker's epoch, no sequence, one record whose key is
 * (version int16, type int16) and whose value is (version int16, coordinator epoch int32).
 */
export function encodeMarker(opts: {
  producerId: number;
  producerEpoch: number;
  type: MarkerType;
  timestamp: number;
  coordinatorEpoch?: number;
}): Uint8Array {
  const key = new Uint8Array(4);
  const kv = new DataView(key.buffer);
  kv.setInt16(0, CONTROL_RECORD_VERSION);
  kv.setInt16(2, opts.type === "COMMIT" ? 1 : 0);
  const value = new Uint8Array(6);
  const vv = new DataView(value.buffer);
  vv.setInt16(0, CONTROL_RECORD_VERSION);
  vv.setInt32(2, opts.coordinatorEpoch ?? 0);
  return encodeBatch([{ key, value, timestamp: opts.timestamp }], {
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    attributes: ATTR_TRANSACTIONAL | ATTR_CONTROL,
  });
}

/** Reads the marker of a control batch; CORRUPT_MESSAGE when it is not one Kafka would write. */
export function decodeMarker(batch: Uint8Array, pos = 0): Marker {
  const h = readBatchHeader(batch, pos);
  if (!isControl(h))
    throw new EdgelogError("CORRUPT_MESSAGE", `batch at offset ${h.baseOffset} is not a control batch`);
  const [record] = decodeRecords(batch, pos);
  const key = record?.key;
  if (!key || key.length < 4) {
    throw new EdgelogError("CORRUPT_MESSAGE", `control batch at offset ${h.baseOffset} has no control record key`);
  }
  const kv = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const type = kv.getInt16(2);
  if (type !== 0 && type !== 1) {
    throw new EdgelogError("CORRUPT_MESSAGE", `control batch at offset ${h.baseOffset} has control type ${type}`);
  }
  const value = record.value;
  const coordinatorEpoch =
    value && value.length >= 6 ? new DataView(value.buffer, value.byteOffset, value.byteLength).getInt32(2) : 0;
  return { type: type === 1 ? "COMMIT" : "ABORT", coordinatorEpoch };
}

/** An aborted transaction as Kafka's Fetch response lists it: the producer and its first offset. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
}

/**
 * The read_committed filter a Kafka consumer applies to fetched batches (Fetcher's
 * abortedProducerIds): walking batches in offset order, a producer's aborted transaction begins at
 * its listed first offset and ends at the producer's ABORT marker; its transactional batches in
 * between are dropped. Control batches are dropped too (they are never records), unless the
 * reader wants Kafka's raw batches (`keepControl`). Returns the batches to show, in order.
 */
export function committedBatches(
  batches: readonly Uint8Array[],
  aborted: readonly AbortedTxn[],
  opts: { keepControl?: boolean } = {},
): Uint8Array[] {
  const pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  let next = 0;
  const abortedPids = new Set<number>();
  const out: Uint8Array[] = [];
  for (const batch of batches) {
    const h = readBatchHeader(batch);
    const last = h.baseOffset + h.lastOffsetDelta;
    while (next < pending.length && pending[next]!.firstOffset <= last) abortedPids.add(pending[next++]!.producerId);
    if (isControl(h)) {
      if (abortedPids.has(h.producerId) && decodeMarker(batch).type === "ABORT") abortedPids.delete(h.producerId);
      if (opts.keepControl) out.push(batch);
      continue;
    }
    if (isTransactional(h) && abortedPids.has(h.producerId)) continue;
    out.push(batch);
  }
  return out;
}

/** Whether a batch header is a data batch of the given producer's transaction. */
export function isTransactionalData(h: BatchHeader): boolean {
  return isTransactional(h) && !isControl(h);
}
