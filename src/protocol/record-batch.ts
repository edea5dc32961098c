// Kafka RecordBatch v2 (magic 2) codec: the unit edgelog stores, archives and serves.

import { crc32c } from "./crc32c.js";
import { EdgelogError } from "./errors.js";
import { ByteReader, ByteWriter, utf8Length, varintSize, varlongSize } from "./varint.js";
import { decodeUtf8 } from "../util/utf8.js";

/** baseOffset int64 through recordCount int32. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes `batchLength` does not count. */
export const LOG_OVERHEAD = 12;
/** Attribute bit 3: every record's timestamp is the batch's maxTimestamp, set by the broker. */
export const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

export const COMPRESSION_MASK = 0x07;
/** Attribute bit 4: the batch belongs to a transaction (its producer's records until a marker). */
export const ATTR_TRANSACTIONAL = 0x10;
/** Attribute bit 5: a control batch (a transaction marker), written by the broker, never a client. */
export const ATTR_CONTROL = 0x20;
const TRANSACTIONAL = ATTR_TRANSACTIONAL;
const CONTROL = ATTR_CONTROL;

// Field positions within a batch.
export const LENGTH_AT = 8;
const MAGIC_AT = 16;
export const CRC_AT = 17;
/** The CRC covers attributes to the end, so the broker may rewrite baseOffset and leader epoch freely. */
export const ATTRIBUTES_AT = 21;
const MAX_TIMESTAMP_AT = 35;
/** producerId int64, producerEpoch int16, baseSequence int32: all -1 (0xff bytes) when not idempotent. */
const PRODUCER_ID_AT = 43;
const RECORD_COUNT_AT = 57;

const TWO_32 = 4294967296;

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
  timestamp: number;
}

export interface BatchRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** total bytes incl. baseOffset+length = batchLength + 12 */
  size: number;
}

/** A header checked by validateBatches, with what its records say. */
export interface ValidatedBatch extends BatchHeader {
  /** baseTimestamp plus the largest record timestamp delta. */
  recordsMaxTimestamp: number;
}

export interface EncodeOptions {
  baseOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  /** Attribute bits to set: ATTR_TRANSACTIONAL, and ATTR_CONTROL for the broker's markers. */
  attributes?: number;
}

export function isTransactional(h: Pick<BatchHeader, "attributes">): boolean {
  return (h.attributes & TRANSACTIONAL) !== 0;
}

export function isControl(h: Pick<BatchHeader, "attributes">): boolean {
  return (h.attributes & CONTROL) !== 0;
}

/** Whether the batch at `pos` is a control batch, read from its attributes byte alone (a hot-path check). */
export function isControlBatch(batch: Uint8Array, pos = 0): boolean {
  return ((batch[pos + ATTRIBUTES_AT + 1] ?? 0) & CONTROL) !== 0;
}

function corrupt(message: string): EdgelogError {
  return new EdgelogError("CORRUPT_MESSAGE", message);
}

