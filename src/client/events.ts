// The instrumentation events the SDK emits, by name (see Instrumentation.on).

import type { TopicPartition } from "../protocol/topic-partition.js";

export interface ClientEvents {
  "producer.request": { topic: string; partition: number; records: number; durationMs: number };
  "producer.retry": {
    topic: string;
    partition: number;
    records: number;
    attempt: number;
    delayMs: number;
    error: unknown;
    elapsedMs: number;
  };
  "producer.error": { topic: string; partition: number; records: number; error: unknown };
  "consumer.fetch": { partitions: number; records: number; durationMs: number };
  "consumer.heartbeat": {
    group: string;
    memberId: string;
    memberEpoch: number;
    assignment: { topic: string; partitions: number[] }[];
  };
  "consumer.assign": { group: string; assigned: TopicPartition[]; revoked: TopicPartition[] };
  "consumer.commit": { group: string; offsets: { topic: string; partition: number; offset: number }[] };
  "consumer.error": { error: unknown };
}
