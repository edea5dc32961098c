// Connectors with authentication required: each acts with a token of its own, the intersection of
// its creator's grants and its topics (never the admin), revoked with it; an http-source accepts a
// body signed with its HMAC secret or a token that may produce to its topic, never neither.

import { describe, expect, it } from "vitest";
import { sign } from "../../../src/connect/sources/http-source.js";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";

async function topic(name: string) {
  expect((await call("POST", "/v1/topics", { name, partitions: 1 }, asAdmin)).status).toBe(201);
}

async function connectorToken(name: string) {
  const tokens = (await call("GET", "/v1/tokens", undefined, asAdmin)).body.tokens;
  return tokens.find((t: any) => t.name === `connector:${name}`);
}

describe("a connector's own token", () => {
  it("carries exactly the grants its topics need, checked against its creator's", async () => {
    const input = uniqueTopic("in");
    const dlq = uniqueTopic("dlq");
    await topic(input);
    await topic(dlq);
    const name = uniqueTopic("sink");
    const config = {
      "connector.class": "r2-sink",
      topics: input,
      "errors.tolerance": "all",
      "errors.deadletterqueue.topic.name": dlq,
      "topics.dir": `auth/${name}`,
    };
    // A creator missing produce on the DLQ topic may not create it: nothing is made, no token minted.
    const partial = await createToken([
      { resource: `connector:${name}`, operations: ["admin"] },
      { resource: `topic:${input}`, operations: ["consume"] },
      { resource: `group:connect-${name}`, operations: ["consume"] },
    ]);
    const refused = await callAs(partial.token, "POST", "/v1/connectors", { name, config });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect(refused.body.error.message).toContain(`may not produce topic:${dlq}`);
    expect(await connectorToken(name)).toBeUndefined();
    expect((await call("GET", `/v1/connectors/${name}`, undefined, asAdmin)).status).toBe(404);

    const creator = await createToken([
      { resource: "connector:*", operations: ["admin"] },
      { resource: "topic:*", operations: ["admin"] },
      { resource: "group:*", operations: ["admin"] },
      { resource: "cluster", operations: ["describe"] },
    ]);
    const created = await callAs(creator.token, "POST", "/v1/connectors", { name, config });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const own = await connectorToken(name);
    expect(own.grants).toEqual([
      { resource: `topic:${input}`, operations: ["consume"] },
      { resource: `group:connect-${name}`, operations: ["consume"] },
      { resource: `topic:${dlq}`, operations: ["produce"] },
    ]);
    expect(JSON.stringify(created.body)).not.toContain("elg_");

    // Deleting the connector revokes its token.
    expect((await callAs(creator.token, "DELETE", `/v1/connectors/${name}`)).status).toBe(204);
    expect(await connectorToken(name)).toBeUndefined();
  });

  it("an exactly-once DLQ adds write on each task's transactional id, which its creator must hold", async () => {
    const input = uniqueTopic("in");
    const dlq = uniqueTopic("dlq");
    await topic(input);
    await topic(dlq);
    const name = uniqueTopic("hook");
    const config = {
      "connector.class": "queues-sink",
      topics: input,
      "queue.binding": "EVENTS_QUEUE",
      "tasks.max": "2",
      "errors.tolerance": "all",
      "errors.deadletterqueue.topic.name": dlq,
      "errors.deadletterqueue.exactly.once": "true",
    };
    const grants = [
      { resource: `connector:${name}`, operations: ["admin"] },
      { resource: `topic:${input}`, operations: ["consume"] },
      { resource: `topic:${dlq}`, operations: ["produce"] },
      { resource: `group:connect-${name}`, operations: ["consume"] },
    ];
    const without = await createToken(grants);
    const refused = await callAs(without.token, "POST", "/v1/connectors", { name, config });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    expect(await connectorToken(name)).toBeUndefined();

    const creator = await createToken([
      ...grants,
      { resource: `transactional-id:connect-${name}-*`, operations: ["write"] },
    ]);
    const created = await callAs(creator.token, "POST", "/v1/connectors", { name, config });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await connectorToken(name)).grants).toEqual([
      { resource: `topic:${input}`, operations: ["consume"] },
      { resource: `group:connect-${name}`, operations: ["consume"] },
      { resource: `topic:${dlq}`, operations: ["produce"] },
      { resource: `transactional-id:connect-${name}-0`, operations: ["write"] },
      { resource: `transactional-id:connect-${name}-1`, operations: ["write"] },
    ]);
    expect((await callAs(creator.token, "DELETE", `/v1/connectors/${name}`)).status).toBe(204);
  });

  it("is never the admin's: a connector the admin creates still gets only its topics", async () => {
    const out = uniqueTopic("out");
    await topic(out);
    const name = uniqueTopic("src");
    const created = await call(
      "POST",
      "/v1/connectors",
      { name, config: { "connector.class": "http-source", topic: out } },
      asAdmin,
    );
    expect(created.status).toBe(201);
    expect((await connectorToken(name)).grants).toEqual([{ resource: `topic:${out}`, operations: ["produce"] }]);
    // Describing is not administering.
    const reader = await createToken([{ resource: `connector:${name}`, operations: ["describe"] }]);
    expect((await callAs(reader.token, "GET", `/v1/connectors/${name}/status`)).status).toBe(200);
    const pause = await callAs(reader.token, "PUT", `/v1/connectors/${name}/pause`);
    expect(pause.status).toBe(403);
    expect(pause.body.error.code).toBe("CONNECTOR_AUTHORIZATION_FAILED");
    const listed = await callAs(reader.token, "GET", "/v1/connectors");
    expect(listed.body).toEqual([name]);
  });
});

