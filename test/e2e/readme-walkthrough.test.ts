import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type EdgelogServer } from "../support/server.js";

let server: EdgelogServer;
beforeAll(async () => {
  server = await startServer();
}, 90_000);
afterAll(async () => {
  await server?.dispose();
});

it("serves /healthz and the OpenAPI document from a real wrangler dev process", async () => {
  const h = await fetch(`${server.url}/healthz`);
  expect(await h.json()).toEqual({ ok: true });
  const doc = await (await fetch(`${server.url}/v1/openapi.json`)).json() as any;
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/v1/topics/{topic}/records");
});
