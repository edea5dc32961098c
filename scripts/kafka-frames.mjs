// `node scripts/kafka-frames.mjs`: records the Kafka frames real clients exchange with the gateway
// into test/unit/fixtures/kafka-frames/ (scripts/kafka-frames/capture.ts says how). Needs kcat's
// librdkafka and Debian's python3-confluent-kafka at /usr/bin/python3; starts its own edgelog.
// esbuild bundles the TypeScript first, so this runs on plain Node 20.

import { build } from "esbuild";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";

const HERE = resolve(import.meta.dirname, "kafka-frames");
// Inside the project, so the packages (left out of the bundle) resolve from node_modules.
const dir = resolve(import.meta.dirname, "../node_modules/.cache/kafka-frames");
const outfile = join(dir, "capture.mjs");
await build({
  entryPoints: [join(HERE, "capture.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outfile,
  packages: "external",
  logLevel: "warning",
  // The bundle runs from elsewhere: keep paths relative to the sources.
  define: { "import.meta.dirname": JSON.stringify(HERE) },
});
try {
  await import(outfile);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