describe("an http-source's webhook", () => {
  it("takes a signed body or a token that may produce, and refuses neither", async () => {
    const out = uniqueTopic("hooks");
    await topic(out);
    const name = uniqueTopic("hook");
    const secret = "whsec-0123456789abcdef";
    const config = { "connector.class": "http-source", topic: out, "hmac.secret": secret };
    expect((await call("POST", "/v1/connectors", { name, config }, asAdmin)).status).toBe(201);
    const body = JSON.stringify({ event: "push" });
    const path = `/v1/connectors/${name}/ingest`;
    const json = { "content-type": "application/json" };

    const none = await call("POST", path, body, json);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const forged = await call("POST", path, body, { ...json, "x-signature-256": "sha256=00ff" });
    expect(forged.status).toBe(401);
    expect(forged.body.error.message).toMatch(/signature does not match/);

    const signature = await sign(secret, "HmacSHA256", "sha256=", new TextEncoder().encode(body));
    const signedReply = await call("POST", path, body, { ...json, "x-signature-256": signature });
    expect(signedReply.status, JSON.stringify(signedReply.body)).toBe(200);
    expect(signedReply.body.records).toHaveLength(1);

    const producer = await createToken([{ resource: `topic:${out}`, operations: ["produce"] }]);
    expect((await callAs(producer.token, "POST", path, body, json)).status).toBe(200);
    const reader = await createToken([{ resource: `topic:${out}`, operations: ["consume"] }]);
    const denied = await callAs(reader.token, "POST", path, body, json);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");

    const stored = await call("GET", `/v1/topics/${out}/partitions/0/records?offset=0`, undefined, asAdmin);
    expect(stored.body.records.map((r: any) => r.value)).toEqual([{ event: "push" }, { event: "push" }]);
  });

  it("writes a delivery sent twice at once (the same id) once, answering both with its offsets", async () => {
    const out = uniqueTopic("race");
    await topic(out);
    const name = uniqueTopic("race");
    const config = { "connector.class": "http-source", topic: out };
    expect((await call("POST", "/v1/connectors", { name, config }, asAdmin)).status).toBe(201);
    // A sender that retries before its first attempt is answered: both arrive while neither is written.
    const post = () =>
      call("POST", `/v1/connectors/${name}/ingest`, JSON.stringify({ event: "push" }), {
        ...asAdmin,
        "content-type": "application/json",
        "idempotency-key": "d-1",
      });
    const replies = await Promise.all([post(), post()]);
    for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(replies[1]!.body.records).toEqual(replies[0]!.body.records);
    expect(replies.filter((r) => r.body.duplicate === true)).toHaveLength(1);

    const stored = await call("GET", `/v1/topics/${out}/partitions/0/records?offset=0`, undefined, asAdmin);
    expect(stored.body.records.map((r: any) => r.value)).toEqual([{ event: "push" }]);
    const offsets = await call("GET", `/v1/connectors/${name}/offsets`, undefined, asAdmin);
    expect(offsets.body.offsets[0].offset).toEqual({ deliveries: 1, last_delivery: "d-1" });
  });
});
