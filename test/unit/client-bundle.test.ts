// The SDK as shipped (dist/client.js, built by scripts/build.mjs before the tests): what an
// application loads by importing it is the SDK, the protocol's shared modules and the wire frame,
// no package at all; what it loads on demand (a schema codec, on first serialize) adds the codecs
// and their parsers, never server code, the registry's compatibility rules or zod.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const META = resolve(ROOT, "dist/client-meta.json");

interface Output {
  inputs: Record<string, unknown>;
  imports: { path: string; kind: string }[];
}

function outputs(): Record<string, Output> {
  const meta = JSON.parse(readFileSync(META, "utf8")) as { outputs: Record<string, Output> };
  return Object.fromEntries(Object.entries(meta.outputs).filter(([path]) => path.endsWith(".js")));
}

/** The sources in `entry` and every chunk it imports statically: what `import "edgelog/client"` runs. */
function loadedAtImport(all: Record<string, Output>, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of all[path]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
  };
  visit(entry);
  return [...seen].flatMap((path) => Object.keys(all[path]?.inputs ?? {}));
}

describe("the SDK bundle", () => {
  it("is built (npm run build)", () => {
    expect(existsSync(META) && existsSync(resolve(ROOT, "dist/client.js")), "run `npm run build` first").toBe(true);
  });

  it("loads only the SDK, the protocol's shared modules and the wire frame when imported: no package", () => {
    const all = outputs();
    expect(Object.keys(all)).toContain("dist/client.js");
    const outside = loadedAtImport(all, "dist/client.js").filter(
      (p) =>
        !p.startsWith("src/client/") &&
        !p.startsWith("src/protocol/") &&
        !p.startsWith("src/util/") &&
        p !== "src/schemas/wire.ts",
    );
    expect(outside).toEqual([]);
  });

  it("holds no server code, no registry rules and no zod in any chunk, protobufjs only on demand", () => {
    const all = outputs();
    const inputs = Object.values(all).flatMap((o) => Object.keys(o.inputs));
    const server = inputs.filter(
      (p) =>
        (p.startsWith("src/") && !/^src\/(client|protocol|util|schemas)\//.test(p)) ||
        /^src\/schemas\/(compare|compatibility|[a-z-]+-compat)\.ts$/.test(p) ||
        p.startsWith("node_modules/zod/"),
    );
    expect(server).toEqual([]);
    // protobufjs is there, for Protobuf serde, but not in what importing the SDK loads.
    expect(inputs.some((p) => p.startsWith("node_modules/protobufjs/"))).toBe(true);
    expect(loadedAtImport(all, "dist/client.js").filter((p) => p.startsWith("node_modules/"))).toEqual([]);
  });
});
