// Browser publishing: CORS for the configured origins (preflight included), and the
// navigator.sendBeacon form of produce (text/plain body, produce-only token in the query string).

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, bearer, createToken } from "../../support/auth.js";

const ALLOWED = env.EDGELOG_CORS_ORIGINS!; // "https://shop.example" in the integration-auth project
let topic: string;
beforeAll(async () => {
  topic = uniqueTopic("clicks");
  expect((await call("POST", "/v1/topics", { name: topic }, asAdmin)).status).toBe(201);
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    call("OPTIONS", `/v1/topics/${topic}/records`, undefined, {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    });

  it("answers a preflight from an allowed origin without credentials", async () => {
    const r = await preflight(ALLOWED);
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(r.headers.get("access-control-allow-methods")).toContain("POST");
    expect(r.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });

  it("gives an origin that is not listed no CORS grant", async () => {
    const r = await preflight("https://evil.example");
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets an allowed page read replies, errors included, and the headers clients need", async () => {
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
    const ok = await call(
      "POST",
      `/v1/topics/${topic}/records`,
      { records: [{ value: 1 }] },
      { origin: ALLOWED, ...bearer(token) },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(ok.headers.get("access-control-expose-headers")).toContain("Retry-After");
    const refused = await call("POST", `/v1/topics/${topic}/records`, { records: [{ value: 1 }] }, { origin: ALLOWED });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });
});

describe("beacon-style publish", () => {
  /** What navigator.sendBeacon(url, string) sends: a POST with a text/plain body and no custom headers. */
  const beacon = (token: string, records: unknown[], path = `/v1/topics/${topic}/records`) =>
    call("POST", `${path}?access_token=${encodeURIComponent(token)}`, JSON.stringify({ records }), {
      "content-type": "text/plain;charset=UTF-8",
      origin: ALLOWED,
    });

  it("publishes a text/plain JSON body with a produce-only token in the query string", async () => {
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
    const r = await beacon(token, [{ key: "page", value: { event: "view", path: "/cart" } }]);
    expect(r.status).toBe(200);
    const { offset, partition } = r.body.records[0];
    const fetched = await call(
      "GET",
      `/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}`,
      undefined,
      asAdmin,
    );
    expect(fetched.body.records[0].value).toEqual({ event: "view", path: "/cart" });
  });

  it("works on the fixed-partition produce route too", async () => {
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
    expect((await beacon(token, [{ value: 1 }], `/v1/topics/${topic}/partitions/0/records`)).status).toBe(200);
  });

  it("refuses a query-string token that can do more than produce, writing nothing", async () => {
    const before = await latestOffset(topic);
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce", "consume"] }]);
    const r = await beacon(token, [{ value: 1 }]);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain("produce");
    const admin = await beacon(env.EDGELOG_ADMIN_TOKEN!, [{ value: 1 }]);
    expect(admin.status).toBe(401);
    expect(await latestOffset(topic)).toBe(before);
  });

  it("refuses a query-string token on any route that is not produce", async () => {
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
    for (const [method, path] of [
      ["GET", `/v1/topics/${topic}/partitions/0/records?offset=0&`],
      ["GET", `/v1/topics/${topic}?`],
      ["GET", "/v1/topics?"],
      ["POST", "/v1/producers?"],
    ] as const) {
      const r = await call(method, `${path}access_token=${token}`);
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });

  it("still checks the grant: a beacon token for one topic cannot publish to another", async () => {
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
    const other = uniqueTopic("other");
    await call("POST", "/v1/topics", { name: other }, asAdmin);
    const r = await beacon(token, [{ value: 1 }], `/v1/topics/${other}/records`);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
  });
});

/** The next offset partition 0 of the topic will write. */
async function latestOffset(name: string): Promise<number> {
  return (await call("GET", `/v1/topics/${name}/partitions/0/offsets?at=latest`, undefined, asAdmin)).body.offset;
}
