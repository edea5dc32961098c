// Topic metadata held for a short while by whoever asks for it often: the router's isolates, a
// group coordinator, a mirror, the SDK. One cache; each asker passes how to load a topic.

import { EdgelogError } from "./errors.js";

export interface TopicCacheOptions<T> {
  /** How long a loaded topic is trusted before it is loaded again. */
  ttlMs: number;
  /** A topic's partition count (withPartition refreshes a topic that lacks the partition asked). */
  partitions(topic: T): number;
  /**
   * Concurrent misses share one load. Only where loads belong to no single request (the SDK, an
   * object): in a stateless Worker a load is I/O of the request that started it, unusable by others.
   */
  shareLoads?: boolean;
  now?: () => number;
}

export class TopicCache<T> {
  readonly #entries = new Map<string, { value: T; at: number }>();
  readonly #loading = new Map<string, Promise<T>>();
  readonly #opts: TopicCacheOptions<T>;

  constructor(opts: TopicCacheOptions<T>) {
    this.#opts = opts;
  }

  /** The cached topic while fresh, else `load()`'s; `fresh` skips the cache (after UNKNOWN_TOPIC_OR_PARTITION, say). */
  async get(name: string, load: () => Promise<T>, fresh = false): Promise<T> {
    const now = this.#now();
    const hit = this.#entries.get(name);
    if (!fresh && hit && now - hit.at < this.#opts.ttlMs) return hit.value;
    if (!this.#opts.shareLoads) return this.#load(name, load);
    let loading = this.#loading.get(name);
    if (!loading) {
      loading = this.#load(name, load).finally(() => this.#loading.delete(name));
      this.#loading.set(name, loading);
    }
    return loading;
  }

  /** The topic resolved with `partition`, loaded again once if it lacks it (it may have grown since). */
  async withPartition(name: string, partition: number, load: () => Promise<T>): Promise<T> {
    let topic = await this.get(name, load);
    if (partition >= this.#opts.partitions(topic)) topic = await this.get(name, load, true);
    const count = this.#opts.partitions(topic);
    if (partition >= count) {
      throw new EdgelogError(
        "UNKNOWN_TOPIC_OR_PARTITION",
        `topic ${name} has partitions 0..${count - 1}; there is no partition ${partition}`,
      );
    }
    return topic;
  }

  /** What is cached for `name`, fresh or not. */
  peek(name: string): T | undefined {
    return this.#entries.get(name)?.value;
  }

  remember(name: string, value: T): void {
    this.#entries.set(name, { value, at: this.#now() });
  }

  forget(name: string): void {
    this.#entries.delete(name);
  }

  clear(): void {
    this.#entries.clear();
  }

  async #load(name: string, load: () => Promise<T>): Promise<T> {
    try {
      const value = await load();
      this.remember(name, value);
      return value;
    } catch (e) {
      this.forget(name);
      throw e;
    }
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }
}
