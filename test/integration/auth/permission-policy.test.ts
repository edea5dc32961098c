// The permission policy, written out by hand: for every route, an example request and what a token
// needs to make it. Deliberately not derived from the route table (src/router/routes.ts), so
// weakening a route's permission there fails here. Each rule is checked against the running app:
// no token is refused (401) unless the route is public, and a token whose grants name only other
// resources is refused with the operation and resource the rule names. Rules with an `ok` status
// are also called with a token holding only weaker operations (refused) and with exactly the grant
// (served).

import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../src/router/app.js";
import { ROUTES } from "../../../src/router/routes.js";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";

interface Rule {
  method: string;
  /** An example path; T stands for the test's topic (groups and streams are named after it too). */
  path: string;
  /**
   * What the route needs: "public", "<op> <kind>:<name>" or "<op> cluster" (refused with exactly
   * that in the message), or, for routes that filter rather than refuse, the status a token without
   * the grant gets (with `refused` describing how).
   */
  needs: string;
  /** For routes answering a token without the grant with something other than a plain 403. */
  refused?: { status: number; code?: string };
  body?: unknown;
  headers?: Record<string, string>;
  /** The status when the token holds the grant (only `<op> <kind>:<name>` / cluster rules). */
  ok?: number;
  /** The body names T as a topic: the granted token also gets consume on it (Kafka checks READ on it). */
  bodyTopics?: boolean;
  /** Further grants the granted token needs, checked in the handler (`T` stands for the test's topic). */
  alsoNeeds?: { resource: string; operations: string[] }[];
}

const hb = { member_id: null, member_epoch: 0, topics: ["T"] };

