// SASL for Kafka gateways (POST /v1/sasl/*) with authentication required: PLAIN and SCRAM sign-ins
// checked against the token store, sessions that act with exactly their token's grants, and an API
// that answers a guess only through a fresh, single-use exchange.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";
import { ScramClient, type Mechanism } from "../../support/scram-client.js";

let gateway: string;
let topic: string;
let other: string;
let client: { id: string; token: string };
const secretOf = (token: string) => token.slice(token.lastIndexOf("_") + 1);

beforeAll(async () => {
  topic = uniqueTopic("sasl");
  other = uniqueTopic("other");
  for (const t of [topic, other]) expect((await call("POST", "/v1/topics", { name: t }, asAdmin)).status).toBe(201);
  gateway = (await createToken([{ resource: "cluster", operations: ["authenticate"] }])).token;
  client = await createToken([{ resource: `topic:${topic}`, operations: ["produce", "consume"] }]);
});

async function scram(mech: Mechanism, username: string, password: string) {
  const c = new ScramClient(mech, username, password);
  const first = await callAs(gateway, "POST", "/v1/sasl/scram/first", { mechanism: mech, client_first: c.first });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const clientFinal = await c.final(first.body.server_first);
  const final = await callAs(gateway, "POST", "/v1/sasl/scram/final", {
    exchange: first.body.exchange,
    client_final: clientFinal,
  });
  return { c, first, clientFinal, final };
}

async function expectActsAsClient(session: string) {
  const own = await callAs(session, "GET", `/v1/topics/${topic}/partitions/0/records?offset=0`);
  expect(own.status, JSON.stringify(own.body)).toBe(200);
  const elsewhere = await callAs(session, "GET", `/v1/topics/${other}/partitions/0/records?offset=0`);
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
}

describe("PLAIN", () => {
  it("token id and secret, or the whole token, open a session acting with the token's grants", async () => {
    for (const [username, password] of [
      [client.id, secretOf(client.token)],
      [`elg_${client.id}`, secretOf(client.token)],
      ["anyone", client.token],
    ]) {
      const r = await callAs(gateway, "POST", "/v1/sasl/plain", { username, password });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.token_id).toBe(client.id);
      expect(r.body.session).toMatch(/^elgs_/);
      await expectActsAsClient(r.body.session);
    }
  });

  it("a wrong secret or unknown id is SASL_AUTHENTICATION_FAILED, the same answer for both", async () => {
    const wrong = await callAs(gateway, "POST", "/v1/sasl/plain", { username: client.id, password: "0".repeat(64) });
    const unknown = await callAs(gateway, "POST", "/v1/sasl/plain", {
      username: "0".repeat(16),
      password: "0".repeat(64),
    });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("SASL_AUTHENTICATION_FAILED");
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it("needs authenticate on the cluster: the client's own token may not call it", async () => {
    const r = await callAs(client.token, "POST", "/v1/sasl/plain", { username: client.id, password: "x" });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
  });

  it("a revoked token's sessions stop working", async () => {
    const t = await createToken([{ resource: `topic:${topic}`, operations: ["consume"] }]);
    const s = (await callAs(gateway, "POST", "/v1/sasl/plain", { username: "x", password: t.token })).body.session;
    expect((await callAs(s, "GET", `/v1/topics/${topic}`)).status).toBe(200);
    expect((await call("DELETE", `/v1/tokens/${t.id}`, undefined, asAdmin)).status).toBe(204);
    expect((await callAs(s, "GET", `/v1/topics/${topic}`)).status).toBe(401);
  });
});

describe.each(["SCRAM-SHA-256", "SCRAM-SHA-512"] as const)("%s", (mech) => {
  it("a token minted now signs in with its id and secret; the server proves it holds the key", async () => {
    const { c, final } = await scram(mech, client.id, secretOf(client.token));
    expect(final.status, JSON.stringify(final.body)).toBe(200);
    expect(c.verifies(final.body.server_final)).toBe(true);
    expect(final.body.token_id).toBe(client.id);
    await expectActsAsClient(final.body.session);
  });

  it("a wrong password fails, and an exchange answers one proof only (a replayed right one fails too)", async () => {
    const bad = await scram(mech, client.id, "f".repeat(64));
    expect(bad.final.status).toBe(401);
    expect(bad.final.body.error.code).toBe("SASL_AUTHENTICATION_FAILED");
    const good = await scram(mech, client.id, secretOf(client.token));
    expect(good.final.status).toBe(200);
    const replay = await callAs(gateway, "POST", "/v1/sasl/scram/final", {
      exchange: good.first.body.exchange,
      client_final: good.clientFinal,
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("SASL_AUTHENTICATION_FAILED");
  });

  it("an unknown user gets a stable stand-in salt, so the first round does not say who exists", async () => {
    const ask = async (username: string) =>
      (
        await callAs(gateway, "POST", "/v1/sasl/scram/first", {
          mechanism: mech,
          client_first: `n,,n=${username},r=abc`,
        })
      ).body.server_first as string;
    const salt = (m: string) => /,s=([^,]+),i=4096$/.exec(m)?.[1];
    const a = salt(await ask("0123456789abcdef"));
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(salt(await ask("0123456789abcdef"))).toBe(a);
    expect(salt(await ask(client.id))).not.toBe(a);
    expect((await scram(mech, "0123456789abcdef", "x")).final.status).toBe(401);
  });
});

describe("tokens minted before SCRAM", () => {
  it("get credentials by presenting themselves to POST /v1/sasl/scram-credentials, and then sign in", async () => {
    const old = await createToken([{ resource: `topic:${topic}`, operations: ["consume"] }]);
    // As a token from before migration 6: no SCRAM credentials stored.
    await runInDurableObject(env.CLUSTER.getByName("cluster"), async (_o, state) => {
      state.storage.sql.exec("UPDATE tokens SET scram = NULL WHERE id = ?", old.id);
    });
    expect((await scram("SCRAM-SHA-256", old.id, secretOf(old.token))).final.status).toBe(401);
    // A session acts as the token but does not carry its secret, so it cannot derive the credentials.
    const session = (await callAs(gateway, "POST", "/v1/sasl/plain", { username: "x", password: old.token })).body
      .session;
    const viaSession = await callAs(session, "POST", "/v1/sasl/scram-credentials");
    expect(viaSession.status).toBe(400);
    expect(viaSession.body.error.message).toContain("Bearer elg_");
    const set = await callAs(old.token, "POST", "/v1/sasl/scram-credentials");
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ token_id: old.id, mechanisms: ["SCRAM-SHA-256", "SCRAM-SHA-512"] });
    expect((await scram("SCRAM-SHA-256", old.id, secretOf(old.token))).final.status).toBe(200);
  });
});
