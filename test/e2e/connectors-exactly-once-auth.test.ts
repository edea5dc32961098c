// Creating an exactly-once source connector (KIP-618) on a deployment that requires authentication
// (the shared "auth" server runs sources exactly once): its token is minted with exactly the grants
// pinned by hand in test/support/connector-policy.ts, each of which its creator must hold; a creator
// missing any one is refused with the Kafka authorization error naming it, and nothing is created.
// What the task does with fewer grants is test/integration/auth/connectors-exactly-once.test.ts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asGrants, exactlyOnceSourceGrants } from "../support/connector-policy.js";
import { SHARED_ADMIN_TOKEN as ADMIN, sharedServer, type SharedServer } from "../support/shared-servers.js";

let server: SharedServer;
const suffix = Date.now().toString(36);
const NAME = `eos-src-${suffix}`;
const TOPIC = `eos-events-${suffix}`;
const policy = exactlyOnceSourceGrants(NAME, TOPIC);
const config = { "connector.class": "http-source", topic: TOPIC, "exactly.once.support": "required" };

async function api(method: string, path: string, body?: unknown, token = ADMIN, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function tokenWith(grants: { resource: string; operations: string[] }[]): Promise<string> {
  const r = await api("POST", "/v1/tokens", { name: `eos-creator-${suffix}`, grants });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.token;
}

const connectorToken = async () =>
  (await api("GET", "/v1/tokens")).body.tokens.find((t: { name: string }) => t.name === `connector:${NAME}`);

const sorted = (grants: { resource: string; operations: string[] }[]) =>
  [...grants].sort((a, b) => `${a.resource} ${a.operations}`.localeCompare(`${b.resource} ${b.operations}`));

beforeAll(async () => {
  server = await sharedServer("auth");
  expect((await api("POST", "/v1/topics", { name: TOPIC, partitions: 1 })).status).toBe(201);
}, 90_000);

afterAll(async () => {
  if (server) await api("DELETE", `/v1/connectors/${NAME}`);
});

describe("an exactly-once source connector's token", () => {
  it.each(policy.map((g, i) => [`${g.operations.join(",")} on ${g.resource}`, i] as const))(
    "is not minted for a creator without %s: refused, nothing created",
    async (_label, i) => {
      const missing = policy[i]!;
      const creator = await tokenWith([
        { resource: `connector:${NAME}`, operations: ["admin"] },
        ...asGrants(policy.filter((_, j) => j !== i)),
      ]);
      const refused = await api("POST", "/v1/connectors", { name: NAME, config }, creator);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe(missing.refused);
      expect(refused.body.error.message).toContain(missing.resource);
      expect((await api("GET", `/v1/connectors/${NAME}`)).status).toBe(404);
      expect(await connectorToken()).toBeUndefined();
    },
  );

  it("carries exactly the pinned grants when its creator holds them, and its deliveries are committed", async () => {
    const creator = await tokenWith([{ resource: `connector:${NAME}`, operations: ["admin"] }, ...asGrants(policy)]);
    const created = await api("POST", "/v1/connectors", { name: NAME, config }, creator);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(sorted((await connectorToken()).grants)).toEqual(sorted(asGrants(policy)));

    const sender = await tokenWith([{ resource: `topic:${TOPIC}`, operations: ["produce"] }]);
    const ingest = await api("POST", `/v1/connectors/${NAME}/ingest`, { event: "push" }, sender, {
      "idempotency-key": "d-1",
    });
    expect(ingest.status, JSON.stringify(ingest.body)).toBe(200);
    const read = await api("GET", `/v1/topics/${TOPIC}/partitions/0/records?offset=0&isolation=read_committed`);
    expect(read.body.records.map((r: { value: unknown }) => r.value)).toEqual([{ event: "push" }]);
    const offsets = await api("GET", `/v1/groups/connect-${NAME}/offsets?require_stable=true`);
    expect(offsets.body.offsets).toEqual([
      { topic: TOPIC, partition: 0, offset: 1, metadata: expect.stringContaining('"delivery":"d-1"') },
    ]);
    expect((await api("GET", `/v1/connectors/${NAME}/status`)).body.connector.state).toBe("RUNNING");
  });
});
