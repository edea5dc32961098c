// Long-poll waiters of one partition: woken by appends, bounded in number and in time.

/** How long a cancel that arrived before its wait is remembered. */
const EARLY_CANCEL_MS = 60_000;

export class Waiters {
  readonly #pending = new Map<string, () => void>();
  /** Cancels that overtook their wait on the way in; the wait then returns at once. */
  readonly #cancelled = new Set<string>();
  #seq = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Resolves true when woken by notifyAll() or cancel(), false on timeout. When the bound is
   * reached it resolves false at once: the caller answers empty and the client polls again.
   */
  wait(ms: number, id: string = `w${++this.#seq}`): Promise<boolean> {
    if (this.#cancelled.delete(id)) return Promise.resolve(true);
    if (this.#pending.size >= this.max || this.#pending.has(id)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(false);
      }, ms);
      this.#pending.set(id, () => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(true);
      });
    });
  }

  /** Ends one wait early (a multi-partition fetch that another partition already answered). */
  cancel(id: string): void {
    const wake = this.#pending.get(id);
    if (wake) return wake();
    if (this.#cancelled.size >= this.max) return;
    this.#cancelled.add(id);
    setTimeout(() => this.#cancelled.delete(id), EARLY_CANCEL_MS);
  }

  notifyAll(): void {
    for (const wake of [...this.#pending.values()]) wake();
  }
}
