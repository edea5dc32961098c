// An exactly-once source task (KIP-618) with authentication required: the grants its token needs,
// pinned by hand (test/support/connector-policy.ts), are enough for a delivery, its source offset
// and a recovery after a lost commit reply; without any one of them the write fails with the Kafka
// authorization error naming it and nothing is committed or remembered. This project's deployment
// runs sources at least once, so the task is built as its connector object builds it, over that
// object's storage, with a token holding exactly the grants under test.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Transport } from "../../../src/client/transport.js";
import type { SourceTask } from "../../../src/connect/sources/source-task.js";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, createToken } from "../../support/auth.js";
import { asGrants, exactlyOnceSourceGrants } from "../../support/connector-policy.js";
import { exactlyOnceSource } from "../../support/source-task.js";

/** Partition 0's records as the admin reads them. */
async function values(topic: string, isolation: "read_committed" | "read_uncommitted") {
  const r = await call(
    "GET",
    `/v1/topics/${topic}/partitions/0/records?offset=0&isolation=${isolation}&max_records=100`,
    undefined,
    asAdmin,
  );
  expect(r.status).toBe(200);
  return r.body.records.map((x: any) => x.value);
}

/** A source connector `name` writing `topic` exactly once, its task run with a token (as its object would run it). */
async function connector(name: string) {
  const topic = uniqueTopic(name);
  expect((await call("POST", "/v1/topics", { name: topic, partitions: 1 }, asAdmin)).status).toBe(201);
  const source = exactlyOnceSource(name, topic);
  return {
    topic,
    delivery: source.delivery,
    /** A task with `token`; `loseCommitReply`: the commit reaches the coordinator, its reply does not come back. */
    run: <T>(token: string, fn: (task: SourceTask) => Promise<T>, loseCommitReply = false) =>
      source.run(
        () =>
          new Transport({
            url: "http://edgelog.test",
            token,
            retry: { maxElapsedMs: 300 },
            fetch: async (input, init) => {
              const req = new Request(input as RequestInfo, init);
              const res = await exports.default.fetch(req);
              if (loseCommitReply && new URL(req.url).pathname.endsWith("/commit"))
                throw new TypeError("network connection lost (reply lost)");
              return res;
            },
          }),
        fn,
      ),
  };
}

const committedOffsets = async (name: string) =>
  (await call("GET", `/v1/groups/connect-${name}/offsets?require_stable=true`, undefined, asAdmin)).body.offsets;

describe("an exactly-once source task's token", () => {
  it("needs no more than the pinned grants: a delivery, its source offset, and recovery after a lost commit reply", async () => {
    const name = uniqueTopic("eos-auth");
    const t = await connector(name);
    const { token } = await createToken(asGrants(exactlyOnceSourceGrants(name, t.topic)));

    const first = await t.run(token, (task) => task.write(t.delivery(["a1", "a2"]), "d-1"));
    expect(first.records.map((r) => r.offset)).toEqual([0, 1]);
    expect(await values(t.topic, "read_committed")).toEqual(["a1", "a2"]);
    expect(await committedOffsets(name)).toEqual([
      { topic: t.topic, partition: 0, offset: 1, metadata: expect.stringContaining('"delivery":"d-1"') },
    ]);

    // The commit lands but its reply is lost; a restarted task recovers (reading the group's
    // committed offset with the same token) and answers the sender's retry without writing again.
    await expect(t.run(token, (task) => task.write(t.delivery(["b1"]), "d-2"), true)).rejects.toThrow(
      /committing the delivery failed/,
    );
    const retried = await t.run(token, (task) => task.write(t.delivery(["b1"]), "d-2"));
    expect(retried.duplicate).toBe(true);
    expect(await values(t.topic, "read_committed")).toEqual(["a1", "a2", "b1"]);
    expect(await t.run(token, async (task) => task.offsets()[0]!.offset)).toEqual({
      deliveries: 2,
      last_delivery: "d-2",
    });
  });

  const needed = exactlyOnceSourceGrants("N", "T");
  it.each(
    needed.map((g, i) => [`${g.operations.join(",")} on ${g.resource.replace(/:.*/, "")} (${g.for})`, i] as const),
  )("without %s: the write fails with the authorization error, nothing committed or remembered", async (_label, i) => {
    const name = uniqueTopic("eos-deny");
    const t = await connector(name);
    const policy = exactlyOnceSourceGrants(name, t.topic);
    const missing = policy[i]!;
    // Only the grant under test is withheld: a topic's produce and consume are one grant's operations.
    const others = policy.filter((_, j) => j !== i);
    const { token } = await createToken(asGrants(others));

    const failed = await t.run(token, (task) =>
      task.write(t.delivery(["x1"]), "d-1").then(
        () => null,
        (e: { code?: string; message: string }) => ({ code: e.code, message: e.message }),
      ),
    );
    expect(failed).toMatchObject({ code: missing.refused });
    expect(failed!.message).toContain(missing.resource);
    expect(await values(t.topic, "read_committed")).toEqual([]);
    expect(await committedOffsets(name)).toEqual([]);
    expect(await t.run(token, async (task) => [task.offsets(), task.delivered("d-1")])).toEqual([[], null]);

    // Granted in full, the sender's retry is written once: the refused attempt left nothing open.
    const { token: full } = await createToken(asGrants(policy));
    const retried = await t.run(full, (task) => task.write(t.delivery(["x1"]), "d-1"));
    expect(retried.duplicate).toBeUndefined();
    expect(await values(t.topic, "read_committed")).toEqual(["x1"]);
  });
});
