// `npm run example -- <name>`: bundles examples/streams/<name>.ts with esbuild (Node 20 runs no
// TypeScript) from the repository's sources, and runs its default export against $EDGELOG_URL
// (default http://127.0.0.1:8787, token $EDGELOG_TOKEN) until SIGINT or SIGTERM.

import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const name = process.argv[2];
const entry = join(ROOT, "examples/streams", `${name}.ts`);
if (!name || !existsSync(entry)) {
  const names = readdirSync(join(ROOT, "examples/streams"))
    .filter((f) => f.endsWith(".ts") && f !== "worker.ts")
    .map((f) => f.slice(0, -3));
  console.error(`usage: npm run example -- <name>\nexamples: ${names.join(", ")}`);
  process.exit(2);
}

const outdir = join(ROOT, "node_modules/.cache/edgelog-examples");
mkdirSync(outdir, { recursive: true });
// One file per process: several instances of an example may start at once.
const outfile = join(outdir, `${name}.${process.pid}.mjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // The library as the sources have it now, not as the last `npm run build` left dist/.
  alias: {
    "edgelog/streams": join(ROOT, "src/streams/index.ts"),
    "edgelog/client": join(ROOT, "src/client/index.ts"),
  },
});

const { default: main } = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });
const running = await main({
  url: process.env.EDGELOG_URL ?? "http://127.0.0.1:8787",
  token: process.env.EDGELOG_TOKEN || undefined,
  instanceId: process.env.EDGELOG_INSTANCE_ID || undefined,
  // Overrides the example's own choice (the benchmark and tests compare guarantees this way).
  ...(process.env.EDGELOG_PROCESSING_GUARANTEE
    ? { processingGuarantee: process.env.EDGELOG_PROCESSING_GUARANTEE }
    : {}),
});
console.log(`${name}: running against ${process.env.EDGELOG_URL ?? "http://127.0.0.1:8787"} (Ctrl-C to stop)`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await running.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
running.done?.().catch((e) => {
  console.error(`${name}: stopped by an error: ${e?.message ?? e}`);
  process.exit(1);
});
