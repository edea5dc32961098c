// Page views by region: counts page-views events per region field in one-minute tumbling windows,
// joins each count with the regions table, and writes each window once, when it closes.
import { KafkaStreams, StreamsBuilder, Suppressed, TimeWindows } from "edgelog/streams";

interface PageView {
  region: string;
  page?: string;
}

export function pageViewsByRegion() {
  const builder = new StreamsBuilder();
  const regions = builder.table<string, { name: string }>("regions");
  builder
    .stream<string | null, PageView>("page-views")
    .groupBy((_key, view) => view.region)
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
    .count({ name: "views-per-region" })
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map((w, views) => [w.key, { region: w.key, window_start: w.window.start, window_end: w.window.end, views }])
    .leftJoin(regions, (count, region) => ({ ...count, region_name: region?.name ?? null }), { name: "by-region" })
    .to("page-views-by-region");
  return builder.build();
}

export const topics = {
  "page-views": { partitions: 3 },
  regions: { partitions: 3 },
  "page-views-by-region": { partitions: 3 },
};

export default async function main(env: { url: string; token?: string; instanceId?: string }) {
  const streams = new KafkaStreams(pageViewsByRegion(), {
    applicationId: "page-views-by-region",
    createTopics: topics,
    ...env,
  });
  await streams.start();
  return streams;
}