function invalid(message: string): EdgelogError {
  return new EdgelogError("INVALID_RECORD", message);
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw invalid(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

function nullableSize(b: Uint8Array | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

/**
 * Encodes `records` as one uncompressed CreateTime batch, the way Kafka's Java
 * producer does: baseTimestamp is the first record's timestamp (later deltas
 * may be negative), maxTimestamp the largest, producer fields default to -1
 * (non-idempotent) and partitionLeaderEpoch to -1 (the broker fills it in).
 */
export function encodeBatch(records: RecordInput[], opts: EncodeOptions = {}): Uint8Array {
  const n = records.length;
  if (n === 0) throw invalid("a record batch needs at least one record");
  const baseOffset = checkInt("baseOffset", opts.baseOffset ?? 0, 0, Number.MAX_SAFE_INTEGER);
  const producerId = checkInt("producerId", opts.producerId ?? -1, -1, Number.MAX_SAFE_INTEGER);
  const producerEpoch = checkInt("producerEpoch", opts.producerEpoch ?? -1, -1, 0x7fff);
  const baseSequence = checkInt("baseSequence", opts.baseSequence ?? -1, -1, 0x7fffffff);
  const leaderEpoch = checkInt("partitionLeaderEpoch", opts.partitionLeaderEpoch ?? -1, -1, 0x7fffffff);
  const attributes = checkInt("attributes", opts.attributes ?? 0, 0, TRANSACTIONAL | CONTROL);

  const baseTimestamp = records[0]!.timestamp;
  let maxTimestamp = baseTimestamp;

  // Pass 1 sizes the batch exactly, so the output is one allocation with no
  // copy and every record's length prefix is known before its body is written.
  const sizes = new Array<number>(n);
  let total = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const ts = r.timestamp;
    if (!Number.isSafeInteger(ts)) throw invalid(`record ${i} timestamp must be an integer (ms), got ${ts}`);
    if (ts > maxTimestamp) maxTimestamp = ts;
    const delta = ts - baseTimestamp;
    if (!Number.isSafeInteger(delta)) throw invalid(`record ${i} timestamp ${ts} is too far from ${baseTimestamp}`);
    let size = 1 + varlongSize(delta) + varintSize(i) + nullableSize(r.key) + nullableSize(r.value);
    const headers = r.headers;
    if (headers === undefined) {
      size += 1;
    } else {
      size += varintSize(headers.length);
      for (const h of headers) {
        const kl = utf8Length(h.key);
        size += varintSize(kl) + kl + nullableSize(h.value);
      }
    }
    sizes[i] = size;
    total += varintSize(size) + size;
  }
  if (total - LOG_OVERHEAD > 0x7fffffff) {
    throw new EdgelogError("MESSAGE_TOO_LARGE", `record batch of ${total} bytes exceeds the int32 batch length`);
  }

  const w = new ByteWriter(total);
  w.int64(baseOffset)
    .int32(total - LOG_OVERHEAD)
    .int32(leaderEpoch)
    .int8(2)
    .uint32(0) // CRC, filled in once the covered bytes exist
    .int16(attributes)
    .int32(n - 1)
    .int64(baseTimestamp)
    .int64(maxTimestamp)
    .int64(producerId)
    .int16(producerEpoch)
    .int32(baseSequence)
    .int32(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    w.varint(sizes[i]!)
      .int8(0)
      .varlong(r.timestamp - baseTimestamp)
      .varint(i);
    const { key, value, headers } = r;
    if (key === null) w.varint(-1);
    else w.varint(key.length).bytes(key);
    if (value === null) w.varint(-1);
    else w.varint(value.length).bytes(value);
    if (headers === undefined) {
      w.varint(0);
    } else {
      w.varint(headers.length);
      for (const h of headers) {
        const kl = utf8Length(h.key);
        w.varint(kl).utf8(h.key, kl);
        if (h.value === null) w.varint(-1);
        else w.varint(h.value.length).bytes(h.value);
      }
    }
  }
  if (w.pos !== total) throw new Error(`encodeBatch sized ${total} bytes but wrote ${w.pos}`);
  const out = w.finish();
  putUint32(out, CRC_AT, crc32c(out, ATTRIBUTES_AT, total));
  return out;
}

function putUint32(buf: Uint8Array, p: number, v: number): void {
  buf[p] = v >>> 24;
  buf[p + 1] = v >>> 16;
  buf[p + 2] = v >>> 8;
  buf[p + 3] = v;
}

function putInt64(buf: Uint8Array, p: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  putUint32(buf, p, hi >>> 0);
  putUint32(buf, p + 4, v - hi * TWO_32);
}

/**
 * Reads the 61-byte header of the batch at `pos` without checking its CRC.
 * Throws CORRUPT_MESSAGE when the header or the body its length announces is
 * cut short, and INVALID_RECORD when the magic is not 2 (the fields after it
 * would be meaningless); magic sits at byte 16 in every Kafka message format,
 * so v0/v1 data gets the magic error rather than a framing one.
 */
export function readBatchHeader(buf: Uint8Array, pos = 0, wholeBatch = true): BatchHeader {
  const left = buf.length - pos;
  if (pos < 0 || left < MAGIC_AT + 1)
    throw corrupt(`record batch at byte ${pos} is truncated: ${Math.max(left, 0)} bytes left`);
  const magic = (buf[pos + MAGIC_AT]! << 24) >> 24;
  if (magic !== 2) throw invalid(`record batch magic must be 2, got ${magic}`);
  if (left < BATCH_HEADER_SIZE) {
    throw corrupt(`record batch at byte ${pos} is truncated: header needs ${BATCH_HEADER_SIZE} bytes, ${left} left`);
  }
  const r = new ByteReader(buf, pos, pos + BATCH_HEADER_SIZE);
  const baseOffset = r.int64();
  const batchLength = r.int32();
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw corrupt(
      `record batch at byte ${pos} has length ${batchLength}, below the v2 minimum of ${BATCH_HEADER_SIZE - LOG_OVERHEAD}`,
    );
  }
  const size = batchLength + LOG_OVERHEAD;
  // `wholeBatch` false: only the header was read (from storage), the body is known to follow.
  if (wholeBatch && size > left)
    throw corrupt(`record batch at byte ${pos} is truncated: it declares ${size} bytes, ${left} left`);
  const partitionLeaderEpoch = r.int32();
  r.skip(1);
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch,
    magic,
    crc: r.uint32(),
    attributes: r.int16(),
    lastOffsetDelta: r.int32(),
    baseTimestamp: r.int64(),
    maxTimestamp: r.int64(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    recordCount: r.int32(),
    size,
  };
}

/**
 * Splits `buf` into its batches and checks each as a broker would before
 * appending it, walking the records without materialising them. The order of
 * checks follows Kafka's: framing and magic, CRC, attributes, counts, records.
 * baseOffset is not required to be 0 (Kafka requires it of clients) because
 * the caller overwrites it with setBaseOffset anyway. Transactional batches are
 * accepted only when the caller says the request is a transaction's.
 */
export function validateBatches(buf: Uint8Array, opts: { transactional?: boolean } = {}): ValidatedBatch[] {
  if (buf.length === 0) throw invalid("expected one or more record batches, got an empty body");
  const headers: ValidatedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const h = readBatchHeader(buf, pos);
    const end = pos + h.size;
    const crc = crc32c(buf, pos + ATTRIBUTES_AT, end);
    if (crc !== h.crc) {
      throw corrupt(`record batch at byte ${pos} failed its CRC-32C check: stored ${hex(h.crc)}, computed ${hex(crc)}`);
    }
    const codec = h.attributes & COMPRESSION_MASK;
    if (codec !== 0) {
      throw new EdgelogError(
        "UNSUPPORTED_COMPRESSION_TYPE",
        `record batch at byte ${pos} is compressed (codec ${codec}); only uncompressed batches are accepted`,
      );
    }
    if (h.attributes & CONTROL)
      throw invalid(`record batch at byte ${pos} is a control batch; clients may not write control records`);
    if (((h.attributes & TRANSACTIONAL) !== 0) !== (opts.transactional === true)) {
      throw invalid(
        h.attributes & TRANSACTIONAL
          ? `record batch at byte ${pos} is transactional, but the request names no transactional id`
          : `record batch at byte ${pos} is not transactional (attribute bit 0x10), but the request is a transaction's`,
      );
    }
    if (h.attributes & TRANSACTIONAL && h.producerId < 0)
      throw invalid(`record batch at byte ${pos} is transactional but carries no producer id`);
    if (h.recordCount < 1)
      throw invalid(`record batch at byte ${pos} has record count ${h.recordCount}; it must hold at least one record`);
    if (h.lastOffsetDelta + 1 !== h.recordCount) {
      throw invalid(
        `record batch at byte ${pos} is inconsistent: lastOffsetDelta ${h.lastOffsetDelta} but ${h.recordCount} records`,
      );
    }
    if (h.producerId >= 0 && h.baseSequence < 0) {
      throw invalid(
        `record batch at byte ${pos} has producerId ${h.producerId} but invalid baseSequence ${h.baseSequence}`,
      );
    }
    const maxDelta = walkRecords(buf, pos, end, h.recordCount);
    headers.push({ ...h, recordsMaxTimestamp: h.baseTimestamp + maxDelta });
    pos = end;
  }
  return headers;
}

