// Reaching a stream's partition: name → `stream.<name>` topic → partition 0, creating the topic
// on first PUT and removing it (with fork bookkeeping) on delete or expiry.

import type { Env } from "../env.js";
import { MAX_BATCH_BYTES_CEILING } from "../protocol/constants.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { topicRef, type Topic, type TopicRef } from "../protocol/topic.js";
import { streamTopicName } from "../durable-streams/protocol.js";
import { streamMissing } from "../durable-streams/store.js";
import { cluster, partitionStub, topics } from "./objects.js";
import type { DeleteOutcome } from "../contracts/durable-streams.js";

type Stub = ReturnType<typeof partitionStub>;
type Call<T> = (stub: Stub, ref: TopicRef) => Promise<Result<T>>;

/** A stream topic never expires its data by retention; its records are the stream. */
const STREAM_TOPIC_CONFIG = { "max.message.bytes": MAX_BATCH_BYTES_CEILING, "retention.ms": -1 };

async function findTopic(env: Env, name: string, fresh: boolean): Promise<Topic | null> {
  try {
    return await topics.get(env, streamTopicName(name), fresh);
  } catch (e) {
    if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") return null;
    throw e;
  }
}

/** The partition answered that its topic was dropped (not a stream-level 404). */
function isDropped(e: unknown): boolean {
  return e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION" && e.extra?.stream_state === undefined;
}

export function isExpired(e: unknown): boolean {
  return e instanceof EdgelogError && e.extra?.stream_state === "expired";
}

/** Calls the stream's partition; a cached topic that was deleted meanwhile is looked up again once. */
export async function onStream<T>(env: Env, name: string, call: Call<T>, create = false): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let topic = await findTopic(env, name, attempt > 0);
    if (!topic && create) topic = await createTopic(env, name);
    if (!topic) throw streamMissing(name);
    try {
      return unwrap(await call(partitionStub(env, topic, 0), topicRef(topic, 0)));
    } catch (e) {
      if (isDropped(e) && attempt === 0) {
        topics.forget(topic.name);
        continue;
      }
      throw e;
    }
  }
}

async function createTopic(env: Env, name: string): Promise<Topic> {
  try {
    const topic = unwrap(
      await cluster(env).createTopic({ name: streamTopicName(name), partitions: 1, config: STREAM_TOPIC_CONFIG }),
    );
    topics.remember(topic);
    return topic;
  } catch (e) {
    // A concurrent PUT created it first: use theirs; the partition decides who wins.
    if (!(e instanceof EdgelogError && e.code === "TOPIC_ALREADY_EXISTS")) throw e;
    return topics.get(env, streamTopicName(name), true);
  }
}

/** Removes a stream's topic (its data goes with it), then releases its hold on the stream it forked. */
export async function destroyStream(env: Env, name: string, forkedFrom: string | null): Promise<void> {
  const topic = streamTopicName(name);
  topics.forget(topic);
  try {
    unwrap(await cluster(env).deleteTopic(topic));
  } catch (e) {
    if (!(e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION")) throw e;
  }
  if (forkedFrom === null) return;
  let outcome: DeleteOutcome;
  try {
    outcome = await onStream(env, forkedFrom, (s, ref) => s.streamReleaseFork(ref));
  } catch (e) {
    if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") return;
    throw e;
  }
  // A soft-deleted source whose last fork just went away goes too, and so up the chain.
  if (outcome.destroy) await destroyStream(env, forkedFrom, outcome.forkedFrom);
}

/** An expired stream is removed the first time a request notices, so its path can be reused. */
export async function reapStream(env: Env, name: string): Promise<void> {
  const outcome = await onStream(env, name, (s, ref) => s.streamReap(ref)).catch(() => null);
  if (outcome?.destroy) await destroyStream(env, name, outcome.forkedFrom);
}
