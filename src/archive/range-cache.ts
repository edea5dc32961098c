// A byte-bounded, least-recently-used cache of archived segment ranges read from R2, kept in the
// partition object: segments are immutable once written, so a range read again (a consumer group
// re-reading the head, a replay) costs no R2 request. The Workers Cache API does nothing on
// workers.dev, and memory in the object is the one cache every deployment has.

/** Per partition object: a few hundred W5-sized fetches, small beside the isolate's 128 MB. */
export const RANGE_CACHE_BYTES = 4 * 1024 * 1024;

/**
 * Ranges larger than this share of the bound are not kept: a scan would evict everything for
 * bytes it is unlikely to read again soon.
 */
const LARGEST_SHARE = 4;

export class RangeCache {
  /** Oldest first: a hit moves its entry to the end. Keyed by `${key}@${position}`. */
  readonly #entries = new Map<string, { key: string; bytes: Uint8Array }>();
  #size = 0;

  constructor(readonly maxBytes = RANGE_CACHE_BYTES) {}

  /** Bytes held now (never above maxBytes). */
  get size(): number {
    return this.#size;
  }

  /** Bytes held of one object's ranges. */
  bytesOf(key: string): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.key === key) n += e.bytes.byteLength;
    return n;
  }

  /** `length` bytes of `key` from `position`, when a cached range starting there holds them. */
  get(key: string, position: number, length: number): Uint8Array | undefined {
    const id = `${key}@${position}`;
    const e = this.#entries.get(id);
    if (!e || e.bytes.byteLength < length) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, e);
    return e.bytes.byteLength === length ? e.bytes : e.bytes.subarray(0, length);
  }

  /** Keeps `bytes` (read from `key` at `position`; the caller must not change them), evicting the oldest. */
  put(key: string, position: number, bytes: Uint8Array): void {
    if (bytes.byteLength > this.maxBytes / LARGEST_SHARE) return;
    const id = `${key}@${position}`;
    const old = this.#entries.get(id);
    if (old) {
      if (old.bytes.byteLength >= bytes.byteLength) return;
      this.#remove(id, old.bytes.byteLength);
    }
    this.#entries.set(id, { key, bytes });
    this.#size += bytes.byteLength;
    for (const [oldest, e] of this.#entries) {
      if (this.#size <= this.maxBytes) break;
      this.#remove(oldest, e.bytes.byteLength);
    }
  }

  /** Forgets every range of these objects: rewritten, deleted, or found damaged. */
  drop(keys: Iterable<string>): void {
    const gone = new Set(keys);
    if (gone.size === 0) return;
    for (const [id, e] of this.#entries) if (gone.has(e.key)) this.#remove(id, e.bytes.byteLength);
  }

  clear(): void {
    this.#entries.clear();
    this.#size = 0;
  }

  #remove(id: string, bytes: number): void {
    this.#entries.delete(id);
    this.#size -= bytes;
  }
}
