// The schema registry with authentication required: Confluent clients' HTTP Basic credentials,
// schema ids readable only through a subject the token may read, listings filtered by grants.

import { describe, expect, it } from "vitest";
import { call } from "../../support/api.js";
import { ADMIN_TOKEN, asAdmin, callAs, createToken } from "../../support/auth.js";

const basic = (user: string, password: string) => ({ authorization: `Basic ${btoa(`${user}:${password}`)}` });
const schema = JSON.stringify({ type: "record", name: "R", fields: [{ name: "a", type: "string" }] });

let n = 0;
const subject = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${n++}-value`;

describe("HTTP Basic credentials, as basic.auth.user.info sends them", () => {
  it("accepts a token's id and secret, or any user with the whole token, on registry routes", async () => {
    const s = subject("basic");
    const t = await createToken([{ resource: `subject:${s}`, operations: ["write"] }]);
    const secret = t.token.slice(`elg_${t.id}_`.length);
    const register = (headers: Record<string, string>) =>
      call("POST", `/registry/subjects/${s}/versions`, { schema }, headers);
    expect((await register(basic(t.id, secret))).status).toBe(200);
    expect((await register(basic("anyone", t.token))).status).toBe(200);
    expect((await register(basic("admin", ADMIN_TOKEN))).status).toBe(200);
    const wrong = await register(basic(t.id, "0".repeat(64)));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_code).toBe(40101);
    expect(wrong.headers.get("www-authenticate")).toContain("Basic");
  });

  it("refuses Basic credentials outside /registry (a browser could replay them)", async () => {
    const r = await call("GET", "/v1/topics", undefined, basic("admin", ADMIN_TOKEN));
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain("/registry only");
  });
});

describe("reading schemas by id", () => {
  it("needs read on a subject the id is registered under", async () => {
    const mine = subject("mine");
    const { id } = (await call("POST", `/registry/subjects/${mine}/versions`, { schema }, asAdmin)).body;
    const reader = await createToken([{ resource: "subject:mine-*", operations: ["read"] }]);
    const stranger = await createToken([{ resource: "subject:theirs-*", operations: ["read"] }]);
    expect((await callAs(reader.token, "GET", `/registry/schemas/ids/${id}`)).body).toEqual({ schema });
    const refused = await callAs(stranger.token, "GET", `/registry/schemas/ids/${id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe(40301);
  });

  it("lists only the subjects the token may read", async () => {
    const seen = subject("seen");
    const hidden = subject("hidden");
    for (const s of [seen, hidden]) await call("POST", `/registry/subjects/${s}/versions`, { schema }, asAdmin);
    const { token } = await createToken([{ resource: `subject:${seen}`, operations: ["read"] }]);
    expect((await callAs(token, "GET", "/registry/subjects")).body).toEqual([seen]);
  });
});

describe("subject grants", () => {
  it("take read, write, delete and configure (and admin), and nothing of topics", async () => {
    const ok = await call(
      "POST",
      "/v1/tokens",
      { name: "sr", grants: [{ resource: "subject:orders-*", operations: ["read", "write", "delete", "configure"] }] },
      asAdmin,
    );
    expect(ok.status).toBe(201);
    const bad = await call(
      "POST",
      "/v1/tokens",
      { name: "sr", grants: [{ resource: "subject:orders-*", operations: ["produce"] }] },
      asAdmin,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("the subject resource takes read, write, delete, configure, admin");
    const topicRead = await call(
      "POST",
      "/v1/tokens",
      { name: "t", grants: [{ resource: "topic:x", operations: ["read"] }] },
      asAdmin,
    );
    expect(topicRead.status).toBe(400);
  });
});
