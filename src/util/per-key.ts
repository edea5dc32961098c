// Runs async work one at a time per key: a second run for a key starts once the first settles.

export class PerKeyQueue {
  /** The tail of each key's queue, settled or not; dropped once nothing is queued behind it. */
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#tails.get(key) ?? Promise.resolve()).then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return run;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
