// Compressed record batches in, uncompressed batches out. edgelog stores batches uncompressed (as a
// Kafka broker does under compression.type=uncompressed) so every reader, JSON ones included, can
// render them and raw fetches pass them through untouched; docs/kafka-gateway.md#compression says
// why (measured) this beats storing them as the producer compressed them. Every codec
// (gzip, snappy, lz4, zstd; codecs.ts) inflates within the same bounds.

import { EdgelogError } from "./errors.js";
import { crc32c } from "./crc32c.js";
import {
  ATTRIBUTES_AT,
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  CRC_AT,
  LENGTH_AT,
  LOG_OVERHEAD,
  readBatchHeader,
} from "./record-batch.js";
import { MAX_BATCH_BYTES_CEILING } from "./constants.js";
import { concat } from "../util/bytes.js";
import { CODECS, CodecError, inflate } from "./codecs.js";

/** True when any batch in `buf` is compressed (a header walk, no copying). */
export function anyCompressed(buf: Uint8Array): boolean {
  for (let pos = 0; pos < buf.length; ) {
    const h = readBatchHeader(buf, pos);
    if ((h.attributes & COMPRESSION_MASK) !== 0) return true;
    pos += h.size;
  }
  return false;
}

/** What inflating may produce: each batch, and the request as a whole. */
export interface InflateLimits {
  /** The topic's max.message.bytes: an inflated batch larger than this could not be stored anyway. */
  maxBatchBytes: number;
  /** The request body bound: the inflated request may not be larger than an uncompressed one could be. */
  maxTotalBytes: number;
}

/**
 * Returns `buf` with every compressed batch inflated into an uncompressed one (same offsets, timestamps,
 * producer fields and record count; a new CRC). Uncompressed input comes back as it is.
 * Inflation stops as soon as a batch or the whole passes its limit (413), so a small body of many
 * compression bombs costs at most the limits in memory, never what the bombs would inflate to.
 */
export async function decompressBatches(buf: Uint8Array, limits: InflateLimits): Promise<Uint8Array> {
  if (!anyCompressed(buf)) return buf;
  const maxBatch = Math.min(limits.maxBatchBytes, MAX_BATCH_BYTES_CEILING);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let pos = 0, index = 0; pos < buf.length; index++) {
    const h = readBatchHeader(buf, pos);
    const batch = buf.subarray(pos, pos + h.size);
    pos += h.size;
    const codec = h.attributes & COMPRESSION_MASK;
    if (codec === 0) {
      total += batch.length;
      if (total > limits.maxTotalBytes) throw totalTooLarge(limits.maxTotalBytes);
      parts.push(batch);
      continue;
    }
    const name = CODECS[codec];
    if (name === undefined) {
      throw new EdgelogError(
        "UNSUPPORTED_COMPRESSION_TYPE",
        `record batch ${index} names compression codec ${codec}; Kafka's are 1 gzip, 2 snappy, 3 lz4, 4 zstd`,
      );
    }
    if (crc32c(batch, ATTRIBUTES_AT, batch.length) !== h.crc) {
      throw new EdgelogError("CORRUPT_MESSAGE", `a ${name} record batch failed its CRC-32C check`);
    }
    // Whichever bound is nearer stops this batch's inflation, and says which bound it was.
    const left = limits.maxTotalBytes - total;
    const batchBound = maxBatch <= left;
    const tooLarge = () =>
      batchBound
        ? new EdgelogError(
            "MESSAGE_TOO_LARGE",
            `record batch ${index} (${name}) inflates past ${maxBatch} bytes, the topic's max.message.bytes`,
          )
        : totalTooLarge(limits.maxTotalBytes);
    let records: Uint8Array;
    try {
      records = await inflate(
        codec,
        batch.subarray(BATCH_HEADER_SIZE),
        Math.min(maxBatch, left) - BATCH_HEADER_SIZE,
        tooLarge,
      );
    } catch (e) {
      if (e instanceof CodecError)
        throw new EdgelogError("CORRUPT_MESSAGE", `record batch ${index} (${name}) is corrupt: ${e.message}`);
      throw e;
    }
    const out = new Uint8Array(BATCH_HEADER_SIZE + records.length);
    out.set(batch.subarray(0, BATCH_HEADER_SIZE));
    out.set(records, BATCH_HEADER_SIZE);
    const view = new DataView(out.buffer);
    view.setInt32(LENGTH_AT, out.length - LOG_OVERHEAD);
    view.setInt16(ATTRIBUTES_AT, h.attributes & ~COMPRESSION_MASK);
    view.setUint32(CRC_AT, crc32c(out, ATTRIBUTES_AT, out.length));
    parts.push(out);
    total += out.length;
    if (total > limits.maxTotalBytes) throw totalTooLarge(limits.maxTotalBytes);
  }
  return concat(parts);
}

function totalTooLarge(limit: number): EdgelogError {
  return new EdgelogError(
    "RECORD_LIST_TOO_LARGE",
    `the request's record batches inflate past ${limit} bytes, the request size bound; split it into smaller requests`,
  );
}