/**
 * Checks every record's framing in `[pos + 61, end)` without allocating records; returns the
 * largest timestamp delta, so the caller can check the batch's maxTimestamp against its records.
 */
function walkRecords(buf: Uint8Array, pos: number, end: number, count: number): number {
  const r = new ByteReader(buf, pos + BATCH_HEADER_SIZE, end);
  let maxDelta = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.pos;
    if (length < 0 || length > end - start)
      throw corrupt(`record ${i} of the batch at byte ${pos} has length ${length}, ${end - start} bytes left`);
    r.skip(1); // attributes: unused in v2
    const delta = r.varlong();
    if (delta > maxDelta) maxDelta = delta;
    const offsetDelta = r.varint();
    if (offsetDelta !== i)
      throw invalid(
        `record ${i} of the batch at byte ${pos} has offsetDelta ${offsetDelta}; offsets must be dense from 0`,
      );
    skipNullable(r, i, pos, "key");
    skipNullable(r, i, pos, "value");
    const headerCount = r.varint();
    if (headerCount < 0) throw corrupt(`record ${i} of the batch at byte ${pos} has header count ${headerCount}`);
    for (let j = 0; j < headerCount; j++) {
      const kl = r.varint();
      if (kl < 0) throw invalid(`record ${i} of the batch at byte ${pos} has a header with a null key`);
      // Header keys are Kafka strings: bytes that are not UTF-8 would read back as U+FFFD.
      if (!isUtf8(r.bytes(kl)))
        throw invalid(`record ${i} of the batch at byte ${pos} has a header key that is not valid UTF-8`);
      skipNullable(r, i, pos, "header value");
    }
    if (r.pos !== start + length) {
      throw corrupt(
        `record ${i} of the batch at byte ${pos} declares ${length} bytes but its fields take ${r.pos - start}`,
      );
    }
  }
  if (r.remaining !== 0) throw corrupt(`record batch at byte ${pos} has ${r.remaining} bytes after its last record`);
  return maxDelta;
}