const POLICY: Rule[] = [
  { method: "GET", path: "/healthz", needs: "public" },
  { method: "GET", path: "/v1/openapi.json", needs: "public" },
  { method: "OPTIONS", path: "/v1/stream/T", needs: "public" },
  { method: "GET", path: "/metrics", needs: "describe cluster", ok: 200 },

  { method: "POST", path: "/v1/topics", body: { name: "T" }, needs: "admin topic:T" },
  { method: "GET", path: "/v1/topics", needs: "lists the topics the token may describe", refused: { status: 200 } },
  { method: "GET", path: "/v1/topics/T", needs: "describe topic:T", ok: 200 },
  {
    method: "PATCH",
    path: "/v1/topics/T",
    body: { config: { "retention.ms": 60_000 } },
    needs: "admin topic:T",
    ok: 200,
  },
  {
    method: "POST",
    path: "/v1/topics/T/partitions/0/delete-records",
    body: { before_offset: 0 },
    needs: "admin topic:T",
    ok: 200,
  },
  // T has no replica regions: with the grant the election is refused as bad input, past authorization.
  { method: "POST", path: "/v1/topics/T/elect-leaders", body: {}, needs: "admin topic:T", ok: 400 },
  {
    method: "GET",
    path: "/v1/topics/T/partitions/0/offset-for-leader-epoch?epoch=0",
    needs: "describe topic:T",
    ok: 200,
  },
  { method: "DELETE", path: "/v1/topics/T", needs: "admin topic:T", ok: 204 },

  {
    method: "POST",
    path: "/v1/topics/T/records",
    body: { records: [{ value: 1 }] },
    needs: "produce topic:T",
    ok: 200,
  },
  {
    method: "POST",
    path: "/v1/topics/T/partitions/0/records",
    body: { records: [{ value: 1 }] },
    needs: "produce topic:T",
    ok: 200,
  },
  { method: "GET", path: "/v1/topics/T/partitions/0/records?offset=0", needs: "consume topic:T", ok: 200 },
  { method: "GET", path: "/v1/topics/T/partitions/0/records?offset=0&live=sse", needs: "consume topic:T" },
  { method: "GET", path: "/v1/topics/T/partitions/0/offsets?at=latest", needs: "describe topic:T", ok: 200 },
  {
    method: "POST",
    path: "/v1/fetch",
    body: { partitions: [{ topic: "T", partition: 0, offset: 0 }] },
    needs: "consume on each topic, refused partitions failing inline",
    refused: { status: 200 },
  },
  {
    method: "POST",
    path: "/v1/producers",
    needs: "produce on some topic, or cluster admin",
    refused: { status: 403, code: "CLUSTER_AUTHORIZATION_FAILED" },
  },

  { method: "POST", path: "/v1/groups/T/heartbeat", body: hb, needs: "consume group:T", ok: 200, bodyTopics: true },
  // An unknown member of an empty group: past authorization, the coordinator answers.
  { method: "DELETE", path: "/v1/groups/T/members/nobody", needs: "consume group:T", ok: 409 },
  {
    method: "POST",
    path: "/v1/groups/T/offsets",
    body: { offsets: [{ topic: "T", partition: 0, offset: 0 }] },
    needs: "consume group:T",
    ok: 204,
    bodyTopics: true,
  },
  { method: "GET", path: "/v1/groups/T/offsets", needs: "describe group:T", ok: 200 },
  {
    method: "POST",
    path: "/v1/groups/T/offsets/reset",
    body: { to: "earliest", topics: ["T"] },
    needs: "consume group:T",
    ok: 200,
    bodyTopics: true,
  },
  // Kafka's OffsetDelete: DELETE on the group, READ on the topic. An unknown group: the coordinator answers.
  {
    method: "DELETE",
    path: "/v1/groups/T/offsets/T/partitions/0",
    needs: "admin group:T",
    ok: 404,
    alsoNeeds: [{ resource: "topic:T", operations: ["consume"] }],
  },
  { method: "GET", path: "/v1/groups", needs: "lists the groups the token may describe", refused: { status: 200 } },
  // An unknown group: past authorization, the coordinator answers.
  { method: "GET", path: "/v1/groups/T", needs: "describe group:T", ok: 404 },
  { method: "DELETE", path: "/v1/groups/T", needs: "admin group:T", ok: 404 },

  {
    method: "PUT",
    path: "/v1/stream/T",
    body: "",
    headers: { "content-type": "text/plain" },
    needs: "admin topic:stream.T",
  },
  {
    method: "POST",
    path: "/v1/stream/T",
    body: "x",
    headers: { "content-type": "text/plain" },
    needs: "produce topic:stream.T",
  },
  { method: "GET", path: "/v1/stream/T?offset=-1", needs: "consume topic:stream.T" },
  { method: "DELETE", path: "/v1/stream/T", needs: "admin topic:stream.T" },

  // Transactions (docs/transactions.md): Kafka's TransactionalId WRITE and DESCRIBE. T was never
  // initialised, so a request past authorization hears TRANSACTIONAL_ID_NOT_FOUND from its coordinator.
  { method: "POST", path: "/v1/transactions/T/init", body: {}, needs: "write transactional-id:T", ok: 200 },
  {
    method: "POST",
    path: "/v1/transactions/T/partitions",
    body: { producer: { id: "1", epoch: 0 }, topics: [{ topic: "T", partitions: [0] }] },
    needs: "write transactional-id:T",
    ok: 404,
    alsoNeeds: [{ resource: "topic:T", operations: ["produce"] }],
  },
  {
    method: "POST",
    path: "/v1/transactions/T/groups",
    body: { producer: { id: "1", epoch: 0 }, group_id: "T" },
    needs: "write transactional-id:T",
    ok: 404,
    alsoNeeds: [{ resource: "group:T", operations: ["consume"] }],
  },
  {
    method: "POST",
    path: "/v1/transactions/T/offsets",
    body: { producer: { id: "1", epoch: 0 }, group_id: "T", offsets: [{ topic: "T", partition: 0, offset: 0 }] },
    needs: "write transactional-id:T",
    ok: 404,
    bodyTopics: true,
    alsoNeeds: [{ resource: "group:T", operations: ["consume"] }],
  },
  {
    method: "POST",
    path: "/v1/transactions/T/commit",
    body: { producer: { id: "1", epoch: 0 } },
    needs: "write transactional-id:T",
    ok: 404,
  },
  {
    method: "POST",
    path: "/v1/transactions/T/abort",
    body: { producer: { id: "1", epoch: 0 } },
    needs: "write transactional-id:T",
    ok: 404,
  },
  {
    method: "GET",
    path: "/v1/transactions",
    needs: "lists the transactional ids the token may describe",
    refused: { status: 200 },
  },
  { method: "GET", path: "/v1/transactions/T", needs: "describe transactional-id:T", ok: 404 },
  { method: "GET", path: "/v1/topics/T/partitions/0/transactions", needs: "describe topic:T", ok: 200 },
  // Nothing is open on the partition: past authorization, it says so.
  {
    method: "POST",
    path: "/v1/topics/T/partitions/0/transactions/abort",
    body: { producer_id: "1" },
    needs: "admin topic:T",
    ok: 409,
  },

  // The source is this deployment (outbound fetches loop back), read with the admin secret.
  {
    method: "POST",
    path: "/v1/mirrors",
    body: { name: "T", source: { url: "http://source.test", topic: "T", token: "test-admin-secret" }, topic: "T.copy" },
    needs: "admin cluster",
    ok: 201,
    // Creating the local topic needs admin on it too, as POST /v1/topics does.
    alsoNeeds: [{ resource: "topic:T.copy", operations: ["admin"] }],
  },
  { method: "GET", path: "/v1/mirrors", needs: "describe cluster", ok: 200 },
  // An unknown mirror: past authorization, the controller answers.
  { method: "GET", path: "/v1/mirrors/nobody", needs: "describe cluster", ok: 404 },
  { method: "DELETE", path: "/v1/mirrors/nobody", needs: "admin cluster", ok: 404 },

  {
    method: "POST",
    path: "/v1/tokens",
    body: { name: "child", grants: [{ resource: "cluster", operations: ["describe"] }] },
    needs: "admin cluster",
    ok: 201,
  },
  { method: "GET", path: "/v1/tokens", needs: "describe cluster", ok: 200 },
  { method: "DELETE", path: "/v1/tokens/:id", needs: "admin cluster", ok: 204 },

  // SASL for Kafka gateways: a sign-in checked on a client's behalf needs its own operation, so a
  // gateway's token can verify clients and do nothing else. Past authorization, a bad sign-in is 401.
  {
    method: "POST",
    path: "/v1/sasl/plain",
    body: { username: "0123456789abcdef", password: "wrong" },
    needs: "authenticate cluster",
    ok: 401,
  },
  {
    method: "POST",
    path: "/v1/sasl/scram/first",
    body: { mechanism: "SCRAM-SHA-256", client_first: "n,,n=someone,r=abc" },
    needs: "authenticate cluster",
    ok: 200,
  },
  {
    method: "POST",
    path: "/v1/sasl/scram/final",
    body: { exchange: "none", client_final: "c=biws,r=abc,p=AAAA" },
    needs: "authenticate cluster",
    ok: 401,
  },
  // A token gives itself SCRAM credentials (it must be the bearer); no grant is needed.
  { method: "POST", path: "/v1/sasl/scram-credentials", needs: "the calling token itself", refused: { status: 200 } },

  // Connectors (Kafka Connect's REST API). Creating one also needs what its token will carry: here an
  // http-source's produce on its topic. Unknown connectors answer 404 once past authorization.
  {
    method: "GET",
    path: "/v1/connectors",
    needs: "lists the connectors the token may describe",
    refused: { status: 200 },
  },
  {
    method: "POST",
    path: "/v1/connectors",
    body: { name: "T", config: { "connector.class": "http-source", topic: "T" } },
    needs: "admin connector:T",
    ok: 201,
    alsoNeeds: [{ resource: "topic:T", operations: ["produce"] }],
  },
  { method: "GET", path: "/v1/connectors/T", needs: "describe connector:T", ok: 404 },
  { method: "DELETE", path: "/v1/connectors/T", needs: "admin connector:T", ok: 404 },
  { method: "GET", path: "/v1/connectors/T/config", needs: "describe connector:T", ok: 404 },
  {
    method: "PUT",
    path: "/v1/connectors/T/config",
    body: { "connector.class": "http-source", topic: "T" },
    needs: "admin connector:T",
    ok: 201,
    alsoNeeds: [{ resource: "topic:T", operations: ["produce"] }],
  },
  { method: "GET", path: "/v1/connectors/T/status", needs: "describe connector:T", ok: 404 },
  { method: "GET", path: "/v1/connectors/T/tasks", needs: "describe connector:T", ok: 404 },
  { method: "GET", path: "/v1/connectors/T/tasks/0/status", needs: "describe connector:T", ok: 404 },
  { method: "POST", path: "/v1/connectors/T/restart", needs: "admin connector:T", ok: 404 },
  { method: "POST", path: "/v1/connectors/T/tasks/0/restart", needs: "admin connector:T", ok: 404 },
  { method: "PUT", path: "/v1/connectors/T/pause", needs: "admin connector:T", ok: 404 },
  { method: "PUT", path: "/v1/connectors/T/resume", needs: "admin connector:T", ok: 404 },
  { method: "PUT", path: "/v1/connectors/T/stop", needs: "admin connector:T", ok: 404 },
  { method: "GET", path: "/v1/connectors/T/topics", needs: "describe connector:T", ok: 404 },
  { method: "GET", path: "/v1/connectors/T/offsets", needs: "describe connector:T", ok: 404 },
  { method: "PATCH", path: "/v1/connectors/T/offsets", body: { offsets: [] }, needs: "admin connector:T", ok: 404 },
  { method: "DELETE", path: "/v1/connectors/T/offsets", needs: "admin connector:T", ok: 404 },
  // The webhook: a token that may produce to the connector's topic, or the body's HMAC signature.
  {
    method: "POST",
    path: "/v1/connectors/T/ingest",
    body: { a: 1 },
    needs: "the connector's HMAC signature, or produce on its topic",
    refused: { status: 404, code: "CONNECTOR_NOT_FOUND" },
  },
  { method: "GET", path: "/v1/connector-plugins", needs: "any token", refused: { status: 200 } },
  { method: "GET", path: "/v1/connector-plugins/http-sink/config", needs: "any token", refused: { status: 200 } },
  {
    method: "PUT",
    path: "/v1/connector-plugins/http-sink/config/validate",
    body: { name: "x" },
    needs: "any token",
    refused: { status: 200 },
  },

  // The schema registry (Confluent's body format; T-value is the subject of topic T's values).
  // Subjects that do not exist answer 404 once past authorization.
  { method: "GET", path: "/registry", needs: "any token", refused: { status: 200 } },
  { method: "GET", path: "/registry/schemas/types", needs: "any token", refused: { status: 200 } },
  // By id: read on a subject the id is registered under (an unknown id is 404 for anyone; see below).
  { method: "GET", path: "/registry/schemas/ids/999999", needs: "read on its subjects", refused: { status: 404 } },
  {
    method: "GET",
    path: "/registry/schemas/ids/999999/schema",
    needs: "read on its subjects",
    refused: { status: 404 },
  },
  {
    method: "GET",
    path: "/registry/schemas/ids/999999/subjects",
    needs: "read on its subjects",
    refused: { status: 404 },
  },
  {
    method: "GET",
    path: "/registry/schemas/ids/999999/versions",
    needs: "read on its subjects",
    refused: { status: 404 },
  },
  { method: "GET", path: "/registry/subjects", needs: "lists the subjects it may read", refused: { status: 200 } },
  {
    method: "POST",
    path: "/registry/subjects/T-value/versions",
    body: { schema: '"string"' },
    needs: "write subject:T-value",
    ok: 200,
  },
  { method: "GET", path: "/registry/subjects/T-value/versions", needs: "read subject:T-value", ok: 404 },
  { method: "GET", path: "/registry/subjects/T-value/versions/latest", needs: "read subject:T-value", ok: 404 },
  { method: "GET", path: "/registry/subjects/T-value/versions/1/schema", needs: "read subject:T-value", ok: 404 },
  {
    method: "GET",
    path: "/registry/subjects/T-value/versions/1/referencedby",
    needs: "read subject:T-value",
    ok: 404,
  },
  {
    method: "POST",
    path: "/registry/subjects/T-value",
    body: { schema: '"string"' },
    needs: "read subject:T-value",
    ok: 404,
  },
  { method: "DELETE", path: "/registry/subjects/T-value", needs: "delete subject:T-value", ok: 404 },
  { method: "DELETE", path: "/registry/subjects/T-value/versions/1", needs: "delete subject:T-value", ok: 404 },
  {
    method: "POST",
    path: "/registry/compatibility/subjects/T-value/versions/latest",
    body: { schema: '"string"' },
    needs: "read subject:T-value",
    ok: 200,
  },
  {
    method: "POST",
    path: "/registry/compatibility/subjects/T-value/versions",
    body: { schema: '"string"' },
    needs: "read subject:T-value",
    ok: 200,
  },
  { method: "GET", path: "/registry/config", needs: "any token", refused: { status: 200 } },
  {
    method: "PUT",
    path: "/registry/config",
    body: { compatibility: "BACKWARD" },
    needs: "admin cluster",
    ok: 200,
  },
  { method: "DELETE", path: "/registry/config", needs: "admin cluster", ok: 200 },
  { method: "GET", path: "/registry/config/T-value", needs: "read subject:T-value", ok: 404 },
  {
    method: "PUT",
    path: "/registry/config/T-value",
    body: { compatibility: "FULL" },
    needs: "configure subject:T-value",
    ok: 200,
  },
  { method: "DELETE", path: "/registry/config/T-value", needs: "configure subject:T-value", ok: 404 },
  { method: "GET", path: "/registry/mode", needs: "any token", refused: { status: 200 } },
  { method: "PUT", path: "/registry/mode", body: { mode: "READWRITE" }, needs: "admin cluster", ok: 200 },
  { method: "GET", path: "/registry/mode/T-value", needs: "read subject:T-value", ok: 404 },
  {
    method: "PUT",
    path: "/registry/mode/T-value",
    body: { mode: "READWRITE" },
    needs: "configure subject:T-value",
    ok: 200,
  },
  { method: "DELETE", path: "/registry/mode/T-value", needs: "configure subject:T-value", ok: 404 },
];

