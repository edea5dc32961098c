// One key per topic partition ("orders:3"), for maps and sets on every side: the SDK's queues and
// positions, the gateway's replies, the coordinator's member sets (which it stores, so the format stays).

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** "topic:partition": topic names are [a-zA-Z0-9._-], so no name holds the ':' that ends it. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function fromTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf(":");
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}
