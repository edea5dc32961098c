import { describe, expect, it } from "vitest";
import { createApp } from "../../src/router/app.js";
import { call } from "../support/api.js";

describe("OpenAPI document", () => {
  it("describes every route the app serves, and nothing it does not", async () => {
    const served = new Set(
      createApp()
        .routes.filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    const doc = (await call("GET", "/v1/openapi.json")).body;
    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m} ${path}`),
      ),
    );
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it("gives every operation a summary and an error response", async () => {
    const doc = (await call("GET", "/v1/openapi.json")).body;
    for (const ops of Object.values(doc.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(ops)) {
        expect(op.summary).toBeTruthy();
        expect(op.responses.default).toBeTruthy();
      }
    }
  });

  it("serves /healthz without credentials", async () => {
    const r = await call("GET", "/healthz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, auth: "off" });
  });
});
