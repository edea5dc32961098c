// The README's quick start, run verbatim (only the address changed) against a real wrangler dev.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type EdgelogServer } from "../support/server.js";

let server: EdgelogServer;
beforeAll(async () => {
  server = await startServer();
}, 90_000);
afterAll(async () => {
  await server?.dispose();
});

/** The shell commands of the README's "Quick start" section, one string per command (continuations joined). */
function quickStartCommands(): string[] {
  const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
  const section = readme.split("## Quick start")[1]!.split("\n## ")[0]!;
  const block = section.split("```sh")[1]!.split("```")[0]!;
  const commands: string[] = [];
  let current = "";
  for (const line of block.split("\n")) {
    if (line.trim().startsWith("#") || line.trim() === "") continue;
    current += `${line}\n`;
    const openQuote = (current.match(/'/g)?.length ?? 0) % 2 === 1;
    if (!line.endsWith("\\") && !openQuote) {
      commands.push(current);
      current = "";
    }
  }
  return commands;
}

it("runs the README quick start verbatim", () => {
  const commands = quickStartCommands();
  expect(commands.length).toBeGreaterThanOrEqual(7);
  const outputs = commands.map((cmd) => {
    const out = execFileSync("bash", ["-c", cmd.replaceAll("http://127.0.0.1:8787", server.url)], { encoding: "utf8" });
    const json = JSON.parse(out);
    expect(json.error, `${cmd} → ${out}`).toBeUndefined();
    return json;
  });
  const [created, produced, described, fetched, byTime, earliest, latest, polled] = outputs;
  expect(created.name).toBe("orders");
  // The README says where the keys land: user-1 → 2, user-4 → 1.
  expect(produced.records.map((r: any) => r.partition)).toEqual([2, 2, 1]);
  expect(described.partitions.map((p: any) => p.high_watermark)).toEqual([0, 1, 2]);
  expect(fetched.records.map((r: any) => r.value.item)).toEqual(["book", "pen"]);
  expect(fetched.records[1].headers).toEqual({ source: "web" });
  expect(byTime).toEqual({ offset: 1, timestamp: 1767225660000 });
  expect(earliest.offset).toBe(0);
  expect(latest.offset).toBe(2);
  expect(polled.records).toEqual([]);
}, 60_000);

it("serves /healthz and the OpenAPI document", async () => {
  expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
  const doc = await (await fetch(`${server.url}/v1/openapi.json`)).json() as any;
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/v1/topics/{topic}/records");
});
