// Bundles the SDK (dist/client.js) and the CLI (dist/cli.js) so they run on plain Node >= 20,
// browsers and Workers without a TypeScript loader. Run by `npm ci` (prepare) and `npm test` (pretest).

import { build } from "esbuild";
import { chmodSync } from "node:fs";

const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };

await Promise.all([
  // platform neutral: the SDK must not pull in Node built-ins.
  build({ ...common, entryPoints: ["src/client/index.ts"], outfile: "dist/client.js", platform: "neutral" }),
  build({
    ...common, entryPoints: ["src/cli/bin.ts"], outfile: "dist/cli.js", platform: "node", target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  }),
]);
chmodSync("dist/cli.js", 0o755);
