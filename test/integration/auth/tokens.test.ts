// Token lifecycle: create (shown once), list (never the secret), revoke within the bound, expiry,
// bad input and escalation refused with nothing written, and a deployment with no admin secret.

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../../src/router/app.js";
import { call, uniqueTopic } from "../../support/api.js";
import { ADMIN_TOKEN, asAdmin, bearer, callAs, createToken } from "../../support/auth.js";
import { clusterObject } from "../../../src/objects.js";

const CACHE_MS = Number(env.EDGELOG_AUTH_CACHE_MS);

async function tokenCount(): Promise<number> {
  return (await call("GET", "/v1/tokens", undefined, asAdmin)).body.tokens.length;
}

/**
 * Repeats `status` until it answers 401, failing if a request sent at or after `by` was still
 * served: a bound on staleness that holds however loaded the machine, unlike a deadline.
 */
async function refusedFrom(by: number, status: () => Promise<number>): Promise<void> {
  for (;;) {
    const sentAt = Date.now();
    if ((await status()) === 401) return;
    expect(sentAt, `served a request sent ${sentAt - by} ms after the token should have been refused`).toBeLessThan(by);
    await scheduler.wait(25);
  }
}

describe("creating, listing and revoking tokens", () => {
  it("shows the token once, lists it without the secret, and refuses it once revoked", async () => {
    const topic = uniqueTopic("life");
    await call("POST", "/v1/topics", { name: topic }, asAdmin);
    const created = await createToken([{ resource: `topic:${topic}`, operations: ["produce", "consume"] }], {
      name: "billing",
      quotas: { produce_bytes_per_sec: 1_000_000 },
    });
    expect(created.token).toMatch(/^elg_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(created.token).toContain(created.id);
    expect(created).toMatchObject({
      name: "billing",
      grants: [{ resource: `topic:${topic}`, operations: ["produce", "consume"] }],
    });

    const listed = (await call("GET", "/v1/tokens", undefined, asAdmin)).body.tokens.find(
      (t: { id: string }) => t.id === created.id,
    );
    expect(listed).toEqual({
      id: created.id,
      name: "billing",
      grants: created.grants,
      quotas: { produce_bytes_per_sec: 1_000_000 },
      expires_at: null,
      created_at: expect.any(Number),
      created_by: "admin",
    });
    const secret = created.token.split("_")[2]!;
    expect(JSON.stringify((await call("GET", "/v1/tokens", undefined, asAdmin)).body)).not.toContain(secret);

    const produce = () => callAs(created.token, "POST", `/v1/topics/${topic}/records`, { records: [{ value: 1 }] });
    expect((await produce()).status).toBe(200);
    expect((await call("DELETE", `/v1/tokens/${created.id}`, undefined, asAdmin)).status).toBe(204);
    // Revoked through this isolate: refused at once, not after the cache lifetime.
    const after = await produce();
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("UNAUTHENTICATED");
    expect((await call("DELETE", `/v1/tokens/${created.id}`, undefined, asAdmin)).body.error.code).toBe(
      "DELEGATION_TOKEN_NOT_FOUND",
    );
  });

  it("a revocation made elsewhere takes effect once the cache entry is EDGELOG_AUTH_CACHE_MS old", async () => {
    const { id, token } = await createToken([{ resource: "topic:*", operations: ["describe"] }]);
    const list = () => callAs(token, "GET", "/v1/topics");
    expect((await list()).status).toBe(200); // now cached in this isolate
    const cachedBy = Date.now();
    // Revoke in the controller directly, as another isolate's DELETE would: this isolate's cache does not know.
    expect(await clusterObject(env).deleteToken(id)).toEqual({ ok: true, value: null });
    // Served from the cache at most until its entry is EDGELOG_AUTH_CACHE_MS old; refused from then on.
    await refusedFrom(cachedBy + CACHE_MS, async () => (await list()).status);
  });

  it("refuses a token from its expires_at on, not a millisecond before", async () => {
    const expiresAt = Date.now() + 60_000;
    const { token } = await createToken([{ resource: "topic:*", operations: ["describe"] }], {
      expires_at: expiresAt,
    });
    const list = () => callAs(token, "GET", "/v1/topics");
    // The isolate's clock (Date, which the router reads) is moved by the test, so a loaded machine
    // cannot make the token expire before its first use.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      expect((await list()).status).toBe(200);
      vi.setSystemTime(expiresAt - 1);
      expect((await list()).status).toBe(200);
      vi.setSystemTime(expiresAt);
      const refused = await list();
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject({ code: "UNAUTHENTICATED", message: expect.stringMatching(/expired/) });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("bad input to POST /v1/tokens writes nothing", () => {
  const cases: [string, unknown][] = [
    ["unknown resource kind", { name: "x", grants: [{ resource: "queue:orders", operations: ["produce"] }] }],
    ["resource without a kind", { name: "x", grants: [{ resource: "orders", operations: ["produce"] }] }],
    ["a wildcard inside a name", { name: "x", grants: [{ resource: "topic:ord*ers", operations: ["produce"] }] }],
    ["an empty name pattern", { name: "x", grants: [{ resource: "topic:", operations: ["produce"] }] }],
    ["unknown operation", { name: "x", grants: [{ resource: "topic:orders", operations: ["write"] }] }],
    ["no operations", { name: "x", grants: [{ resource: "topic:orders", operations: [] }] }],
    ["produce on the cluster", { name: "x", grants: [{ resource: "cluster", operations: ["produce"] }] }],
    ["no grants", { name: "x", grants: [] }],
    ["unknown field", { name: "x", grants: [{ resource: "cluster", operations: ["admin"] }], scope: "all" }],
    ["expiry in the past", { name: "x", grants: [{ resource: "cluster", operations: ["admin"] }], expires_at: 1 }],
    [
      "a zero quota",
      { name: "x", grants: [{ resource: "topic:a", operations: ["produce"] }], quotas: { produce_bytes_per_sec: 0 } },
    ],
  ];
  it.each(cases)("%s → 400 INVALID_REQUEST", async (_, body) => {
    const before = await tokenCount();
    const r = await call("POST", "/v1/tokens", body, asAdmin);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_REQUEST");
    expect(await tokenCount()).toBe(before);
  });
});

describe("no escalation: a token creates only tokens its own grants cover", () => {
  const creatorGrants = [
    { resource: "cluster", operations: ["admin"] },
    { resource: "topic:orders.*", operations: ["produce", "consume"] },
    { resource: "group:billing", operations: ["consume"] },
  ];

  it.each([
    ["a wider prefix", { resource: "topic:orders*", operations: ["produce"] }, "TOPIC_AUTHORIZATION_FAILED"],
    ["every topic", { resource: "topic:*", operations: ["consume"] }, "TOPIC_AUTHORIZATION_FAILED"],
    ["a stronger operation", { resource: "topic:orders.eu", operations: ["admin"] }, "TOPIC_AUTHORIZATION_FAILED"],
    ["another group", { resource: "group:billing2", operations: ["consume"] }, "GROUP_AUTHORIZATION_FAILED"],
    [
      "a group prefix over a literal",
      { resource: "group:billing*", operations: ["consume"] },
      "GROUP_AUTHORIZATION_FAILED",
    ],
  ])("refuses %s (403), creating nothing", async (_, grant, code) => {
    const creator = await createToken(creatorGrants);
    const before = await tokenCount();
    const r = await callAs(creator.token, "POST", "/v1/tokens", { name: "child", grants: [grant] });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe(code);
    expect(await tokenCount()).toBe(before);
  });

  it("allows narrower grants, and the child works", async () => {
    const creator = await createToken(creatorGrants);
    const topic = `orders.${uniqueTopic()}`;
    await call("POST", "/v1/topics", { name: topic }, asAdmin);
    const r = await callAs(creator.token, "POST", "/v1/tokens", {
      name: "child",
      grants: [
        { resource: "topic:orders.eu*", operations: ["produce"] },
        { resource: `topic:${topic}`, operations: ["describe"] },
      ],
    });
    expect(r.status).toBe(201);
    expect(r.body.created_by).toBe(creator.id);
    expect((await callAs(r.body.token, "GET", `/v1/topics/${topic}`)).status).toBe(200);
  });

  it("refuses looser quotas and a longer life than the creator's own", async () => {
    const creator = await createToken(creatorGrants, {
      quotas: { produce_bytes_per_sec: 1000 },
      expires_at: Date.now() + 60_000,
    });
    const grants = [{ resource: "topic:orders.eu", operations: ["produce"] }];
    const noQuota = await callAs(creator.token, "POST", "/v1/tokens", {
      name: "c",
      grants,
      expires_at: Date.now() + 30_000,
    });
    expect(noQuota.status).toBe(403);
    const neverExpires = await callAs(creator.token, "POST", "/v1/tokens", {
      name: "c",
      grants,
      quotas: { produce_bytes_per_sec: 500 },
    });
    expect(neverExpires.status).toBe(403);
    const ok = await callAs(creator.token, "POST", "/v1/tokens", {
      name: "c",
      grants,
      quotas: { produce_bytes_per_sec: 500 },
      expires_at: Date.now() + 30_000,
    });
    expect(ok.status).toBe(201);
  });

  it("needs cluster admin to create tokens at all", async () => {
    const creator = await createToken([{ resource: "topic:*", operations: ["admin"] }]);
    const r = await callAs(creator.token, "POST", "/v1/tokens", {
      name: "c",
      grants: [{ resource: "topic:a", operations: ["produce"] }],
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
  });
});

describe("credentials that do not authenticate", () => {
  it.each([
    ["no Authorization header", {}],
    ["an empty header", { authorization: "" }],
    ["Basic instead of Bearer", { authorization: `Basic ${btoa("admin:x")}` }],
    ["Bearer without a token", { authorization: "Bearer " }],
    ["two tokens", { authorization: "Bearer a b" }],
    ["a wrong admin secret", bearer(`${ADMIN_TOKEN}x`)],
    ["a token of the right shape that was never issued", bearer(`elg_0123456789abcdef_${"0".repeat(64)}`)],
  ])("%s → 401 UNAUTHENTICATED", async (_, headers) => {
    const r = await call("GET", "/v1/topics", undefined, headers as Record<string, string>);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a real token id with a wrong secret", async () => {
    const { id } = await createToken([{ resource: "topic:*", operations: ["describe"] }]);
    const r = await call("GET", "/v1/topics", undefined, bearer(`elg_${id}_${"f".repeat(64)}`));
    expect(r.status).toBe(401);
  });
});

describe("a deployment configured like wrangler.toml with no EDGELOG_ADMIN_TOKEN secret", () => {
  const deployed = createApp();
  const { EDGELOG_ADMIN_TOKEN: _, EDGELOG_AUTH: __, ...bindings } = env;
  const request = (path: string, headers: Record<string, string> = {}) =>
    deployed.fetch(new Request(`http://edgelog.test${path}`, { headers }), bindings, {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    });

  it("refuses requests, naming the missing secret", async () => {
    const r = await request("/v1/topics");
    expect(r.status).toBe(401);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UNAUTHENTICATED");
    expect(body.error.message).toContain("EDGELOG_ADMIN_TOKEN");
    expect((await request("/v1/topics", bearer(ADMIN_TOKEN))).status).toBe(401);
    expect(await (await request("/healthz")).json()).toEqual({ ok: true, auth: "required" });
  });

  it("still accepts scoped tokens issued before the secret was removed", async () => {
    const { token } = await createToken([{ resource: "topic:*", operations: ["describe"] }]);
    expect((await request("/v1/topics", bearer(token))).status).toBe(200);
  });
});

describe("secrets", () => {
  afterEach(() => vi.restoreAllMocks());

  it("appear in no response body and no log line, whatever errors are provoked", async () => {
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    }
    const created = await createToken([{ resource: "topic:leak.*", operations: ["produce"] }]);
    const secret = created.token.split("_")[2]!;
    const bodies: string[] = [];
    const record = async (r: Promise<{ body: unknown }>) => void bodies.push(JSON.stringify((await r).body));
    const wrongSecret = `elg_${created.id}_${secret.slice(1)}0`;
    await record(callAs(created.token, "GET", "/v1/topics"));
    await record(callAs(created.token, "POST", "/v1/topics/leak.x/records", { records: [{ value: 1 }] }));
    await record(callAs(created.token, "POST", "/v1/topics/other/records", { records: [{ value: 1 }] }));
    await record(callAs(created.token, "POST", "/v1/topics/leak.x/records", "{not json"));
    await record(
      callAs(created.token, "POST", "/v1/tokens", {
        name: "x",
        grants: [{ resource: "topic:*", operations: ["admin"] }],
      }),
    );
    await record(call("GET", "/v1/topics", undefined, { authorization: `Basic ${created.token}` }));
    await record(call("GET", "/v1/topics", undefined, { authorization: `Bearer ${created.token} extra` }));
    await record(call("GET", "/v1/topics", undefined, bearer(wrongSecret)));
    await record(call("GET", `/v1/topics?access_token=${created.token}`));
    await record(
      call(
        "POST",
        `/v1/topics/leak.x/records?access_token=${created.token}`,
        { records: [{ value: 1 }] },
        bearer(ADMIN_TOKEN),
      ),
    );
    await record(call("GET", "/v1/tokens", undefined, asAdmin));
    await record(call("DELETE", `/v1/tokens/${created.token}`, undefined, asAdmin));
    for (const b of bodies) {
      expect(b).not.toContain(secret);
      expect(b).not.toContain(ADMIN_TOKEN);
    }
    for (const line of logged) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(ADMIN_TOKEN);
    }
  });
});
