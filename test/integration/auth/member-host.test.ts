// With authentication required, as deployed: a member host's in-process calls carry the admin
// secret by default, or the spec's own token, whose grants then bound what it may do.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Transport } from "../../../src/client/transport.js";
import { registerHostedKind } from "../../../src/host/kinds.js";
import { GroupMember } from "../../../src/host/member.js";
import { unwrap } from "../../../src/protocol/errors.js";
import { uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken, ADMIN_TOKEN } from "../../support/auth.js";
import { call } from "../../support/api.js";
import { memberHostObject } from "../../../src/objects.js";

registerHostedKind("auth-sink", async (ctx) => {
  const { topic } = ctx.spec.config as { topic: string };
  const http = new Transport({ url: ctx.url, fetch: ctx.fetch, token: ctx.token });
  const member = new GroupMember(
    http,
    {
      assigned: async () => {},
      revoked: async () => {},
      process: async () => {},
      commit: (offsets, commitOffsets) => commitOffsets(offsets),
    },
    { group: ctx.spec.name, topics: [topic], commitIntervalMs: 0, maxWaitMs: 0 },
  );
  return { member, close: () => member.leave(), abandon: () => member.abandon() };
});

async function committed(group: string): Promise<number> {
  const r = await callAs(ADMIN_TOKEN, "GET", `/v1/groups/${group}/offsets`);
  return (r.body.offsets ?? []).reduce((n: number, o: { offset: number }) => n + o.offset, 0);
}

describe("member host with authentication required", () => {
  it("calls the router in-process as the admin, or as the spec's token within its grants", async () => {
    const topic = uniqueTopic("host-auth");
    expect((await call("POST", "/v1/topics", { name: topic, partitions: 1 }, asAdmin)).status).toBe(201);
    expect(
      (await call("POST", `/v1/topics/${topic}/records`, { records: [{ value: 1 }, { value: 2 }] }, asAdmin)).status,
    ).toBe(200);

    const admin = memberHostObject(env, `auth-sink:${topic}:admin`);
    const group = uniqueTopic("g-admin");
    unwrap(await admin.start({ kind: "auth-sink", name: group, config: { topic } }));
    while ((await committed(group)) < 2) await scheduler.wait(10);
    unwrap(await admin.stop());

    // A token that may consume the topic but not use this group: the host's slices fail, and say why.
    const scoped = await createToken([{ resource: `topic:${topic}`, operations: ["consume", "describe"] }]);
    const host = memberHostObject(env, `auth-sink:${topic}:scoped`);
    const denied = uniqueTopic("g-denied");
    unwrap(await host.start({ kind: "auth-sink", name: denied, config: { topic }, token: scoped.token }));
    for (;;) {
      const s = unwrap(await host.status());
      if (s.failures > 0) {
        expect(s.last_error).toMatch(new RegExp(`may not consume group:${denied}`));
        break;
      }
      await scheduler.wait(10);
    }
    unwrap(await host.stop());
    expect(await committed(denied)).toBe(0);
  });
});
