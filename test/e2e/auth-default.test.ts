// A real `wrangler dev` configured as a deployment is (wrangler.toml, auth not switched off, no
// EDGELOG_ADMIN_TOKEN secret) refuses requests, and says which secret is missing.

import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type EdgelogServer } from "../support/server.js";

let server: EdgelogServer;
let open: EdgelogServer;
beforeAll(async () => {
  // Both at once: a start is seconds of a busy machine's time. The harness switches auth off
  // unless told otherwise; "required" is what an unset variable means.
  [server, open] = await Promise.all([startServer({ vars: { EDGELOG_AUTH: "required" } }), startServer()]);
}, 90_000);
afterAll(async () => {
  await Promise.all([server?.dispose(), open?.dispose()]);
});

it("refuses every request without a token, naming the missing admin secret", async () => {
  expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, auth: "required" });
  const create = await fetch(`${server.url}/v1/topics`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "orders" }),
  });
  expect(create.status).toBe(401);
  const body = (await create.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("UNAUTHENTICATED");
  expect(body.error.message).toContain("EDGELOG_ADMIN_TOKEN");
  const guessed = await fetch(`${server.url}/v1/topics`, { headers: { authorization: "Bearer admin" } });
  expect(guessed.status).toBe(401);
  expect(server.output()).not.toContain("AUTHENTICATION IS OFF");
}, 30_000);

it("with EDGELOG_AUTH=off (as npm start runs it) serves without a token, reports it, and warns loudly", async () => {
  expect(await (await fetch(`${open.url}/healthz`)).json()).toEqual({ ok: true, auth: "off" });
  expect((await fetch(`${open.url}/v1/topics`)).status).toBe(200);
  const deadline = Date.now() + 5_000;
  while (!open.output().includes("AUTHENTICATION IS OFF") && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(open.output()).toContain("AUTHENTICATION IS OFF");
}, 30_000);
