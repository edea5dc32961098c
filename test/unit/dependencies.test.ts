// Dependencies point one way: src/ has no import circle and no import against CONTRIBUTING.md's
// arrows (scripts/deps.ts), and the check itself catches a planted circle and a planted wrong arrow.

import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ARROWS, checkDependencies, readSources } from "../../scripts/deps.js";

const ROOT = resolve(import.meta.dirname, "../..");

describe("src/ dependencies", () => {
  const sources = readSources(ROOT);

  it("have no import circle but the known ones, and every known one is still there", () => {
    const { cycles, stale } = checkDependencies(sources);
    expect(cycles.map((c) => c.join(" → "))).toEqual([]);
    expect(stale).toEqual([]);
  });

  it("follow the arrows CONTRIBUTING.md draws", () => {
    expect(checkDependencies(sources).forbidden).toEqual([]);
  });

  it("name every folder of src/ in the arrows", () => {
    const parts = new Set([...sources.keys()].map((p) => p.split("/")[1]!.replace(/\.tsx?$/, "")));
    expect([...parts].filter((p) => !(p in ARROWS))).toEqual([]);
  });

  it("are layered: no two parts may import each other, directly or round a longer loop", () => {
    // The arrows themselves are checked as a graph: a loop here would allow a circle between folders.
    const graph = new Map(
      Object.entries(ARROWS).map(([part, deps]) => [`src/${part}.ts`, deps.map((d) => `src/${d}.ts`)]),
    );
    const sources = new Map(
      [...graph].map(([file, deps]) => [file, deps.map((d) => `import "./${d.slice(4, -3)}.js";`).join("\n")]),
    );
    expect(checkDependencies(sources, []).cycles).toEqual([]);
  });
});

describe("the dependency check", () => {
  it("fails on a planted import circle, type-only imports included", () => {
    const planted = new Map([
      ["src/log/a.ts", `import type { B } from "./b.js";\nexport type A = B;`],
      ["src/log/b.ts", `import { c } from "./c.js";\nexport type B = number;`],
      ["src/log/c.ts", `export { a } from "./a.js";\nexport const c = 1;`],
      ["src/log/d.ts", `import { c } from "./c.js";`],
    ]);
    expect(checkDependencies(planted, []).cycles).toEqual([
      ["src/log/a.ts", "src/log/b.ts", "src/log/c.ts", "src/log/a.ts"],
    ]);
    // Listed as known, it passes; a listed circle that is gone is reported.
    const known = [{ files: ["src/log/c.ts", "src/log/a.ts", "src/log/b.ts"], why: "planted" }];
    expect(checkDependencies(planted, known)).toMatchObject({ cycles: [], stale: [] });
    const gone = [{ files: ["src/log/a.ts", "src/log/d.ts"], why: "planted" }];
    expect(checkDependencies(planted, gone).stale).toEqual(["src/log/a.ts src/log/d.ts"]);
  });

  it("fails on a planted arrow the layering forbids, and on the Workers runtime outside the objects", () => {
    const planted = new Map([
      [
        "src/log/partition-log.ts",
        `import type { Env } from "../env.js";\nimport { DurableObject } from "cloudflare:workers";`,
      ],
      ["src/client/index.ts", `const m = await import("../router/app.js");`],
      ["src/env.ts", ``],
      ["src/router/app.ts", ``],
    ]);
    expect(checkDependencies(planted).forbidden).toEqual([
      "src/log/partition-log.ts → src/env.ts: log may not import env",
      "src/log/partition-log.ts → cloudflare:workers: src/log must not use the Workers runtime",
      "src/client/index.ts → src/router/app.ts: client may not import router",
    ]);
  });

  it("lets the mirror and the gateway use the client, and names a folder the arrows do not know", () => {
    const planted = new Map([
      ["src/mirror/source.ts", `import { Edgelog } from "../client/index.js";`],
      ["src/gateway/upstream.ts", `import { Edgelog } from "../client/index.js";`],
      ["src/client/index.ts", ``],
      ["src/connectors/sink.ts", `import { Edgelog } from "../client/index.js";`],
    ]);
    expect(checkDependencies(planted).forbidden).toEqual([
      "src/connectors/sink.ts: src/connectors has no entry in ARROWS (scripts/deps.ts); add it there and to CONTRIBUTING.md",
    ]);
  });
});
