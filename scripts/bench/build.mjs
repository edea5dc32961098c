// Builds what the bench runs: the Worker exactly as `wrangler deploy` bundles it, and the
// record-batch codec (and other hot functions) as plain ESM for Node-side encoding and micro-benchmarks.

import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { build } from "esbuild";

export const ROOT = resolve(import.meta.dirname, "../..");
export const OUT = join(ROOT, ".tmp/bench-build");

export async function buildAll() {
  return { worker: buildWorker(ROOT, OUT), hot: await buildHot() };
}

/** The Worker of the checkout at `root` (another worktree, for a before/after run), bundled into `outdir`. */
export function buildWorker(root, outdir) {
  execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_LOG: "warn" },
  });
  return join(outdir, "index.js");
}

/** The hot functions as one ESM file for Node. */
export async function buildHot() {
  await build({
    entryPoints: { "node-hot": join(import.meta.dirname, "hot-entry.ts") },
    outdir: OUT,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  return join(OUT, "node-hot.mjs");
}

/** The SDK (as dist/client.js) and the standalone Kafka gateway (as dist/gateway.mjs), for the SDK-path workloads. */
export async function buildPaths() {
  const common = { bundle: true, format: "esm", outdir: OUT, logLevel: "warning", outExtension: { ".js": ".mjs" } };
  await Promise.all([
    build({ ...common, entryPoints: { "node-client": join(ROOT, "src/client/index.ts") }, platform: "neutral" }),
    build({
      ...common,
      entryPoints: { "node-gateway": join(ROOT, "src/gateway/bin.ts") },
      platform: "node",
      target: "node20",
    }),
  ]);
  return { client: join(OUT, "node-client.mjs"), gateway: join(OUT, "node-gateway.mjs") };
}