/** ASCII (the usual header key) is checked by a byte loop; anything else by the strict decoder. */
function isUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return decodeUtf8(b) !== null;
  return true;
}

function skipNullable(r: ByteReader, i: number, pos: number, what: string): void {
  const len = r.varint();
  if (len < -1) throw corrupt(`record ${i} of the batch at byte ${pos} has ${what} length ${len}`);
  if (len > 0) r.skip(len);
}

function readNullable(r: ByteReader): Uint8Array | null {
  const len = r.varint();
  if (len === -1) return null;
  if (len < -1) throw corrupt(`invalid length ${len} at byte ${r.pos}`);
  return r.bytes(len);
}

/**
 * Decodes the records of the batch at `pos`. Keys and values are views into
 * `batch`, not copies. Does not check the CRC: batches are validated once, on
 * the way in. Under LogAppendTime every record reports the batch's
 * maxTimestamp, which is where the broker put the append time.
 */
export function decodeRecords(batch: Uint8Array, pos = 0): BatchRecord[] {
  const h = readBatchHeader(batch, pos);
  const codec = h.attributes & COMPRESSION_MASK;
  if (codec !== 0)
    throw new EdgelogError("UNSUPPORTED_COMPRESSION_TYPE", `cannot decode a compressed record batch (codec ${codec})`);
  const logAppendTime = (h.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  const count = h.recordCount;
  if (count < 0) throw corrupt(`record batch at byte ${pos} has record count ${count}`);
  const r = new ByteReader(batch, pos + BATCH_HEADER_SIZE, pos + h.size);
  const out: BatchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.pos;
    r.skip(1);
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = readNullable(r);
    const value = readNullable(r);
    const headerCount = r.varint();
    if (headerCount < 0) throw corrupt(`record ${i} has header count ${headerCount}`);
    const headers: RecordHeader[] = [];
    for (let j = 0; j < headerCount; j++) {
      const kl = r.varint();
      if (kl < 0) throw invalid(`record ${i} has a header with a null key`);
      headers.push({ key: r.utf8(kl), value: readNullable(r) });
    }
    if (r.pos !== start + length)
      throw corrupt(`record ${i} declares ${length} bytes but its fields take ${r.pos - start}`);
    out.push({
      offset: h.baseOffset + offsetDelta,
      timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return out;
}

/** Assigns the batch its log offset in place; the CRC does not cover baseOffset, so it stays valid. */
export function setBaseOffset(batch: Uint8Array, baseOffset: number, pos = 0): void {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0)
    throw new RangeError(`baseOffset must be a non-negative safe integer, got ${baseOffset}`);
  if (pos < 0 || pos + LENGTH_AT > batch.length) throw corrupt(`no record batch header at byte ${pos}`);
  putInt64(batch, pos, baseOffset);
}

/**
 * Stamps the leader's epoch into the batch in place (Kafka's partitionLeaderEpoch); like the base
 * offset it sits before the attributes, outside the CRC, so the CRC stays valid.
 */
export function setPartitionLeaderEpoch(batch: Uint8Array, epoch: number, pos = 0): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0x7fffffff)
    throw new RangeError(`partitionLeaderEpoch must be a non-negative int32, got ${epoch}`);
  if (pos < 0 || pos + LENGTH_AT + 8 > batch.length) throw corrupt(`no record batch header at byte ${pos}`);
  putUint32(batch, pos + LENGTH_AT + 4, epoch);
}

/**
 * Stamps the batch with the broker's append time in place, as Kafka's
 * LogValidator does for v2 (DefaultRecordBatch.setMaxTimestamp): set the
 * timestampType attribute bit, overwrite maxTimestamp, recompute the CRC.
 * baseTimestamp and the per-record deltas are left as the producer wrote them;
 * readers report maxTimestamp for every record once the bit is set. Like
 * Kafka, a batch already stamped with this time is left untouched.
 */
