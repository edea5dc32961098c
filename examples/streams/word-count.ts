// Word count: reads lines from text-lines, splits them on whitespace, lowercases, counts per word,
// and writes every updated count to the compacted topic word-counts (key = word, value = count).
import { KafkaStreams, Serdes, StreamsBuilder } from "edgelog/streams";

export function wordCount() {
  const builder = new StreamsBuilder();
  builder
    .stream<string | null, string>("text-lines", { valueSerde: Serdes.Text() })
    .flatMapValues((line) => line.toLowerCase().match(/\S+/g) ?? [])
    .groupBy((_key, word) => word)
    .count({ name: "counts" })
    .toStream()
    .to("word-counts");
  return builder.build();
}

export const topics = {
  "text-lines": { partitions: 4 },
  "word-counts": { partitions: 4, config: { "cleanup.policy": "compact" } },
};

export default async function main(env: { url: string; token?: string; instanceId?: string }) {
  const config = { applicationId: "word-count", processingGuarantee: "exactly_once", createTopics: topics } as const;
  const streams = new KafkaStreams(wordCount(), { ...config, ...env });
  await streams.start();
  return streams;
}
