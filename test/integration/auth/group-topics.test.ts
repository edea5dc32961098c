// A token allowed on a group sees, through the group routes, only the topics it may describe: as
// Kafka's OffsetFetch for all topics leaves out partitions of topics the caller may not describe.

import { describe, expect, it } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";

/** A group with offsets committed (with metadata) on two topics, and a member subscribed to both. */
async function groupOnTwoTopics(withMember: boolean) {
  const mine = uniqueTopic("mine");
  const theirs = uniqueTopic("theirs");
  for (const name of [mine, theirs]) {
    expect((await call("POST", "/v1/topics", { name, partitions: 1 }, asAdmin)).status).toBe(201);
    const records = [{ value: 1 }, { value: 2 }, { value: 3 }];
    expect((await call("POST", `/v1/topics/${name}/records`, { records }, asAdmin)).status).toBe(200);
  }
  const group = uniqueTopic("grp");
  const offsets = [
    { topic: mine, partition: 0, offset: 1, metadata: "mine-meta" },
    { topic: theirs, partition: 0, offset: 2, metadata: "their-secret-meta" },
  ];
  expect((await call("POST", `/v1/groups/${group}/offsets`, { offsets }, asAdmin)).status).toBe(204);
  if (withMember) {
    const joined = await call(
      "POST",
      `/v1/groups/${group}/heartbeat`,
      { member_id: null, member_epoch: 0, topics: [mine, theirs] },
      asAdmin,
    );
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
  }
  const token = await createToken([
    { resource: `group:${group}`, operations: ["consume"] },
    { resource: `topic:${mine}`, operations: ["consume"] },
  ]);
  return { mine, theirs, group, token: token.token };
}

describe("group routes and topics the token may not describe", () => {
  it("GET /v1/groups/{g}/offsets leaves out other topics' offsets and metadata", async () => {
    const { mine, theirs, group, token } = await groupOnTwoTopics(false);
    const r = await callAs(token, "GET", `/v1/groups/${group}/offsets`);
    expect(r.status).toBe(200);
    expect(r.body.offsets).toEqual([{ topic: mine, partition: 0, offset: 1, metadata: "mine-meta" }]);
    expect(JSON.stringify(r.body)).not.toContain(theirs);
    // The admin (describe on every topic) still sees both.
    const all = await call("GET", `/v1/groups/${group}/offsets`, undefined, asAdmin);
    expect(all.body.offsets.map((o: { topic: string }) => o.topic).sort()).toEqual([mine, theirs].sort());
  });

  it("GET /v1/groups/{g} leaves out other topics' offsets, high watermarks, lag and member subscriptions", async () => {
    const { mine, theirs, group, token } = await groupOnTwoTopics(true);
    const r = await callAs(token, "GET", `/v1/groups/${group}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.partitions).toEqual([
      expect.objectContaining({ topic: mine, partition: 0, committed_offset: 1, high_watermark: 3, lag: 2 }),
    ]);
    expect(r.body.members).toHaveLength(1);
    expect(r.body.members[0].topics).toEqual([mine]);
    expect(JSON.stringify(r.body)).not.toContain(theirs);
    const all = await call("GET", `/v1/groups/${group}`, undefined, asAdmin);
    expect(JSON.stringify(all.body)).toContain(theirs);
  });

  it("POST /v1/groups/{g}/offsets/reset without topics needs consume on every topic it would reset: 403, nothing reset", async () => {
    const { theirs, group, token } = await groupOnTwoTopics(false);
    const r = await callAs(token, "POST", `/v1/groups/${group}/offsets/reset`, { to: "earliest" });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    const after = await call("GET", `/v1/groups/${group}/offsets`, undefined, asAdmin);
    expect(after.body.offsets.find((o: { topic: string }) => o.topic === theirs).offset).toBe(2);
  });
});
