import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { kCurrentWorker } from "miniflare";
import { defineConfig } from "vitest/config";

// Outbound fetches come back to the worker itself, so a mirror's "other deployment" is this one
// (another topic in it): mirroring is tested in workerd without a second server. The entry is the
// app with PartitionDO bound to a test subclass (test/worker.ts) for fault injection.
// A Queue the connectors' tests send to and consume (wrangler.toml only shows the binding as an example).
const queues = {
  queueProducers: { EVENTS_QUEUE: { queueName: "edgelog-events-test" } },
  queueConsumers: { "edgelog-events-test": { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
};

const worker = (bindings: Record<string, string>) =>
  cloudflareTest({
    main: "./test/worker.ts",
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings,
      outboundService: kCurrentWorker,
      ...queues,
    },
  });

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" } },
      // End-to-end: real wrangler dev processes, driven over HTTP from Node. They run after the
      // other projects (groupOrder 1): the Durable Streams suite keeps a server busy for about a
      // minute, and sharing the cores with it pushed timing-sensitive integration tests past 5 s.
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          // Starts the servers several files share (test/support/shared-servers.ts) in the background.
          globalSetup: ["test/support/e2e-servers.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
      // The API's behaviour, without credentials: auth is switched off explicitly. Short group
      // session bounds and fresh topic metadata, so group tests exercise expiry and repartitioning
      // in milliseconds rather than Kafka's 6 s / 5 s defaults.
      {
        plugins: [
          worker({
            EDGELOG_AUTH: "off",
            EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS: "50",
            EDGELOG_GROUP_METADATA_MAX_AGE_MS: "0",
            EDGELOG_MIRROR_WAIT_MS: "200",
            // An http-sink's outbound fetches come back to this Worker, whatever the host.
            EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS: "edgelog.test",
            // Sources write in transactions (KIP-618); integration-auth keeps the at-least-once default.
            EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT: "enabled",
            // Metrics: pushes only when a test runs the alarm (test/integration/metrics*.test.ts), and
            // every scrape reads the aggregates, so exact counts can be read back at once.
            EDGELOG_METRICS_PUSH_MS: "600000",
            EDGELOG_METRICS_CACHE_MS: "0",
          }),
        ],
        // 20 s per test: a few send hundreds of requests, and CI machines can be slower than this one.
        // Hooks too: a file's first request (often in beforeAll) starts its objects on a busy machine.
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: ["test/integration/auth/**"],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      // Authentication and authorization, configured as a deployment is (auth required), with a
      // known admin secret and a short token cache so revocation tests stay quick; and a small
      // group size cap, so the cap is tested with a few members rather than Kafka's 200.
      {
        plugins: [
          worker({
            EDGELOG_ADMIN_TOKEN: "test-admin-secret",
            EDGELOG_GROUP_MAX_SIZE: "3",
            EDGELOG_AUTH_CACHE_MS: "300",
            EDGELOG_CORS_ORIGINS: "https://shop.example",
            EDGELOG_MIRROR_WAIT_MS: "200",
            EDGELOG_METRICS_PUSH_MS: "600000",
            EDGELOG_METRICS_CACHE_MS: "0",
          }),
        ],
        test: {
          name: "integration-auth",
          include: ["test/integration/auth/**/*.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
    ],
  },
});
