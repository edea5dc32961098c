// Bundles the SDK (dist/client.js), the CLI (dist/cli.js, which also runs the Kafka gateway) and the
// standalone gateway (dist/gateway.mjs) so they run on plain Node >= 20,
// browsers and Workers without a TypeScript loader. Run by `npm ci` (prepare) and `npm test` (pretest).

import { build } from "esbuild";
import { chmodSync } from "node:fs";

const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };

await Promise.all([
  // platform neutral: the SDK must not pull in Node built-ins.
  build({ ...common, entryPoints: ["src/client/index.ts"], outfile: "dist/client.js", platform: "neutral" }),
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
]);
chmodSync("dist/cli.js", 0o755);
