// Secure by default: nothing a deploy reads switches authentication off.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readAuthSettings } from "../../src/settings.js";

const root = resolve(import.meta.dirname, "../..");

describe("deploy configuration", () => {
  it("wrangler.toml never sets EDGELOG_AUTH (nor any var a deploy would carry)", () => {
    const toml = readFileSync(resolve(root, "wrangler.toml"), "utf8");
    expect(toml).not.toMatch(/EDGELOG_AUTH/);
    expect(toml).not.toMatch(/^\s*\[vars\]/m);
  });

  it("only the local start script turns auth off; deploy does not", () => {
    const { scripts } = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toContain("--var EDGELOG_AUTH:off");
    expect(scripts.deploy).not.toMatch(/EDGELOG_AUTH/);
  });
});

describe("Durable Object migrations", () => {
  const toml = readFileSync(resolve(root, "wrangler.toml"), "utf8");
  const tables = (name: string) =>
    toml
      .split(/^\[\[/m)
      .filter((t) => t.startsWith(`${name}]]`))
      .map((t) => t.split(/^\[/m)[0]!);
  const field = (table: string, key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, "m").exec(table)?.[1]?.trim();
  const migrations = tables("migrations").map((t) => ({
    tag: JSON.parse(field(t, "tag") ?? "null") as string,
    classes: JSON.parse(field(t, "new_sqlite_classes") ?? "[]") as string[],
  }));
  const bound = tables("durable_objects.bindings").map((t) => JSON.parse(field(t, "class_name")!) as string);

  it("tags run v1, v2, ... in order, one entry each", () => {
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.tag)).toEqual(migrations.map((_, i) => `v${i + 1}`));
  });

  it("create every bound class exactly once, as a SQLite-backed class", () => {
    const created = migrations.flatMap((m) => m.classes);
    expect([...created].sort()).toEqual([...bound].sort());
    expect(new Set(created).size).toBe(created.length);
    expect(toml).not.toMatch(/^new_classes/m);
  });
});

describe("auth settings", () => {
  it("require auth when EDGELOG_AUTH is unset or empty", () => {
    expect(readAuthSettings({}).mode).toBe("required");
    expect(readAuthSettings({ EDGELOG_AUTH: "" }).mode).toBe("required");
    expect(readAuthSettings({ EDGELOG_AUTH: "off" }).mode).toBe("off");
  });

  it("fail closed on a value that is neither off nor required", () => {
    for (const v of ["false", "0", "OFF", "disabled"])
      expect(() => readAuthSettings({ EDGELOG_AUTH: v })).toThrowError(/EDGELOG_AUTH/);
  });

  it("bound the token cache by the documented 10 s revocation bound", () => {
    expect(readAuthSettings({}).cacheMs).toBe(5_000);
    expect(() => readAuthSettings({ EDGELOG_AUTH_CACHE_MS: "10001" })).toThrowError(/at most 10000/);
  });

  it("read CORS origins as a comma-separated list", () => {
    expect(readAuthSettings({ EDGELOG_CORS_ORIGINS: " https://a.example, https://b.example ," }).corsOrigins).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
    expect(readAuthSettings({}).corsOrigins).toEqual([]);
  });
});

describe("the bindings table in docs/operations.md", () => {
  it("names each binding wrangler.toml declares, once", () => {
    const toml = readFileSync(resolve(root, "wrangler.toml"), "utf8");
    const declared = [
      ...toml.matchAll(/^\[\[(?:durable_objects\.bindings|r2_buckets)\]\]\n(?:name|binding) = "(\w+)"/gm),
    ].map((m) => m[1]);
    const doc = readFileSync(resolve(root, "docs/operations.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` (?:\(optional\) )?\|/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(5);
    for (const b of declared)
      expect(
        rows.filter((r) => r === b),
        b,
      ).toHaveLength(1);
  });
});
