// Every route refuses a request without a token and one whose token lacks the grant, and serves
// one whose token holds it. Driven by the permissions table, so a new route cannot skip auth.

import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../src/router/app.js";
import { PERMISSIONS } from "../../../src/router/permissions.js";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";

const served = createApp()
  .routes.filter((r) => !(r.method === "ALL" && (r.path === "*" || r.path === "/*")))
  .map((r) => `${r.method} ${r.path}`);

describe("permissions table", () => {
  it("has an entry for every route the app serves, and none for routes it does not serve", () => {
    expect([...new Set(served)].sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  it("leaves only /healthz, /v1/openapi.json and CORS preflights public", () => {
    const open = Object.entries(PERMISSIONS)
      .filter(([, p]) => p.access === "public")
      .map(([k]) => k);
    expect(open.sort()).toEqual(["GET /healthz", "GET /v1/openapi.json", "OPTIONS /v1/stream/*"]);
  });

  it("serves the public routes without a token and reports that auth is required", async () => {
    expect((await call("GET", "/healthz")).body).toEqual({ ok: true, auth: "required" });
    expect((await call("GET", "/v1/openapi.json")).status).toBe(200);
  });
});

/**
 * A request for each path-checked route, and what it answers when the grant is held. `T` stands for
 * the test's topic (groups are named after it too); `topics` lists topics the body names, on which
 * the granted token also gets consume (Kafka checks READ on them beside the group).
 */
const SAMPLES: Record<string, { query?: string; body?: unknown; ok: number; topics?: boolean }> = {
  "POST /v1/groups/:group/heartbeat": {
    body: { member_id: null, member_epoch: 0, topics: ["T"] },
    ok: 200,
    topics: true,
  },
  "DELETE /v1/groups/:group/members/:member": { ok: 409 },
  "POST /v1/groups/:group/offsets": {
    body: { offsets: [{ topic: "T", partition: 0, offset: 0 }] },
    ok: 204,
    topics: true,
  },
  "GET /v1/groups/:group/offsets": { ok: 200 },
  "POST /v1/groups/:group/offsets/reset": { body: { to: "earliest", topics: ["T"] }, ok: 200, topics: true },
  // An unknown group: past authorization, the coordinator answers.
  "GET /v1/groups/:group": { ok: 404 },
  "DELETE /v1/groups/:group": { ok: 404 },
  "GET /v1/topics/:topic": { ok: 200 },
  "PATCH /v1/topics/:topic": { body: { config: { "retention.ms": 60_000 } }, ok: 200 },
  "DELETE /v1/topics/:topic": { ok: 204 },
  "POST /v1/topics/:topic/records": { body: { records: [{ value: 1 }] }, ok: 200 },
  "POST /v1/topics/:topic/partitions/:p/records": { body: { records: [{ value: 1 }] }, ok: 200 },
  "GET /v1/topics/:topic/partitions/:p/records": { query: "?offset=0", ok: 200 },
  "GET /v1/topics/:topic/partitions/:p/offsets": { query: "?at=latest", ok: 200 },
  // The source is this deployment (outbound fetches loop back), read with the admin secret.
  "POST /v1/mirrors": {
    body: { name: "T", source: { url: "http://source.test", topic: "T", token: "test-admin-secret" }, topic: "T.copy" },
    ok: 201,
  },
  "GET /v1/mirrors": { ok: 200 },
  // An unknown mirror: past authorization, the controller answers.
  "GET /v1/mirrors/:mirror": { ok: 404 },
  "DELETE /v1/mirrors/:mirror": { ok: 404 },
  "POST /v1/tokens": { body: { name: "child", grants: [{ resource: "cluster", operations: ["describe"] }] }, ok: 201 },
  "GET /v1/tokens": { ok: 200 },
  "DELETE /v1/tokens/:id": { ok: 204 },
};

/** Operations on the right resource that still do not allow `op` (admin implies all; produce/consume imply describe). */
const WEAKER: Record<string, string[]> = {
  admin: ["produce", "consume", "describe"],
  produce: ["consume", "describe"],
  consume: ["produce", "describe"],
  describe: [],
};

describe.each(Object.entries(PERMISSIONS).filter(([, p]) => p.access === "grant"))("%s", (key, permission) => {
  if (permission.access !== "grant") return;
  const [method, pattern] = key.split(" ") as [string, string];
  const sample = SAMPLES[key];
  let topic: string;
  let path: string;

  beforeAll(async () => {
    topic = uniqueTopic("perm");
    expect((await call("POST", "/v1/topics", { name: topic, partitions: 1 }, asAdmin)).status).toBe(201);
    let id = "0123456789abcdef";
    if (key === "DELETE /v1/tokens/:id")
      id = (await createToken([{ resource: "topic:x", operations: ["describe"] }])).id;
    path =
      pattern
        .replace(":topic", topic)
        .replace(":group", topic)
        .replace(":member", "nobody")
        .replace(":mirror", "nobody")
        .replace(":p", "0")
        .replace(":id", id) + (sample?.query ?? "");
  });
  const body = () =>
    sample?.body === undefined
      ? undefined
      : JSON.parse(JSON.stringify(sample.body).replaceAll('"T"', JSON.stringify(topic)));
  const bodyTopics = () => (sample?.topics ? [{ resource: `topic:${topic}`, operations: ["consume"] }] : []);

  const resource = () => (permission.kind === "cluster" ? "cluster" : `${permission.kind}:${topic}`);
  const code = `${permission.kind.toUpperCase()}_AUTHORIZATION_FAILED`;

  it("has a sample request in this test", () => {
    expect(sample, `add a sample request for ${key} to SAMPLES`).toBeDefined();
  });

  it("refuses a request without a token (401), changing nothing", async () => {
    const r = await call(method, path, body());
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("UNAUTHENTICATED");
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("refuses a token whose grants name other resources (403)", async () => {
    const other =
      permission.kind === "cluster"
        ? [
            { resource: "topic:*", operations: ["admin"] },
            { resource: "group:*", operations: ["admin"] },
          ]
        : [
            { resource: `${permission.kind}:${topic}x`, operations: ["admin"] },
            { resource: "cluster", operations: ["admin"] },
          ];
    const { token } = await createToken([...other, ...bodyTopics()]);
    const r = await callAs(token, method, path, body());
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe(code);
  });

  // Nothing is weaker than describe; for describe routes the wrong-resource case covers refusal.
  const weaker = WEAKER[permission.op]!.filter((op) => permission.kind !== "cluster" || op === "describe");
  if (weaker.length > 0) {
    it("refuses a token holding only weaker operations on the resource (403)", async () => {
      const { token } = await createToken([{ resource: resource(), operations: weaker }, ...bodyTopics()]);
      const r = await callAs(token, method, path, body());
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe(code);
    });
  }

  it(`serves a token granted ${permission.op} on the resource`, async () => {
    const { token } = await createToken([{ resource: resource(), operations: [permission.op] }, ...bodyTopics()]);
    const r = await callAs(token, method, path, body());
    expect(r.status, JSON.stringify(r.body)).toBe(sample!.ok);
  });
});

describe("routes that check resources named in the body", () => {
  it("POST /v1/topics needs admin on the named topic", async () => {
    const name = uniqueTopic("made");
    expect((await call("POST", "/v1/topics", { name })).status).toBe(401);
    const other = await createToken([{ resource: "topic:elsewhere.*", operations: ["admin"] }]);
    const refused = await callAs(other.token, "POST", "/v1/topics", { name });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect((await callAs(undefined, "GET", `/v1/topics/${name}`, undefined, asAdmin)).status).toBe(404);
    const mine = await createToken([{ resource: "topic:made-*", operations: ["admin"] }]);
    expect((await callAs(mine.token, "POST", "/v1/topics", { name })).status).toBe(201);
  });

  it("GET /v1/topics lists only the topics the token may describe", async () => {
    const seen = uniqueTopic("seen");
    const hidden = uniqueTopic("hidden");
    for (const name of [seen, hidden]) await call("POST", "/v1/topics", { name }, asAdmin);
    expect((await call("GET", "/v1/topics")).status).toBe(401);
    const { token } = await createToken([{ resource: `topic:${seen}`, operations: ["consume"] }]);
    const r = await callAs(token, "GET", "/v1/topics");
    expect(r.status).toBe(200);
    expect(r.body.topics.map((t: { name: string }) => t.name)).toEqual([seen]);
  });

  it("POST /v1/fetch serves the partitions the token may consume and fails the others inline", async () => {
    const mine = uniqueTopic("mine");
    const theirs = uniqueTopic("theirs");
    for (const name of [mine, theirs]) {
      await call("POST", "/v1/topics", { name }, asAdmin);
      await call("POST", `/v1/topics/${name}/records`, { records: [{ value: name }] }, asAdmin);
    }
    const body = {
      partitions: [
        { topic: mine, partition: 0, offset: 0 },
        { topic: theirs, partition: 0, offset: 0 },
      ],
    };
    expect((await call("POST", "/v1/fetch", body)).status).toBe(401);
    const { token } = await createToken([{ resource: `topic:${mine}`, operations: ["consume"] }]);
    const r = await callAs(token, "POST", "/v1/fetch", body);
    expect(r.status).toBe(200);
    expect(r.body.partitions[0].records.map((x: { value: string }) => x.value)).toEqual([mine]);
    expect(r.body.partitions[1].records).toBeUndefined();
    expect(r.body.partitions[1].error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
  });

  it("POST /v1/producers needs produce on some topic (Kafka's implied IDEMPOTENT_WRITE)", async () => {
    expect((await call("POST", "/v1/producers")).status).toBe(401);
    const reader = await createToken([{ resource: "topic:*", operations: ["consume", "describe"] }]);
    const refused = await callAs(reader.token, "POST", "/v1/producers");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
    const writer = await createToken([{ resource: "topic:only-this", operations: ["produce"] }]);
    expect((await callAs(writer.token, "POST", "/v1/producers")).status).toBe(201);
  });

  it("only the token that got a producer id (or the admin) may re-initialise it, since that fences its holder", async () => {
    const a = await createToken([{ resource: "topic:*", operations: ["produce"] }]);
    const b = await createToken([{ resource: "topic:*", operations: ["produce"] }]);
    const mine = (await callAs(a.token, "POST", "/v1/producers")).body;
    expect(mine.epoch).toBe(0);
    const hijack = await callAs(b.token, "POST", "/v1/producers", { id: mine.id });
    expect(hijack.status).toBe(403);
    expect(hijack.body.error).toMatchObject({ code: "CLUSTER_AUTHORIZATION_FAILED" });
    expect(hijack.body.error.message).toMatch(/another token/);
    expect((await callAs(a.token, "POST", "/v1/producers", { id: mine.id })).body.epoch).toBe(1);
    expect((await call("POST", "/v1/producers", { id: mine.id }, asAdmin)).body.epoch).toBe(2);
  });
});

describe("prefix grants", () => {
  it("match exactly the names they should: orders.* covers orders.eu, not orders2 or orders", async () => {
    for (const name of ["orders.eu", "orders.us.east", "orders2", "orders", "xorders.eu"]) {
      await call("POST", "/v1/topics", { name }, asAdmin);
    }
    const { token } = await createToken([{ resource: "topic:orders.*", operations: ["produce"] }]);
    const statusFor = async (name: string) =>
      (await callAs(token, "POST", `/v1/topics/${name}/records`, { records: [{ value: 1 }] })).status;
    expect(await statusFor("orders.eu")).toBe(200);
    expect(await statusFor("orders.us.east")).toBe(200);
    expect(await statusFor("orders2")).toBe(403);
    expect(await statusFor("orders")).toBe(403);
    expect(await statusFor("xorders.eu")).toBe(403);
  });

  it("a literal grant matches only its own name, and * matches every name", async () => {
    const literal = await createToken([{ resource: "topic:orders", operations: ["consume"] }]);
    const any = await createToken([{ resource: "topic:*", operations: ["consume"] }]);
    const read = (token: string, name: string) =>
      callAs(token, "GET", `/v1/topics/${name}/partitions/0/records?offset=0`);
    expect((await read(literal.token, "orders")).status).toBe(200);
    expect((await read(literal.token, "orders.eu")).status).toBe(403);
    expect((await read(any.token, "orders2")).status).toBe(200);
  });
});

describe("refusal comes before the body is read", () => {
  it("answers 401 to a produce whose body never ends", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await exports.default.fetch(
      new Request("http://edgelog.test/v1/topics/any/records", {
        method: "POST",
        body: endless,
        headers: { "content-type": "application/json" },
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(401);
    // A stream pulls ahead of its reader by its high-water mark (one chunk); nobody read past that.
    expect(pulled).toBeLessThanOrEqual(2);
  });
});

describe("Durable Streams routes check the stream's topic, stream.<name>", () => {
  it("refuses without a token, and allows each method only with its operation", async () => {
    const name = uniqueTopic("s");
    const path = `/v1/stream/${name}`;
    const put = (token?: string) => callAs(token, "PUT", path, "", { "content-type": "text/plain" });
    expect((await put()).status).toBe(401);
    const producer = await createToken([{ resource: `topic:stream.${name}`, operations: ["produce"] }]);
    expect((await put(producer.token)).body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    const owner = await createToken([{ resource: `topic:stream.${name}`, operations: ["admin"] }]);
    expect((await put(owner.token)).status).toBe(201);
    const append = (token?: string) => callAs(token, "POST", path, "hello", { "content-type": "text/plain" });
    const reader = await createToken([{ resource: `topic:stream.${name}`, operations: ["consume"] }]);
    expect((await append(reader.token)).status).toBe(403);
    expect((await append(producer.token)).status).toBe(204);
    expect((await callAs(producer.token, "GET", `${path}?offset=-1`)).status).toBe(403);
    expect((await callAs(reader.token, "GET", `${path}?offset=-1`)).status).toBe(200);
    expect((await callAs(reader.token, "DELETE", path)).status).toBe(403);
    expect((await callAs(owner.token, "DELETE", path)).status).toBe(204);
  });
});

describe("group routes check topics named in the body too", () => {
  it("refuses to join a group subscribing to a topic the token may not consume", async () => {
    const topic = uniqueTopic("gt");
    expect((await call("POST", "/v1/topics", { name: topic }, asAdmin)).status).toBe(201);
    const onlyGroup = await createToken([{ resource: "group:billing-*", operations: ["consume"] }]);
    const r = await callAs(onlyGroup.token, "POST", "/v1/groups/billing-1/heartbeat", {
      member_id: null,
      member_epoch: 0,
      topics: [topic],
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
  });

  it("lists only the groups the token may describe", async () => {
    const topic = uniqueTopic("gl");
    expect((await call("POST", "/v1/topics", { name: topic }, asAdmin)).status).toBe(201);
    for (const g of ["team-a.one", "team-b.one"]) {
      const r = await call(
        "POST",
        `/v1/groups/${g}/heartbeat`,
        { member_id: null, member_epoch: 0, topics: [topic] },
        asAdmin,
      );
      expect(r.status).toBe(200);
    }
    const teamA = await createToken([{ resource: "group:team-a.*", operations: ["describe"] }]);
    const list = await callAs(teamA.token, "GET", "/v1/groups");
    expect(list.body.groups.map((g: any) => g.group_id)).toEqual(["team-a.one"]);
  });
});
