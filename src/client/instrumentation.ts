// Namespaced instrumentation events (producer.request, consumer.heartbeat, ...): nothing is built
// or called unless someone listens.

export type Listener<T> = (payload: T) => void;

export class Instrumentation<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  /** The payload is built lazily, so an unobserved event costs one map lookup. */
  emit<K extends keyof Events>(name: K, payload: () => Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set || set.size === 0) return;
    const value = payload();
    for (const fn of set) {
      try {
        (fn as Listener<Events[K]>)(value);
      } catch {
        /* a listener's failure is not the client's */
      }
    }
  }
}
