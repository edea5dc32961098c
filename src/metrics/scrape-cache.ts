// The isolate's reuse of a scrape: one load at a time, its result reused for `maxAgeMs`, so
// scrapers that share an isolate (or scrape in a burst) share the aggregates' work.

export class ScrapeCache<T> {
  #entry: { at: number; value: Promise<T> } | undefined;

  /** The cached value while younger than `maxAgeMs`, else a fresh `load()` (concurrent callers share it). */
  get(now: number, maxAgeMs: number, load: () => Promise<T>): Promise<T> {
    if (this.#entry && now - this.#entry.at < maxAgeMs) return this.#entry.value;
    const value = load();
    const entry = { at: now, value };
    this.#entry = entry;
    // A failed load is not reused: the next scrape tries again.
    value.catch(() => {
      if (this.#entry === entry) this.#entry = undefined;
    });
    return value;
  }
}
