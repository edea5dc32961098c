// The member host: a consumer-group member inside a Durable Object, its slices driven by the
// object's alarm, calling the router in-process. A test kind writes what it consumes into the
// object's SQLite and commits after each slice.

import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { unwrap } from "../../src/protocol/errors.js";
import { describe, expect, it } from "vitest";
import { Transport } from "../../src/client/transport.js";
import type { MemberHostDO } from "../../src/host/host-do.js";
import { HostedFailure, registerHostedKind } from "../../src/host/kinds.js";
import { GroupMember } from "../../src/host/member.js";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";
import { memberHostObject } from "../../src/objects.js";

registerHostedKind("test-sink", async (ctx) => {
  const { topic } = ctx.spec.config as { topic: string };
  ctx.sql.exec(
    "CREATE TABLE IF NOT EXISTS sunk (topic TEXT, part INTEGER, off INTEGER, value TEXT, PRIMARY KEY (topic, part, off))",
  );
  const http = new Transport({ url: ctx.url, fetch: ctx.fetch, token: ctx.token });
  const member = new GroupMember(
    http,
    {
      assigned: async () => {},
      revoked: async () => {},
      process: async (b) => {
        for (const r of b.records) {
          ctx.sql.exec(
            "INSERT OR REPLACE INTO sunk VALUES (?, ?, ?, ?)",
            b.topic,
            b.partition,
            r.offset,
            new TextDecoder().decode(r.value!),
          );
        }
      },
      // A sink's output is its SQLite rows, durable before the object answers: commit at once.
      commit: (offsets, commitOffsets) => commitOffsets(offsets),
    },
    { group: ctx.spec.name, topics: [topic], instanceId: ctx.objectName, commitIntervalMs: 0, maxWaitMs: 0 },
  );
  return { member, close: () => member.leave(), abandon: () => member.abandon() };
});

// A kind that gives up on its first slice until told otherwise (a connector task meeting a bad record).
let giveUp = true;
registerHostedKind("test-fails", async (ctx) => {
  const http = new Transport({ url: ctx.url, fetch: ctx.fetch, token: ctx.token });
  const member = new GroupMember(
    http,
    {
      assigned: async () => {},
      revoked: async () => {},
      process: async () => {},
      commit: (offsets, commitOffsets) => commitOffsets(offsets),
      tick: async () => {
        if (giveUp) throw new HostedFailure("record 7 cannot be delivered");
      },
    },
    { group: ctx.spec.name, topics: [(ctx.spec.config as { topic: string }).topic], commitIntervalMs: 0, maxWaitMs: 0 },
  );
  return { member, close: () => member.leave(), abandon: () => member.abandon() };
});

async function committed(group: string): Promise<number> {
  const r = await call("GET", `/v1/groups/${group}/offsets`);
  return r.body.offsets.reduce((n: number, o: { offset: number }) => n + o.offset, 0);
}

/** Waits (the object's alarms run on their own) until the group committed `n` offsets in all. */
async function committedReaches(group: string, n: number): Promise<void> {
  while ((await committed(group)) < n) await scheduler.wait(10);
}

async function sunk(stub: DurableObjectStub<MemberHostDO>): Promise<number> {
  return runInDurableObject(
    stub,
    (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sunk").one().n,
  );
}

describe("member host", () => {
  it("consumes a topic from alarms, commits what it stored, and leaves the group when stopped", async () => {
    const topic = uniqueTopic("host");
    const group = uniqueTopic("g");
    await createTopic(topic, 3);
    const records = Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}` }));
    expect((await produce(topic, records, { format: "string" })).status).toBe(200);

    const stub = memberHostObject(env, `test-sink:${group}`);
    const status = unwrap(await stub.start({ kind: "test-sink", name: group, config: { topic } }));
    expect(status.spec).toEqual({ kind: "test-sink", name: group, config: { topic } });
    // Each alarm is one slice (join, then fetch and store, then commit) and schedules the next.
    await committedReaches(group, records.length);
    expect(await committed(group)).toBe(records.length);
    expect(await sunk(stub)).toBe(records.length);
    const running = unwrap(await stub.status());
    expect(running.running).toBe(true);
    expect(running.assignment.map((a) => a.partition).sort()).toEqual([0, 1, 2]);

    // Restarting the same spec is a no-op; stopping leaves the group and unschedules the alarm.
    unwrap(await stub.start({ kind: "test-sink", name: group, config: { topic } }));
    unwrap(await stub.stop());
    const g = await call("GET", `/v1/groups/${group}`);
    expect(g.body.members).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("stops a kind that gives up (HostedFailure), shows its trace, and runs it again on restart", async () => {
    const topic = uniqueTopic("host");
    await createTopic(topic, 1);
    const stub = env.MEMBER_HOST.getByName(`test-fails:${topic}`);
    giveUp = true;
    unwrap(await stub.start({ kind: "test-fails", name: uniqueTopic("g"), config: { topic } }));
    while (!unwrap(await stub.status()).failed) await scheduler.wait(10);
    const failed = unwrap(await stub.status());
    expect(failed.trace).toMatch(/HostedFailure: record 7 cannot be delivered/);
    expect(failed.running).toBe(false);
    // Nothing is scheduled: a failed kind waits for a restart.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    giveUp = false;
    const restarted = unwrap(await stub.restart());
    expect(restarted.failed).toBe(false);
    while (!unwrap(await stub.status()).running) await scheduler.wait(10);
    expect(unwrap(await stub.status()).failed).toBe(false);
    unwrap(await stub.stop());
  });

  it("refuses a kind this Worker did not register, naming the ones it has", async () => {
    const stub = memberHostObject(env, "nothing");
    const r = await stub.start({ kind: "no-such-kind", name: "x" });
    expect(r.ok).toBe(false);
    expect(() => unwrap(r)).toThrow(/no member-host kind "no-such-kind".*test-sink/);
  });
});
