// Compressed record batches in, uncompressed batches out. edgelog stores batches uncompressed (as a
// Kafka broker does under compression.type=uncompressed) so every reader, JSON ones included, can
// render them. gzip is inflated with the platform's DecompressionStream; Kafka's other codecs need
// libraries this package does not carry, and are refused with a clear code.

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

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];
const GZIP = 1;

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
 * Returns `buf` with every gzip batch inflated into an uncompressed one (same offsets, timestamps,
 * producer fields and record count; a new CRC). Uncompressed input comes back as it is.
 * Inflation stops as soon as a batch or the whole passes its limit (413), so a small body of many
 * gzip bombs costs at most the limits in memory, never what the bombs would inflate to.
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
    if (codec !== GZIP) {
      throw new EdgelogError(
        "UNSUPPORTED_COMPRESSION_TYPE",
        `record batch ${index} is compressed with ${CODECS[codec] ?? `codec ${codec}`}; edgelog accepts gzip or uncompressed batches`,
      );
    }
    if (crc32c(batch, ATTRIBUTES_AT, batch.length) !== h.crc) {
      throw new EdgelogError("CORRUPT_MESSAGE", "a gzip record batch failed its CRC-32C check");
    }
    // Whichever bound is nearer stops this batch's inflation, and says which bound it was.
    const left = limits.maxTotalBytes - total;
    const batchBound = maxBatch <= left;
    const records = await gunzip(batch.subarray(BATCH_HEADER_SIZE), Math.min(maxBatch, left) - BATCH_HEADER_SIZE, () =>
      batchBound
        ? new EdgelogError(
            "MESSAGE_TOO_LARGE",
            `record batch ${index} inflates past ${maxBatch} bytes, the topic's max.message.bytes`,
          )
        : totalTooLarge(limits.maxTotalBytes),
    );
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

/** Inflates gzip data chunk by chunk, refusing (rather than buffering) more than `limit` bytes. */
async function gunzip(data: Uint8Array, limit: number, tooLarge: () => EdgelogError): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof EdgelogError) throw e;
    throw new EdgelogError("CORRUPT_MESSAGE", `a gzip record batch does not inflate: ${(e as Error).message}`);
  }
  return concat(chunks);
}
