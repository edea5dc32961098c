// Reaching the Durable Objects: the controller, partition stubs, and the per-isolate topic cache.

import type { Env } from "../env.js";
import { fullJitter } from "../protocol/backoff.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { partitionObjectName, type Topic } from "../protocol/topic.js";

/** How long an isolate trusts cached topic metadata before asking the controller again. */
const TOPIC_TTL_MS = 5_000;

export function cluster(env: Env) {
  return env.CLUSTER.getByName("cluster");
}

export function partitionStub(env: Env, topic: Topic, partition: number) {
  return env.PARTITION.getByName(partitionObjectName(topic.id, partition));
}

const cache = new Map<string, { topic: Topic; at: number }>();

export const topics = {
  /** Topic metadata, cached per isolate; `fresh` skips the cache (after UNKNOWN_TOPIC_OR_PARTITION). */
  async get(env: Env, name: string, fresh = false): Promise<Topic> {
    const hit = cache.get(name);
    if (!fresh && hit && Date.now() - hit.at < TOPIC_TTL_MS) return hit.topic;
    try {
      const topic = unwrap(await cluster(env).getTopic(name));
      cache.set(name, { topic, at: Date.now() });
      return topic;
    } catch (e) {
      cache.delete(name);
      throw e;
    }
  },

  remember(topic: Topic): void {
    cache.set(topic.name, { topic, at: Date.now() });
  },

  forget(name: string): void {
    cache.delete(name);
  },

  /** Resolves a partition number, refreshing once in case the topic grew since it was cached. */
  async withPartition(env: Env, name: string, partition: number): Promise<Topic> {
    let topic = await this.get(env, name);
    if (partition >= topic.partitions) topic = await this.get(env, name, true);
    if (partition >= topic.partitions) {
      throw new EdgelogError(
        "UNKNOWN_TOPIC_OR_PARTITION",
        `topic ${name} has partitions 0..${topic.partitions - 1}; there is no partition ${partition}`,
      );
    }
    return topic;
  },
};

/**
 * Calls a partition. If it answers UNKNOWN_TOPIC_OR_PARTITION (the topic was deleted, perhaps
 * recreated) the cached metadata is dropped so the next call sees the controller's truth. When
 * the call is safe to repeat (a read, or an idempotent producer's append), a transient platform
 * fault is retried a few times with backoff; an overloaded object is never retried here.
 */
export async function onPartition<T>(name: string, call: () => Promise<T>, safeToRetry = false): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") topics.forget(name);
      if (!safeToRetry || attempt >= RETRIES || !isTransient(e)) throw e;
      await scheduler.wait(fullJitter(attempt, RETRY_BACKOFF));
    }
  }
}

const RETRIES = 3;
/** Waits drawn below 50, 100, 200 ms: a platform fault that clears at all clears within a few hundred ms. */
const RETRY_BACKOFF = { initialMs: 50, maxMs: 200 };

/** Durable Object faults flag themselves retryable; overloaded ones must back off at the client instead. */
export function isTransient(e: unknown): boolean {
  const f = e as { retryable?: boolean; overloaded?: boolean } | null;
  return typeof f === "object" && f !== null && f.retryable === true && f.overloaded !== true;
}
