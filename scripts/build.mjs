// Bundles the SDK (dist/client.js), the streams library (dist/streams.js), the CLI (dist/cli.js,
// which also runs the Kafka gateway), the standalone gateway (dist/gateway.mjs) so they run on plain Node >= 20, browsers and Workers without
// a TypeScript loader, and the web console (dist/assets/console/, served by the Worker as static
// assets, wrangler.toml [assets]). Run by `npm ci` (prepare), `npm test` (pretest), `npm start` and
// `npm run deploy`.

import { build } from "esbuild";
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";

const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };

// The console: one script and one stylesheet, minified, no source maps in the assets (every file
// there is downloadable). The metafile sits beside, outside the assets, for the bundle test
// (test/unit/console-bundle.test.ts: size and which sources went in).
const ASSETS = "dist/assets";
async function buildConsole() {
  rmSync(ASSETS, { recursive: true, force: true });
  mkdirSync(`${ASSETS}/console`, { recursive: true });
  const result = await build({
    entryPoints: { app: "src/console/main.tsx" },
    outdir: `${ASSETS}/console`,
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify: true,
    metafile: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "warning",
    legalComments: "none",
  });
  writeFileSync("dist/console-meta.json", JSON.stringify(result.metafile));
  for (const file of ["index.html", "favicon.svg"]) copyFileSync(`src/console/${file}`, `${ASSETS}/console/${file}`);
  // Headers (the Content-Security-Policy) for the whole assets tree: Workers Static Assets read
  // `_headers` at its root, in wrangler dev and on Cloudflare alike.
  copyFileSync("src/console/_headers", `${ASSETS}/_headers`);
}

// The SDK: platform neutral (no Node built-ins). Split, so what it loads on demand (the schema
// codecs and protobufjs) sits in dist/chunks/ rather than in client.js. The metafile is for
// test/unit/client-bundle.test.ts (which sources each output holds: no server code, no zod).
async function buildClient() {
  rmSync("dist/chunks", { recursive: true, force: true });
  const result = await build({
    ...common,
    entryPoints: { client: "src/client/index.ts" },
    outdir: "dist",
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    platform: "neutral",
    metafile: true,
  });
  writeFileSync("dist/client-meta.json", JSON.stringify(result.metafile));
}

await Promise.all([
  buildClient(),
  build({ ...common, entryPoints: ["src/streams/index.ts"], outfile: "dist/streams.js", platform: "neutral" }),
  build({
    ...common,
    entryPoints: ["src/cli/bin.ts"],
    outfile: "dist/cli.js",
    platform: "node",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  }),
  build({
    ...common,
    entryPoints: ["src/gateway/bin.ts"],
    outfile: "dist/gateway.mjs",
    platform: "node",
    target: "node20",
  }),
  buildConsole(),
]);
chmodSync("dist/cli.js", 0o755);
