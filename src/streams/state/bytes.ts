// The byte-level store every state store sits on (memory in Node, SQLite in a Durable Object), and
// the composite-key layouts of window and session stores.

/**
 * A sorted map from bytes to bytes, ordered as memcmp orders keys (SQLite's BLOB order). Every
 * call is synchronous: processing a record never waits on I/O.
 */
export interface BytesStore {
  get(key: Uint8Array): Uint8Array | undefined;
  /** A null value deletes the key. */
  put(key: Uint8Array, value: Uint8Array | null): void;
  /** Entries with from <= key <= to (either bound optional), in key order. */
  range(from?: Uint8Array, to?: Uint8Array): Iterable<[Uint8Array, Uint8Array]>;
  /** Entries whose key starts with `prefix`, in key order. */
  prefix(prefix: Uint8Array): Iterable<[Uint8Array, Uint8Array]>;
  count(): number;
  /** Removes every entry. */
  clear(): void;
}

/**
 * Where a store's local copy stands against its changelog: the changelog offset it holds
 * everything below, and whether it was closed cleanly there. Only stores that outlive the process
 * (SQLite) keep one; a missing or unclean checkpoint means restoring from the changelog's start.
 */
export interface Checkpoint {
  offset: number;
  clean: boolean;
}

/** A BytesStore that survives restarts, with a checkpoint beside its data. */
export interface PersistentBytesStore extends BytesStore {
  checkpoint(): Checkpoint | null;
  setCheckpoint(c: Checkpoint): void;
}

/** Byte-wise comparison, as SQLite compares BLOBs. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The smallest key greater than every key starting with `prefix` (null when there is none: all 0xff). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.subarray(0, i + 1);
    }
  }
  return null;
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/** Writes a non-negative integer below 2^53 as 8 big-endian bytes (so byte order is numeric order). */
export function writeU64(out: Uint8Array, at: number, v: number): void {
  const n = Math.max(0, Math.floor(v));
  const hi = Math.floor(n / 4294967296);
  const lo = n >>> 0;
  out[at] = hi >>> 24;
  out[at + 1] = (hi >>> 16) & 0xff;
  out[at + 2] = (hi >>> 8) & 0xff;
  out[at + 3] = hi & 0xff;
  out[at + 4] = lo >>> 24;
  out[at + 5] = (lo >>> 16) & 0xff;
  out[at + 6] = (lo >>> 8) & 0xff;
  out[at + 7] = lo & 0xff;
}

export function readU64(b: Uint8Array, at: number): number {
  const hi = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
  return hi * 4294967296 + lo;
}

export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Composite keys put a length-prefixed record key first, so every entry of one record key is a
 * contiguous range and no key is a prefix of another's range (Kafka filters instead; a length
 * prefix makes the range exact).
 */
export function keyPrefix(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + key.length);
  writeU32(out, 0, key.length);
  out.set(key, 4);
  return out;
}

/** [len][key][u64...][u32 seq?]: a key followed by numbers, in byte order = numeric order. */
export function compositeKey(key: Uint8Array, numbers: readonly number[], seq?: number): Uint8Array {
  const out = new Uint8Array(4 + key.length + numbers.length * 8 + (seq === undefined ? 0 : 4));
  writeU32(out, 0, key.length);
  out.set(key, 4);
  let at = 4 + key.length;
  for (const n of numbers) {
    writeU64(out, at, n);
    at += 8;
  }
  if (seq !== undefined) writeU32(out, at, seq);
  return out;
}

/** Splits a composite key back into the record key and its numbers. */
export function splitCompositeKey(
  composite: Uint8Array,
  numbers: number,
  withSeq = false,
): { key: Uint8Array; numbers: number[]; seq?: number } {
  const len = readU32(composite, 0);
  const key = composite.subarray(4, 4 + len);
  const out: number[] = [];
  let at = 4 + len;
  for (let i = 0; i < numbers; i++, at += 8) out.push(readU64(composite, at));
  return withSeq ? { key, numbers: out, seq: readU32(composite, at) } : { key, numbers: out };
}
