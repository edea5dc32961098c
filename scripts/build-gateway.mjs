// Bundles the Kafka gateway (src/gateway/main.ts) into dist/gateway.mjs, runnable with plain node.
import { build } from "esbuild";

await build({
  entryPoints: ["src/gateway/main.ts"],
  outfile: "dist/gateway.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
