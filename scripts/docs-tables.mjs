// `npm run docs:tables`: rewrites the docs' generated tables (scripts/docs/tables.ts) between their
// markers. esbuild bundles the TypeScript first, so this runs on plain Node 20.

import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const out = await build({
  entryPoints: [resolve(ROOT, "scripts/docs/tables.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  write: false,
  logLevel: "warning",
});
const { DOC_TABLES, replaceMarkedRegion } = await import(
  `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`
);

for (const table of DOC_TABLES) {
  const path = resolve(ROOT, table.file);
  const before = readFileSync(path, "utf8");
  const after = replaceMarkedRegion(before, table.marker, table.render());
  if (after !== before) writeFileSync(path, after);
  console.log(`${table.file} ${table.marker}: ${after === before ? "unchanged" : "written"}`);
}