export function setLogAppendTime(batch: Uint8Array, timestamp: number, pos = 0): void {
  if (!Number.isSafeInteger(timestamp)) throw new RangeError(`timestamp must be a safe integer, got ${timestamp}`);
  const h = readBatchHeader(batch, pos);
  if (h.attributes & TIMESTAMP_TYPE_LOG_APPEND && h.maxTimestamp === timestamp) return;
  const attributes = h.attributes | TIMESTAMP_TYPE_LOG_APPEND;
  batch[pos + ATTRIBUTES_AT] = attributes >>> 8;
  batch[pos + ATTRIBUTES_AT + 1] = attributes;
  putInt64(batch, pos + MAX_TIMESTAMP_AT, timestamp);
  putUint32(batch, pos + CRC_AT, crc32c(batch, pos + ATTRIBUTES_AT, pos + h.size));
}

/**
 * Makes a CreateTime batch's header agree with its records, as Kafka's LogValidator does: clears a
 * client-set LogAppendTime bit and sets maxTimestamp to the records' largest; CRC recomputed.
 * Without this a client's header could skew the time index.
 */
export function setCreateTime(batch: Uint8Array, maxTimestamp: number, pos = 0): void {
  const h = readBatchHeader(batch, pos);
  if (!(h.attributes & TIMESTAMP_TYPE_LOG_APPEND) && h.maxTimestamp === maxTimestamp) return;
  const attributes = h.attributes & ~TIMESTAMP_TYPE_LOG_APPEND;
  batch[pos + ATTRIBUTES_AT] = attributes >>> 8;
  batch[pos + ATTRIBUTES_AT + 1] = attributes;
  putInt64(batch, pos + MAX_TIMESTAMP_AT, maxTimestamp);
  putUint32(batch, pos + CRC_AT, crc32c(batch, pos + ATTRIBUTES_AT, pos + h.size));
}

/**
 * Makes the batch non-idempotent and non-transactional in place (producerId, epoch and baseSequence
 * -1, the transactional bit cleared), CRC recomputed. For copying batches between logs: another
 * log's producer ids and transactions mean nothing in this one.
 */
export function clearProducer(batch: Uint8Array, pos = 0): void {
  const h = readBatchHeader(batch, pos);
  if (h.producerId === -1 && h.producerEpoch === -1 && h.baseSequence === -1 && !(h.attributes & TRANSACTIONAL)) return;
  batch.fill(0xff, pos + PRODUCER_ID_AT, pos + RECORD_COUNT_AT);
  const attributes = h.attributes & ~TRANSACTIONAL;
  batch[pos + ATTRIBUTES_AT] = attributes >>> 8;
  batch[pos + ATTRIBUTES_AT + 1] = attributes;
  putUint32(batch, pos + CRC_AT, crc32c(batch, pos + ATTRIBUTES_AT, pos + h.size));
}

/** True when the batch at `pos` still matches its stored CRC-32C (data read back from storage). */
export function crcMatches(buf: Uint8Array, h: BatchHeader, pos = 0): boolean {
  return crc32c(buf, pos + ATTRIBUTES_AT, pos + h.size) === h.crc;
}

/**
 * Rewrites a batch keeping only the records `keep` accepts, as Kafka's log cleaner does: the
 * kept records' bytes are copied unchanged (their offset and timestamp deltas stay relative to
 * the same base), while baseOffset, lastOffsetDelta, timestamps and producer fields are kept,
 * so the batch still spans its original offsets with gaps. Returns null when nothing is kept.
 */
export function filterBatch(
  batch: Uint8Array,
  keep: (record: BatchRecord, index: number) => boolean,
): Uint8Array | null {
  const h = readBatchHeader(batch);
  const records = decodeRecords(batch);
  const r = new ByteReader(batch, BATCH_HEADER_SIZE, h.size);
  const kept: Uint8Array[] = [];
  let size = BATCH_HEADER_SIZE;
  for (let i = 0; i < records.length; i++) {
    const start = r.pos;
    const length = r.varint();
    r.skip(length);
    if (keep(records[i]!, i)) {
      kept.push(batch.subarray(start, r.pos));
      size += r.pos - start;
    }
  }
  if (kept.length === 0) return null;
  if (kept.length === records.length) return batch;
  const out = new Uint8Array(size);
  out.set(batch.subarray(0, BATCH_HEADER_SIZE));
  let pos = BATCH_HEADER_SIZE;
  for (const k of kept) {
    out.set(k, pos);
    pos += k.length;
  }
  putUint32(out, LENGTH_AT, size - LOG_OVERHEAD);
  putUint32(out, BATCH_HEADER_SIZE - 4, kept.length);
  putUint32(out, CRC_AT, crc32c(out, ATTRIBUTES_AT, size));
  return out;
}

export function lastOffset(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
