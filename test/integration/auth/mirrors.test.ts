// A mirror reads its source with a token of its own: a refused token is a 4xx at creation and a
// reported (and retried) error afterwards. The source is this deployment, with auth required.

import { describe, expect, it } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, createToken } from "../../support/auth.js";

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
