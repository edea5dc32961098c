// The in-memory BytesStore of Node instances and the test driver: a hash map plus a sorted key index.

import { compareBytes, prefixEnd, type BytesStore } from "./bytes.js";

/** Bytes as a string of char codes 0-255: a map key whose string order is the bytes' order. */
function id(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x4000) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 0x4000) as unknown as number[]);
  }
  return s;
}

export class MemoryBytesStore implements BytesStore {
  readonly #map = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  /** Keys in order; kept sorted on insert (binary search), so range scans need no sort. */
  readonly #sorted: string[] = [];

  get(key: Uint8Array): Uint8Array | undefined {
    return this.#map.get(id(key))?.value;
  }

  put(key: Uint8Array, value: Uint8Array | null): void {
    const k = id(key);
    if (value === null) {
      if (this.#map.delete(k)) this.#sorted.splice(this.#index(k), 1);
      return;
    }
    if (!this.#map.has(k)) this.#sorted.splice(this.#index(k), 0, k);
    this.#map.set(k, { key: key.slice(), value: value.slice() });
  }

  *range(from?: Uint8Array, to?: Uint8Array): Iterable<[Uint8Array, Uint8Array]> {
    let i = from ? this.#index(id(from)) : 0;
    // Iterate over a snapshot position by key, so deletes during iteration do not skip entries.
    while (i < this.#sorted.length) {
      const k = this.#sorted[i]!;
      const e = this.#map.get(k)!;
      if (to && compareBytes(e.key, to) > 0) return;
      yield [e.key, e.value];
      // The consumer of this iterator may have changed the store: go on after k, wherever it is now.
      i = this.#index(k);
      if (this.#sorted[i] === k) i++;
    }
  }

  *prefix(prefix: Uint8Array): Iterable<[Uint8Array, Uint8Array]> {
    const end = prefixEnd(prefix);
    for (const [k, v] of this.range(prefix)) {
      if (end && compareBytes(k, end) >= 0) return;
      yield [k, v];
    }
  }

  count(): number {
    return this.#map.size;
  }

  clear(): void {
    this.#map.clear();
    this.#sorted.length = 0;
  }

  /** The position of the first key >= k. */
  #index(k: string): number {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#sorted[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
