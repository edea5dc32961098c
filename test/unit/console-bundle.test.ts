// The console as shipped (dist/assets, built by scripts/build.mjs before the tests): under 150 KB of
// gzipped JavaScript, built only from the console, the SDK and the protocol's shared tables (no
// server code, no zod), and nothing that its Content-Security-Policy would refuse to run.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CONSOLE = resolve(ROOT, "dist/assets/console");
const META = resolve(ROOT, "dist/console-meta.json");

describe("the console bundle", () => {
  it("is built (npm run build)", () => {
    expect(existsSync(META) && existsSync(resolve(CONSOLE, "app.js")), "run `npm run build` first").toBe(true);
  });

  it("ships under 150 KB of gzipped JavaScript", () => {
    const js = readdirSync(CONSOLE).filter((f) => f.endsWith(".js"));
    const gzipped = js.reduce((n, f) => n + gzipSync(readFileSync(resolve(CONSOLE, f)), { level: 9 }).byteLength, 0);
    expect(gzipped).toBeLessThan(150 * 1024);
  });

  it("imports nothing from server code: only the console, the SDK, the protocol's shared modules, Preact and uPlot", () => {
    const meta = JSON.parse(readFileSync(META, "utf8")) as { inputs: Record<string, unknown> };
    const outside = Object.keys(meta.inputs).filter(
      (p) =>
        !p.startsWith("src/console/") &&
        !p.startsWith("src/client/") &&
        !/^src\/protocol\/(errors|constants|topic-config|backoff|topic-partition)\.ts$/.test(p) &&
        !p.startsWith("node_modules/preact/") &&
        !p.startsWith("node_modules/uplot/"),
    );
    expect(outside).toEqual([]);
  });

  it("needs no eval, inline script or inline style (its CSP allows none)", () => {
    const js = readFileSync(resolve(CONSOLE, "app.js"), "utf8");
    expect(js).not.toMatch(/\beval\(|new Function\(/);
    const html = readFileSync(resolve(CONSOLE, "index.html"), "utf8");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const headers = readFileSync(resolve(ROOT, "dist/assets/_headers"), "utf8");
    expect(headers).toMatch(/^\/console\/\*$/m);
    expect(headers).toContain("script-src 'self'; style-src 'self'");
  });
});
