// Picks a record's partition the way Kafka's Java producer does.

import { partitionForKey } from "../protocol/murmur2.js";

/** Per-isolate rotation for null-key records: one partition per request, the next one next time. */
const sticky = new Map<string, number>();

export function stickyPartition(topicId: string, partitions: number): number {
  const next = ((sticky.get(topicId) ?? Math.floor(Math.random() * partitions)) + 1) % partitions;
  sticky.set(topicId, next);
  return next;
}

/**
 * An explicit partition wins; a key hashes with murmur2 (toPositive(murmur2(key)) % n, bit for bit
 * as Kafka's BuiltInPartitioner); a null key takes the request's sticky partition.
 */
export function choosePartition(
  key: Uint8Array | null,
  explicit: number | null | undefined,
  partitions: number,
  stickyChoice: () => number,
): number {
  if (explicit !== null && explicit !== undefined) return explicit;
  if (key !== null) return partitionForKey(key, partitions);
  return stickyChoice();
}
