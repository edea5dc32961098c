// Builds what the bench runs: the Worker exactly as `wrangler deploy` bundles it, and the
// record-batch codec (and other hot functions) as plain ESM for Node-side encoding and micro-benchmarks.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
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

/**
 * The Worker of any commit (older ones lack these scripts), bundled as `wrangler deploy` bundles
 * it from a copy of that tree inside this one (Miniflare resolves modules below its cwd), with
 * this tree's node_modules; and the Durable Object bindings its wrangler.toml declares, so a
 * commit from before a class existed runs without it. Kept per commit under .tmp/commits/.
 */
export function buildCommit(ref) {
  const sha = execFileSync("git", ["rev-parse", "--short=9", `${ref}^{commit}`], { cwd: ROOT })
    .toString()
    .trim();
  const dir = join(ROOT, ".tmp/commits", sha);
  const worker = join(dir, ".out/index.js");
  if (!existsSync(worker)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${sha} | tar -x -C ${dir}`], { cwd: ROOT });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    // wrangler checks that an [assets] directory exists; the produce path never serves from it.
    mkdirSync(join(dir, "dist/assets"), { recursive: true });
    buildWorker(dir, join(dir, ".out"));
  }
  const toml = readFileSync(join(dir, "wrangler.toml"), "utf8");
  const durableObjects = {};
  for (const block of toml.split("[[durable_objects.bindings]]").slice(1)) {
    const name = block.match(/^\s*name\s*=\s*"([^"]+)"/m)?.[1];
    const className = block.match(/^\s*class_name\s*=\s*"([^"]+)"/m)?.[1];
    if (name && className) durableObjects[name] = { className, useSQLite: true };
  }
  return { sha, worker, durableObjects };
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
