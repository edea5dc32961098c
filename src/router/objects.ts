// Reaching the Durable Objects: the controller, partition stubs, and the per-isolate topic cache.

import type { Env } from "../env.js";
import { fullJitter } from "../protocol/backoff.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { Topic } from "../protocol/topic.js";
import { TopicCache } from "../protocol/topic-cache.js";
import { clusterObject, partitionObject } from "../objects.js";

/** How long an isolate trusts cached topic metadata before asking the controller again. */
const TOPIC_TTL_MS = 5_000;

export function cluster(env: Env) {
  return clusterObject(env);
}

export function partitionStub(env: Env, topic: Topic, partition: number) {
  return partitionObject(env, topic.id, partition);
}

const cache = new TopicCache<Topic>({ ttlMs: TOPIC_TTL_MS, partitions: (t) => t.partitions });
const loader = (env: Env, name: string) => async () => unwrap(await cluster(env).getTopic(name));

export const topics = {
  /** Topic metadata, cached per isolate; `fresh` skips the cache (after UNKNOWN_TOPIC_OR_PARTITION). */
  get(env: Env, name: string, fresh = false): Promise<Topic> {
    return cache.get(name, loader(env, name), fresh);
  },

  remember(topic: Topic): void {
    cache.remember(topic.name, topic);
  },

  forget(name: string): void {
    cache.forget(name);
  },

  /** Resolves a partition number, refreshing once in case the topic grew since it was cached. */
  withPartition(env: Env, name: string, partition: number): Promise<Topic> {
    return cache.withPartition(name, partition, loader(env, name));
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
