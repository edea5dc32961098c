// GET /metrics: the Prometheus scrape. Reads the metrics aggregates (the controller's topic list,
// the cluster aggregate, one aggregate per topic: never a partition), composes and renders them
// (src/metrics), and reuses the answer in this isolate for EDGELOG_METRICS_CACHE_MS.

import type { Context } from "hono";
import type { Env } from "../env.js";
import { contentType, negotiate, render } from "../metrics/exposition.js";
import { compose, type ScrapedTopic } from "../metrics/scrape.js";
import { ScrapeCache } from "../metrics/scrape-cache.js";
import type { MetricSet } from "../metrics/series.js";
import { metricsObject } from "../objects.js";
import { unwrap } from "../protocol/errors.js";
import { DEFAULT_TOPIC_CONFIG } from "../protocol/topic-config.js";
import { readSettings } from "../settings.js";
import type { AppEnv } from "./app-env.js";
import { cluster } from "./objects.js";
import { onCluster } from "./permissions.js";
import { route, type Route } from "./route.js";

/** The version build_info reports; the package's. */
export const EDGELOG_VERSION = "0.1.0";

export const metricsRoutes: Route[] = [
  route({
    method: "GET",
    path: "/metrics",
    summary:
      "Prometheus scrape: text exposition 0.0.4, or OpenMetrics 1.0.0 when Accept asks for application/openmetrics-text (docs/observability.md)",
    permission: onCluster("describe"),
    ok: { status: 200, binary: "text/plain" },
    handler: scrapeRoute,
  }),
];

const cache = new ScrapeCache<MetricSet>();

async function scrapeRoute(c: Context<AppEnv>): Promise<Response> {
  const format = negotiate(c.req.header("accept"));
  const set = await cache.get(Date.now(), readSettings(c.env).metrics.cacheMs, () => scrape(c.env));
  return new Response(render(set, format), { headers: { "content-type": contentType(format) } });
}

/** One scrape: 1 call for the topic list, 1 for the cluster aggregate, 1 per topic; each failure is a series. */
export async function scrape(env: Env): Promise<MetricSet> {
  const topics = unwrap(await cluster(env).listTopics());
  const read = async (scope: "cluster" | `topic/${string}`) => {
    try {
      return unwrap(await metricsObject(env, scope).scrape());
    } catch (e) {
      console.error(`edgelog: metrics aggregate ${scope} failed during a scrape`, e);
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };
  const [clusterContents, ...topicContents] = await Promise.all([
    read("cluster"),
    ...topics.map((t) => read(`topic/${t.id}`)),
  ]);
  const scraped: ScrapedTopic[] = topics.map((t, i) => ({
    name: t.name,
    id: t.id,
    maxPartitionSeries:
      t.config["metrics.max.partition.series"] ?? DEFAULT_TOPIC_CONFIG["metrics.max.partition.series"],
    contents: topicContents[i]!,
  }));
  return compose({ topics: scraped, cluster: clusterContents!, version: EDGELOG_VERSION, calls: 2 + topics.length });
}
