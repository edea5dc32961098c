// Topic metadata the producer and consumer need (partition counts), cached briefly.

import type { TopicDescription } from "../protocol/api.js";
import type { Transport } from "./transport.js";

const TTL_MS = 30_000;

export class TopicMetadata {
  readonly #cache = new Map<string, { at: number; value: Promise<TopicDescription> }>();

  constructor(private readonly http: Transport) {}

  describe(topic: string, fresh = false): Promise<TopicDescription> {
    const hit = this.#cache.get(topic);
    if (!fresh && hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = this.http.request<TopicDescription>("GET", `/v1/topics/${encodeURIComponent(topic)}`, undefined, {
      retry: true,
    });
    this.#cache.set(topic, { at: Date.now(), value });
    value.catch(() => this.#cache.delete(topic));
    return value;
  }

  async partitions(topic: string): Promise<number> {
    return (await this.describe(topic)).partition_count;
  }
}
