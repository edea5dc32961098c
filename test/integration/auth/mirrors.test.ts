// A mirror reads its source with a token of its own: a refused token is a 4xx at creation and a
// reported (and retried) error afterwards. The source is this deployment, with auth required.

import { describe, expect, it } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { ADMIN_TOKEN, asAdmin, callAs, createToken } from "../../support/auth.js";

const SOURCE = "http://source.test";

async function topicWithRecords(n: number) {
  const name = uniqueTopic("src");
  expect((await call("POST", "/v1/topics", { name, partitions: 1 }, asAdmin)).status).toBe(201);
  const records = Array.from({ length: n }, (_, i) => ({ value: i }));
  expect((await call("POST", `/v1/topics/${name}/records`, { records }, asAdmin)).status).toBe(200);
  return name;
}

/** Polls the mirror (deadline 10 s) until `done` holds for its status. */
async function until(name: string, done: (m: any) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = await call("GET", `/v1/mirrors/${name}`, undefined, asAdmin);
    if (done(m.body)) return m.body;
    if (Date.now() > deadline) throw new Error(`mirror ${name}: ${JSON.stringify(m.body)}`);
    await scheduler.wait(20);
  }
}

describe("a mirror's source token", () => {
  it("is refused at creation when the source rejects it: 400 INVALID_CONFIG, nothing created", async () => {
    const src = await topicWithRecords(1);
    const name = uniqueTopic("m");
    const r = await call(
      "POST",
      "/v1/mirrors",
      { name, source: { url: SOURCE, topic: src, token: "elg_nope_nope" }, topic: `${src}.copy` },
      asAdmin,
    );
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_CONFIG");
    expect(r.body.error.message).toMatch(/401|UNAUTHENTICATED/);
    expect((await call("GET", `/v1/mirrors/${name}`, undefined, asAdmin)).status).toBe(404);
    expect((await call("GET", `/v1/topics/${src}.copy`, undefined, asAdmin)).status).toBe(404);
  });

  it("once revoked, shows as the partition's last_error while the mirror keeps retrying", async () => {
    const src = await topicWithRecords(3);
    const reader = await createToken([{ resource: `topic:${src}`, operations: ["consume"] }]);
    const name = uniqueTopic("m");
    const created = await call(
      "POST",
      "/v1/mirrors",
      { name, source: { url: SOURCE, topic: src, token: reader.token }, topic: `${src}.copy` },
      asAdmin,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await until(name, (m) => m.lag === 0 && m.partitions[0].source_offset === 3);

    expect((await call("DELETE", `/v1/tokens/${reader.id}`, undefined, asAdmin)).status).toBe(204);
    await call("POST", `/v1/topics/${src}/records`, { records: [{ value: "late" }] }, asAdmin);
    const failing = await until(name, (m) => /UNAUTHENTICATED|401/.test(m.partitions[0].last_error ?? ""));
    // Nothing was lost or skipped: the copy stands where the local topic ends.
    const local = await call("GET", `/v1/topics/${src}.copy`, undefined, asAdmin);
    expect(failing.partitions[0]).toMatchObject({
      source_offset: local.body.partitions[0].high_watermark,
      records_skipped: 0,
    });
  });
});

describe("creating a mirror", () => {
  const clusterAdmin = { resource: "cluster", operations: ["admin"] };

  it("into an existing topic needs produce on it, not only cluster admin: 403, nothing created", async () => {
    const src = await topicWithRecords(1);
    const dest = uniqueTopic("dest");
    expect((await call("POST", "/v1/topics", { name: dest, partitions: 1 }, asAdmin)).status).toBe(201);
    const operator = await createToken([clusterAdmin]);
    const name = uniqueTopic("m");
    const r = await callAs(operator.token, "POST", "/v1/mirrors", {
      name,
      source: { url: SOURCE, topic: src, token: ADMIN_TOKEN },
      topic: dest,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect(r.body.error.message).toContain(`topic:${dest}`);
    expect((await call("GET", `/v1/mirrors/${name}`, undefined, asAdmin)).status).toBe(404);

    const writer = await createToken([clusterAdmin, { resource: `topic:${dest}`, operations: ["produce"] }]);
    const ok = await callAs(writer.token, "POST", "/v1/mirrors", {
      name,
      source: { url: SOURCE, topic: src, token: ADMIN_TOKEN },
      topic: dest,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    await until(name, (m) => m.lag === 0 && m.partitions[0].source_offset === 1);
  });

  it("into a new topic needs admin on that topic (as POST /v1/topics does): 403, no topic created", async () => {
    const src = await topicWithRecords(1);
    const dest = uniqueTopic("dest");
    // produce on the name is not enough to create it.
    const operator = await createToken([clusterAdmin, { resource: `topic:${dest}`, operations: ["produce"] }]);
    const name = uniqueTopic("m");
    const r = await callAs(operator.token, "POST", "/v1/mirrors", {
      name,
      source: { url: SOURCE, topic: src, token: ADMIN_TOKEN },
      topic: dest,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect((await call("GET", `/v1/topics/${dest}`, undefined, asAdmin)).status).toBe(404);
    expect((await call("GET", `/v1/mirrors/${name}`, undefined, asAdmin)).status).toBe(404);

    const creator = await createToken([clusterAdmin, { resource: `topic:${dest}`, operations: ["admin"] }]);
    const ok = await callAs(creator.token, "POST", "/v1/mirrors", {
      name,
      source: { url: SOURCE, topic: src, token: ADMIN_TOKEN },
      topic: dest,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect((await call("GET", `/v1/topics/${dest}`, undefined, asAdmin)).status).toBe(200);
  });

  it("does not pass a failing source's reply text on: only its status", async () => {
    const src = await topicWithRecords(1);
    const r = await call(
      "POST",
      "/v1/mirrors",
      { name: uniqueTopic("m"), source: { url: SOURCE, topic: src, token: "elg_nope_nope" }, topic: `${src}.copy` },
      asAdmin,
    );
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain("401");
    // The source's own message (edgelog's "token not recognised: …") stays out of the reply.
    expect(r.body.error.message).not.toMatch(/not recognised|Bearer/);
  });
});
