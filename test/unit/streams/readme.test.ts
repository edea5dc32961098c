// The README shows the streams examples verbatim: its code blocks are the files `npm run example` runs.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const read = (f: string) => readFileSync(resolve(ROOT, f), "utf8");

it.each(["examples/streams/word-count.ts", "examples/streams/worker.ts"])("README.md shows %s as it is", (file) => {
  expect(read("README.md")).toContain("```ts\n" + read(file) + "```");
});

it("word-count is at most 25 lines of user code", () => {
  const code = read("examples/streams/word-count.ts")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("//"));
  expect(code.length).toBeLessThanOrEqual(25);
});