/** Confluent's error codes under /registry, as the code names the rest of the API answers with. */
const REGISTRY_ERROR_CODES: Record<number, string> = {
  40101: "UNAUTHENTICATED",
  40301: "SUBJECT_AUTHORIZATION_FAILED",
  // The cluster has no Confluent code: the registry's generic errors carry the HTTP status.
  403: "CLUSTER_AUTHORIZATION_FAILED",
};

/** A reply's error in either body format: edgelog's, or Confluent's on registry routes. */
function errorOf(r: { body: any }): { code: string; message: string } {
  if (typeof r.body?.error_code === "number")
    return { code: REGISTRY_ERROR_CODES[r.body.error_code] ?? String(r.body.error_code), message: r.body.message };
  return r.body.error;
}

/** Parses "<op> <kind>:<name>" / "<op> cluster"; undefined for public and descriptive rules. */
function grantOf(rule: Rule): { op: string; kind: string; name: string } | undefined {
  const m =
    /^(admin|produce|consume|describe|read|write|delete|configure|authenticate) (?:(topic|group|subject|transactional-id|connector):(\S+)|(cluster))$/.exec(
      rule.needs,
    );
  if (!m) return undefined;
  return m[4] ? { op: m[1]!, kind: "cluster", name: "" } : { op: m[1]!, kind: m[2]!, name: m[3]! };
}

