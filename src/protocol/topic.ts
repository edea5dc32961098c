// A topic as the controller stores it and the router hands it to partitions.

import type { TopicConfig } from "./topic-config.js";

export interface Topic {
  name: string;
  /** Immutable UUID minted at creation; partition objects are named by it, not by the name. */
  id: string;
  partitions: number;
  /** The effective config: Kafka's defaults overlaid with the topic's overrides. */
  config: TopicConfig;
  /** Bumped on every alter, so partitions can tell a newer config from an older one. */
  version: number;
  created_at: number;
}

/** What a partition object is told about its topic on every call. */
export interface TopicRef {
  id: string;
  name: string;
  partition: number;
  version: number;
  config: TopicConfig;
  /** The leader epoch the caller knows (geo-replicated topics): a copy in a later one refuses it. */
  leaderEpoch?: number;
}

export function topicRef(topic: Topic, partition: number): TopicRef {
  return { id: topic.id, name: topic.name, partition, version: topic.version, config: topic.config };
}
