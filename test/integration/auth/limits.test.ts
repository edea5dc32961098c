// Bounds a deployment keeps whatever its callers do: members per group (this project sets
// EDGELOG_GROUP_MAX_SIZE to 3; Kafka's group.consumer.max.size defaults to 200) and topics.

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TopicRegistry } from "../../../src/controller/topics.js";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin } from "../../support/auth.js";
import { clusterObject } from "../../../src/objects.js";

const MAX = 3;

async function heartbeat(group: string, body: Record<string, unknown>) {
  return call("POST", `/v1/groups/${group}/heartbeat`, body, asAdmin);
}

describe("group size", () => {
  it("caps members of either protocol at EDGELOG_GROUP_MAX_SIZE: the next join is 409 GROUP_MAX_SIZE_REACHED", async () => {
    const topic = uniqueTopic("cap");
    expect((await call("POST", "/v1/topics", { name: topic, partitions: 4 }, asAdmin)).status).toBe(201);
    const group = uniqueTopic("capped");
    const join = (extra: Record<string, unknown> = {}) =>
      heartbeat(group, { member_id: null, member_epoch: 0, topics: [topic], ...extra });
    const members = [];
    for (const extra of [{}, { protocol: "classic" }, { instance_id: "static-1" }]) {
      const r = await join(extra);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      members.push(r.body);
    }
    for (const extra of [{}, { protocol: "classic" }]) {
      const refused = await join(extra);
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body.error.code).toBe("GROUP_MAX_SIZE_REACHED");
      expect(refused.body.error.message).toContain(String(MAX));
    }
    const described = await call("GET", `/v1/groups/${group}`, undefined, asAdmin);
    expect(described.body.members).toHaveLength(MAX);

    // Members already in keep heartbeating and may rejoin; a static member's restart takes its own place.
    const first = members[0];
    const steady = await heartbeat(group, { member_id: first.member_id, member_epoch: first.member_epoch });
    expect(steady.status, JSON.stringify(steady.body)).toBe(200);
    const rejoined = await heartbeat(group, { member_id: first.member_id, member_epoch: 0, topics: [topic] });
    expect(rejoined.status, JSON.stringify(rejoined.body)).toBe(200);
    expect((await join({ instance_id: "static-1" })).status).toBe(200);

    // One leaves: there is room again.
    expect((await call("DELETE", `/v1/groups/${group}/members/${first.member_id}`, undefined, asAdmin)).status).toBe(
      204,
    );
    expect((await join()).status).toBe(200);
  });
});

describe("topic count", () => {
  it("is capped by the registry: past the cap, creating is 400 POLICY_VIOLATION and nothing is created", async () => {
    const name = uniqueTopic("capped");
    const outcome = await runInDurableObject(clusterObject(env), (_o, state) => {
      const registry = new TopicRegistry(state.storage.sql);
      const count = registry.list().length;
      registry.create({ name: `${name}-fits` }, Date.now(), count + 1);
      try {
        registry.create({ name }, Date.now(), count + 1);
        return { code: "created" };
      } catch (e) {
        return {
          code: (e as { code: string }).code,
          message: (e as Error).message,
          after: registry.list().length - count,
        };
      }
    });
    expect(outcome).toMatchObject({ code: "POLICY_VIOLATION", after: 1 });
    expect(outcome.message).toMatch(/EDGELOG_MAX_TOPICS/);
    expect((await call("GET", `/v1/topics/${name}`, undefined, asAdmin)).status).toBe(404);
  });
});