const PUBLIC_ROUTES = POLICY.filter((r) => r.needs === "public").map((r) => `${r.method} ${r.path}`);

describe("the route table against the policy", () => {
  it("is what the app serves: no route is registered outside the table", () => {
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(served)].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("has a rule here for every route in the table", () => {
    const pattern = (path: string) =>
      new RegExp(`^${path.replace(/[.]/g, "\\.").replace(/:\w+/g, "[^/]+").replace(/\*$/, ".*")}$`);
    for (const r of ROUTES) {
      const re = pattern(r.path);
      const covered = POLICY.some((rule) => rule.method === r.method && re.test(rule.path.split("?")[0]!));
      expect(covered, `add a rule for ${r.method} ${r.path} to POLICY`).toBe(true);
    }
  });

  it("leaves only /healthz, /v1/openapi.json and CORS preflights public", async () => {
    expect(PUBLIC_ROUTES).toEqual(["GET /healthz", "GET /v1/openapi.json", "OPTIONS /v1/stream/T"]);
    expect((await call("GET", "/healthz")).body).toEqual({ ok: true, auth: "required" });
    expect((await call("GET", "/v1/openapi.json")).status).toBe(200);
    expect((await call("OPTIONS", "/v1/stream/x")).status).toBe(204);
  });
});

/** A token whose grants name only other resources (and produce nowhere): nothing on T or the cluster. */
const OTHERS = [
  { resource: "topic:unrelated-*", operations: ["consume", "describe"] },
  { resource: "group:unrelated-*", operations: ["admin"] },
];

/** The operations each resource kind's grants may carry. */
const KIND_OPERATIONS: Record<string, string[]> = {
  topic: ["produce", "consume", "describe", "admin"],
  group: ["produce", "consume", "describe", "admin"],
  subject: ["read", "write", "delete", "configure", "admin"],
  "transactional-id": ["write", "describe", "admin"],
  connector: ["describe", "admin"],
  cluster: ["describe", "authenticate", "admin"],
};

/** Operations on the right resource that still do not allow `op` (admin implies all; produce/consume imply describe). */
const WEAKER: Record<string, string[]> = {
  admin: ["produce", "consume", "describe"],
  produce: ["consume", "describe"],
  consume: ["produce", "describe"],
  describe: [],
  // Subjects: write, delete and configure each imply read, and none implies another. A
  // transactional id's write implies its describe.
  read: [],
  write: ["read", "delete", "configure", "describe"],
  delete: ["read", "write", "configure"],
  configure: ["read", "write", "delete"],
  // The cluster's: describe does not let a token check sign-ins.
  authenticate: ["describe"],
};

describe.each(POLICY.filter((r) => r.needs !== "public"))("$method $path needs $needs", (rule) => {
  let topic: string;
  let path: string;
  let other: string;
  const grant = grantOf(rule);

  beforeAll(async () => {
    topic = uniqueTopic("perm");
    expect((await call("POST", "/v1/topics", { name: topic, partitions: 1 }, asAdmin)).status).toBe(201);
    let id = "0123456789abcdef";
    if (rule.path.includes(":id")) id = (await createToken([{ resource: "topic:x", operations: ["describe"] }])).id;
    path = rule.path.replaceAll("T", topic).replace(":id", id);
    other = (await createToken(OTHERS)).token;
  });
  const body = () =>
    rule.body === undefined || typeof rule.body === "string"
      ? rule.body
      : JSON.parse(JSON.stringify(rule.body).replaceAll('"T', JSON.stringify(topic).slice(0, -1)));
  const send = (token: string | undefined) => callAs(token, rule.method, path, body(), rule.headers);
  const resource = () => (grant!.kind === "cluster" ? "cluster" : `${grant!.kind}:${grant!.name.replace("T", topic)}`);
  const code = () => `${grant!.kind.toUpperCase().replace("-", "_")}_AUTHORIZATION_FAILED`;
  const bodyTopics = () => [
    ...(rule.bodyTopics ? [{ resource: `topic:${topic}`, operations: ["consume"] }] : []),
    ...(rule.alsoNeeds ?? []).map((g) => ({ ...g, resource: g.resource.replace("T", topic) })),
  ];

  it("refuses a request without a token (401)", async () => {
    const r = await send(undefined);
    expect(r.status).toBe(401);
    expect(errorOf(r).code).toBe("UNAUTHENTICATED");
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  if (grant) {
    it("refuses a token whose grants name other resources, naming the operation and resource it needs", async () => {
      const r = await send(other);
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(errorOf(r).code).toBe(code());
      expect(errorOf(r).message).toContain(`may not ${grant.op} ${resource()}`);
    });
  } else {
    it(`answers a token without the grant with ${rule.refused!.status}`, async () => {
      const r = await send(other);
      expect(r.status, JSON.stringify(r.body)).toBe(rule.refused!.status);
      if (rule.refused!.code) expect(errorOf(r).code).toBe(rule.refused!.code);
    });
  }

  if (grant && rule.ok !== undefined) {
    // Nothing is weaker than describe, and each kind takes only its own operations.
    const weaker = WEAKER[grant.op]!.filter((op) => KIND_OPERATIONS[grant.kind]!.includes(op));
    if (weaker.length > 0) {
      it("refuses a token holding only weaker operations on the resource (403)", async () => {
        const { token } = await createToken([{ resource: resource(), operations: weaker }, ...bodyTopics()]);
        const r = await send(token);
        expect(r.status).toBe(403);
        expect(errorOf(r).code).toBe(code());
      });
    }

    it(`serves a token granted ${grant.op} on the resource`, async () => {
      const { token } = await createToken([{ resource: resource(), operations: [grant.op] }, ...bodyTopics()]);
      const r = await send(token);
      expect(r.status, JSON.stringify(r.body)).toBe(rule.ok);
    });
  }
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

describe("transactional ids", () => {
  const topicOf = async () => {
    const topic = uniqueTopic("txn");
    expect((await call("POST", "/v1/topics", { name: topic, partitions: 1 }, asAdmin)).status).toBe(201);
    return topic;
  };

  it("producing inside a transaction needs write on the transactional id; refused writes nothing", async () => {
    const topic = await topicOf();
    const id = `perm-${uniqueTopic("tid")}`;
    const writer = await createToken([
      { resource: "transactional-id:perm-*", operations: ["write"] },
      { resource: `topic:${topic}`, operations: ["produce", "consume"] },
    ]);
    const init = await callAs(writer.token, "POST", `/v1/transactions/${id}/init`, {});
    expect(init.status).toBe(200);
    const producer = init.body.producer;
    const producerOnly = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }]);
    const body = { records: [{ value: 1 }], producer: { ...producer, sequence: 0, transactional_id: id } };
    const refused = await callAs(producerOnly.token, "POST", `/v1/topics/${topic}/records`, body);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    // Its producer id is the transactional id's: no plain (idempotent) write with it either.
    const plain = await callAs(producerOnly.token, "POST", `/v1/topics/${topic}/records`, {
      records: [{ value: 1 }],
      producer: { ...producer, sequence: 0 },
    });
    expect(plain.status).toBe(400);
    expect((await call("GET", `/v1/topics/${topic}`, undefined, asAdmin)).body.partitions[0].high_watermark).toBe(0);
    expect((await callAs(writer.token, "POST", `/v1/topics/${topic}/records`, body)).status).toBe(200);
    expect((await callAs(writer.token, "POST", `/v1/transactions/${id}/commit`, { producer })).status).toBe(200);
  });

  it("a transactional producer belongs to its transactional id: any token allowed on it may fence it", async () => {
    const id = `perm-${uniqueTopic("tid")}`;
    const a = await createToken([{ resource: `transactional-id:${id}`, operations: ["write"] }]);
    const b = await createToken([{ resource: "transactional-id:perm-*", operations: ["write"] }]);
    const first = await callAs(a.token, "POST", `/v1/transactions/${id}/init`, {});
    const second = await callAs(b.token, "POST", `/v1/transactions/${id}/init`, {});
    expect(second.status).toBe(200);
    expect(second.body.producer.id).toBe(first.body.producer.id);
    expect(second.body.producer.epoch).toBe(first.body.producer.epoch + 1);
    const fenced = await callAs(a.token, "POST", `/v1/transactions/${id}/commit`, { producer: first.body.producer });
    expect(fenced.status).toBe(409);
    expect(fenced.body.error.code).toBe("PRODUCER_FENCED");
    // Describe is implied by write; another id's is not.
    expect((await callAs(a.token, "GET", `/v1/transactions/${id}`)).status).toBe(200);
    const listed = await callAs(a.token, "GET", "/v1/transactions");
    expect(listed.body.transactions.map((t: { transactional_id: string }) => t.transactional_id)).toEqual([id]);
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

  it("refuses to delete a group's committed offset of a topic the token may not consume", async () => {
    const topic = uniqueTopic("gd");
    expect((await call("POST", "/v1/topics", { name: topic }, asAdmin)).status).toBe(201);
    const groupAdmin = await createToken([{ resource: "group:billing-*", operations: ["admin"] }]);
    const r = await callAs(groupAdmin.token, "DELETE", `/v1/groups/billing-1/offsets/${topic}/partitions/0`);
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
