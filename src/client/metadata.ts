// Topic metadata the producer and consumer need (partition counts), cached briefly.

import type { TopicDescription } from "../protocol/api.js";
import { TopicCache } from "../protocol/topic-cache.js";
import type { Transport } from "./transport.js";

export class TopicMetadata {
  // Shared loads: a burst of sends to a new topic asks for its metadata once.
  readonly #cache = new TopicCache<TopicDescription>({
    ttlMs: 30_000,
    partitions: (t) => t.partition_count,
    shareLoads: true,
  });

  constructor(private readonly http: Transport) {}

  describe(topic: string, fresh = false): Promise<TopicDescription> {
    return this.#cache.get(topic, () => this.#load(topic), fresh);
  }

  async partitions(topic: string): Promise<number> {
    return (await this.describe(topic)).partition_count;
  }

  /** The topic, described again once if it lacks `partition` (partitions may have been added since). */
  withPartition(topic: string, partition: number): Promise<TopicDescription> {
    return this.#cache.withPartition(topic, partition, () => this.#load(topic));
  }

  #load(topic: string): Promise<TopicDescription> {
    return this.http.request("GET", `/v1/topics/${encodeURIComponent(topic)}`, undefined, { retry: true });
  }
}
