// Planning a JSON produce request, before and after the partitions are called: which partition
// each record goes to, the idempotent producer's base sequences, the batches each partition gets
// (within max.message.bytes), and the reply stitched back in request order. Pure: no objects.

import type { ProducedRecord, ProduceRecordInput, ProducerFields } from "../protocol/api.js";
import type { ValueFormat } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import { ATTR_TRANSACTIONAL, BATCH_HEADER_SIZE, encodeBatch, type RecordInput } from "../protocol/record-batch.js";
import { concat } from "../util/bytes.js";
import { choosePartition } from "./partitioner.js";
import { estimateSize, recordKey, toRecordInput } from "./records.js";

/** A request's records, encoded and assigned to partitions. */
export interface RoutedRecords {
  inputs: RecordInput[];
  /** The partition of each record, in request order. */
  partitionOf: number[];
  /** Request indexes by partition, in request order. */
  byPartition: Map<number, number[]>;
}

export interface PartitionPlan {
  partition: number;
  /** Concatenated batches, each within max.message.bytes. */
  body: Uint8Array;
  /** Request indexes of the records in each batch, in order. */
  groups: number[][];
}

/** What an appended batch tells the reply (the partition's AppendedBatch has more). */
export interface AppendOutcome {
  baseOffset: number;
  /** The append time under LogAppendTime, else -1. */
  logAppendTime: number;
  duplicate?: boolean;
}

/**
 * Validates and encodes every record, and picks its partition: `fixed` (the partition route), else
 * the record's own, else its key's murmur2, else the request's sticky partition.
 */
export function routeRecords(
  records: ProduceRecordInput[],
  format: ValueFormat,
  partitions: number,
  fixed: number | null,
  now: number,
  sticky: () => number,
): RoutedRecords {
  const inputs: RecordInput[] = [];
  const partitionOf: number[] = [];
  const byPartition = new Map<number, number[]>();
  records.forEach((r, i) => {
    const key = recordKey(r, i);
    const p = fixed ?? choosePartition(key, r.partition, partitions, sticky);
    inputs.push(toRecordInput(r, key, format, now, i));
    partitionOf.push(p);
    const list = byPartition.get(p);
    if (list) list.push(i);
    else byPartition.set(p, [i]);
  });
  return { inputs, partitionOf, byPartition };
}

/**
 * The base sequence of each partition the request writes to. `sequence` serves a request whose
 * records all go to one partition; `sequences` names every partition written, and only those.
 */
export function baseSequences(producer: ProducerFields, byPartition: Map<number, number[]>): Map<number, number> {
  const out = new Map<number, number>();
  if (producer.sequence !== undefined) {
    if (byPartition.size > 1) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `records go to partitions ${[...byPartition.keys()].join(", ")}: give producer.sequences with a base sequence for each`,
      );
    }
    for (const p of byPartition.keys()) out.set(p, producer.sequence);
    return out;
  }
  const given = producer.sequences!;
  for (const p of byPartition.keys()) {
    const seq = given[String(p)];
    if (seq === undefined)
      throw new EdgelogError(
        "INVALID_REQUEST",
        `producer.sequences has no entry for partition ${p}, which this request writes to`,
      );
    out.set(p, seq);
  }
  for (const key of Object.keys(given)) {
    if (!byPartition.has(Number(key))) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `producer.sequences names partition ${key}, but no record of this request goes there`,
      );
    }
  }
  return out;
}

/**
 * Each partition's batches; an idempotent producer's carry its id, epoch and consecutive
 * sequences, and a transactional producer's the transactional attribute bit too.
 */
export function planPartitions(
  routed: RoutedRecords,
  maxBytes: number,
  producer?: { id: number; epoch: number; sequences: Map<number, number>; transactional?: boolean },
): PartitionPlan[] {
  return [...routed.byPartition].map(([partition, indexes]) =>
    planBatches(
      partition,
      indexes,
      routed.inputs,
      maxBytes,
      producer && {
        producerId: producer.id,
        producerEpoch: producer.epoch,
        baseSequence: producer.sequences.get(partition)!,
        ...(producer.transactional ? { attributes: ATTR_TRANSACTIONAL } : {}),
      },
    ),
  );
}

