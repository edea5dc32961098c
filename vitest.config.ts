import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" } },
      // End-to-end: real wrangler dev processes, driven over HTTP from Node.
      { test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 } },
      {
        plugins: [cloudflareTest({
          main: "./src/index.ts",
          wrangler: { configPath: "./wrangler.toml" },
          // Short session bounds and fresh topic metadata, so group tests exercise expiry and
          // repartitioning in milliseconds rather than Kafka's 6 s / 5 s defaults.
          miniflare: { bindings: { EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS: "50", EDGELOG_GROUP_METADATA_MAX_AGE_MS: "0" } },
        })],
        test: { name: "integration", include: ["test/integration/**/*.test.ts"] },
      },
    ],
  },
});