/** Groups one partition's records into as few batches as fit max.message.bytes, keeping order. */
export function planBatches(
  partition: number,
  indexes: number[],
  inputs: RecordInput[],
  maxBytes: number,
  producer?: { producerId: number; producerEpoch: number; baseSequence: number; attributes?: number },
): PartitionPlan {
  const groups: number[][] = [];
  let current: number[] = [];
  let size = BATCH_HEADER_SIZE;
  for (const i of indexes) {
    const s = estimateSize(inputs[i]!);
    if (current.length > 0 && size + s > maxBytes) {
      groups.push(current);
      current = [];
      size = BATCH_HEADER_SIZE;
    }
    current.push(i);
    size += s;
  }
  groups.push(current);

  const encoded: Uint8Array[] = [];
  const finalGroups: number[][] = [];
  // An idempotent producer's batches carry consecutive sequences: each starts where the last ended.
  let sequence = producer?.baseSequence ?? -1;
  const encodeGroup = (g: number[]): void => {
    const batch = encodeBatch(
      g.map((i) => inputs[i]!),
      producer && { ...producer, baseSequence: sequence },
    );
    if (batch.byteLength <= maxBytes) {
      encoded.push(batch);
      finalGroups.push(g);
      if (producer) sequence += g.length;
    } else if (g.length === 1) {
      throw new EdgelogError(
        "MESSAGE_TOO_LARGE",
        `records[${g[0]}] encodes to ${batch.byteLength} bytes, over the topic's max.message.bytes (${maxBytes})`,
      );
    } else {
      // The estimate was short (many headers, say): halve until each batch fits.
      const mid = g.length >> 1;
      encodeGroup(g.slice(0, mid));
      encodeGroup(g.slice(mid));
    }
  };
  for (const g of groups) encodeGroup(g);
  return { partition, body: concat(encoded), groups: finalGroups };
}

/**
 * The reply's records in request order: each its offset and timestamp, or its partition's error.
 * `firstError` decides the reply's status when any partition failed (the others' offsets still stand).
 */
export function stitchReplies(
  plans: PartitionPlan[],
  outcomes: ({ ok: true; batches: AppendOutcome[] } | { ok: false; error: EdgelogError })[],
  inputs: RecordInput[],
): { records: ProducedRecord[]; firstError?: EdgelogError } {
  const records: ProducedRecord[] = new Array(inputs.length);
  let firstError: EdgelogError | undefined;
  outcomes.forEach((o, k) => {
    const plan = plans[k]!;
    if (!o.ok) {
      firstError ??= o.error;
      for (const g of plan.groups)
        for (const i of g) records[i] = { partition: plan.partition, error: o.error.toBody() };
      return;
    }
    o.batches.forEach((batch, b) => {
      plan.groups[b]!.forEach((i, j) => {
        const timestamp = batch.logAppendTime >= 0 ? batch.logAppendTime : inputs[i]!.timestamp;
        records[i] = batch.duplicate
          ? { partition: plan.partition, offset: batch.baseOffset + j, timestamp, duplicate: true }
          : { partition: plan.partition, offset: batch.baseOffset + j, timestamp };
      });
    });
  });
  return { records, firstError };
}

/**
 * The success reply's JSON text, `{"records":[...]}` as stitchReplies' records would stringify,
 * written straight from the appended batches without an object per record. Undefined when a
 * batch was a duplicate: that rarer reply takes stitchReplies.
 */
export function replyJson(
  plans: PartitionPlan[],
  outcomes: AppendOutcome[][],
  inputs: RecordInput[],
): string | undefined {
  const n = inputs.length;
  const partitionOf = new Int32Array(n);
  const offsetOf = new Float64Array(n);
  const timestampOf = new Float64Array(n);
  for (let k = 0; k < plans.length; k++) {
    const plan = plans[k]!;
    const batches = outcomes[k]!;
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!;
      if (batch.duplicate) return undefined;
      const group = plan.groups[b]!;
      for (let j = 0; j < group.length; j++) {
        const i = group[j]!;
        partitionOf[i] = plan.partition;
        offsetOf[i] = batch.baseOffset + j;
        timestampOf[i] = batch.logAppendTime >= 0 ? batch.logAppendTime : inputs[i]!.timestamp;
      }
    }
  }
  let s = '{"records":[';
  for (let i = 0; i < n; i++) {
    if (i > 0) s += ",";
    s += `{"partition":${partitionOf[i]},"offset":${offsetOf[i]},"timestamp":${timestampOf[i]}}`;
  }
  return `${s}]}`;
}
