// Geo-replication: follower copies, the in-sync set, acks=all, the high watermark and nearest reads.

import { describe, expect, it } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { PartitionDO } from "../worker.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { settle } from "../support/archive.js";
import { breakRegion, describeP, followerOf, leaderOf, rows, until } from "../support/replication.js";

const value = (i: number) => ({ n: i, pad: "x".repeat(40) });

async function replicated(regions: string[], extra: Record<string, unknown> = {}, partitions = 1) {
  const topic = uniqueTopic("geo");
  await createTopic(topic, partitions, { "replica.regions": regions, ...extra });
  return topic;
}

async function expectIdentical(topic: string, regions: string[], p = 0) {
  const leader = await rows(await leaderOf(topic, p));
  expect(leader.length).toBeGreaterThan(0);
  for (const r of regions)
    expect(await rows(await followerOf(topic, r, p)), `follower ${r} of partition ${p}`).toEqual(leader);
}

describe("follower copies", () => {
  it("are byte-identical to the leader after concurrent produce, same offsets", async () => {
    const regions = ["weur", "apac"];
    const topic = await replicated(regions, {}, 2);
    const sends = Array.from({ length: 24 }, (_, i) =>
      produce(
        topic,
        Array.from({ length: 5 }, (_, j) => ({
          key: `k${(i * 5 + j) % 7}`,
          value: value(i * 5 + j),
          headers: { h: String(i) },
        })),
        { acks: i % 2 === 0 ? "all" : 1 },
      ),
    );
    for (const r of await Promise.all(sends)) expect(r.status).toBe(200);
    for (const p of [0, 1]) {
      // acks=1 writes reach the followers in the background; the last acks=all write waits for all of them.
      expect(
        (
          await call("POST", `/v1/topics/${topic}/partitions/${p}/records`, {
            records: [{ value: "last" }],
            acks: "all",
          })
        ).status,
      ).toBe(200);
      const d = await describeP(topic, p);
      expect(d.high_watermark).toBe(d.log_end_offset);
      expect(d.isr).toEqual(["leader", "weur", "apac"]);
      for (const r of d.replicas!) expect(r).toMatchObject({ log_end_offset: d.log_end_offset, lag: 0, in_sync: true });
      await expectIdentical(topic, regions, p);
    }
  });

  it("a region added later copies the existing log, from the leader's hot start when older data is archived", async () => {
    const topic = uniqueTopic("geo");
    await createTopic(topic, 1, { "segment.bytes": 2048 });
    for (let i = 0; i < 8; i++)
      expect(
        (
          await produce(
            topic,
            Array.from({ length: 10 }, (_, j) => ({ value: value(i * 10 + j) })),
          )
        ).status,
      ).toBe(200);
    await settle(await leaderOf(topic));
    const before = await describeP(topic);
    expect(before.log_end_offset).toBe(80);
    expect((await call("PATCH", `/v1/topics/${topic}`, { config: { "replica.regions": ["eeur"] } })).status).toBe(200);
    const d = await until(
      "eeur catches up and joins the ISR",
      () => describeP(topic),
      (v) => v.isr?.includes("eeur") === true,
    );
    expect(d.replicas![0]).toMatchObject({ region: "eeur", log_end_offset: 80, in_sync: true });
    await expectIdentical(topic, ["eeur"]);
    // Everything stays readable: archived offsets through the leader, the rest from the copy.
    const all = await fetchRecords(topic, 0, 0, "&replica=eeur&max_records=100");
    expect(all.body.records.map((r: { value: { n: number } }) => r.value.n)).toEqual(
      Array.from({ length: 80 }, (_, i) => i),
    );
  });
});

describe("compaction and retention on a replicated topic", () => {
  it("followers apply the leader's compaction rewrites and drop what retention removed, staying byte-identical", async () => {
    const topic = await replicated(["weur", "apac"], {
      "cleanup.policy": "compact",
      "segment.bytes": 1024,
      "delete.retention.ms": 0,
    });
    const history = ["a", "b", "a", "c", "b", "a", "d", "c", "d"].map((key, i) => ({
      key,
      value: i === 4 || i === 8 ? null : i,
    }));
    for (const r of history) expect((await produce(topic, [r], { acks: "all" })).status).toBe(200);
    for (let i = 0; i < 40; i++)
      expect((await produce(topic, [{ key: `f${i}`, value: i }], { acks: "all" })).status).toBe(200);
    const leader = await leaderOf(topic);
    await settle(leader);
    const after = await rows(leader);
    expect(after.length).toBeLessThan(history.length + 40); // compaction removed rows (and rewrote others)
    await until(
      "followers apply the rewrites",
      async () => rows(await followerOf(topic, "apac")),
      (r) => r.join() === after.join(),
    );
    await expectIdentical(topic, ["weur", "apac"]);
    const fromCopy = await fetchRecords(topic, 0, 0, "&replica=weur&max_records=3");
    expect(fromCopy.headers.get("edgelog-replica")).toBe("weur");
    expect(fromCopy.body.records.map((r: { key: string }) => r.key)).toEqual(["a", "c", "f0"]);
    // The rewrite queue empties once every follower has applied it.
    expect(
      await runInDurableObject(
        leader,
        (_o, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM replica_rewrites`).one().n,
      ),
    ).toBe(0);
  });

  it("followers drop rows the leader archived to R2 and serve those offsets from the leader's objects", async () => {
    const topic = await replicated(["weur"], { "segment.bytes": 1024 });
    for (let i = 0; i < 6; i++)
      expect(
        (
          await produce(
            topic,
            Array.from({ length: 10 }, (_, j) => ({ value: value(i * 10 + j) })),
            { acks: "all" },
          )
        ).status,
      ).toBe(200);
    const leader = await leaderOf(topic);
    await settle(leader);
    const leaderRows = await rows(leader);
    await until(
      "the copy drops the archived rows",
      async () => rows(await followerOf(topic, "weur")),
      (r) => r.join() === leaderRows.join(),
    );
    const old = await fetchRecords(topic, 0, 0, "&replica=weur&max_records=5");
    expect(old.headers.get("edgelog-replica")).toBe("weur");
    expect(old.body.records.map((r: { value: { n: number } }) => r.value.n)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("acks=all and the high watermark", () => {
  it("waits for every in-sync replica; consumers see nothing above the high watermark meanwhile", async () => {
    const topic = await replicated(["weur", "apac"]);
    const leader = await leaderOf(topic);
    expect((await produce(topic, [{ value: 0 }], { acks: "all" })).status).toBe(200);
    const restore = await breakRegion(leader, "apac");
    let settled = false;
    const pending = produce(topic, [{ value: 1 }, { value: 2 }], { acks: "all" }).finally(() => (settled = true));
    const d = await until(
      "the write is stored but not replicated",
      () => describeP(topic),
      (v) => v.log_end_offset === 3,
    );
    // apac is still in sync (within replica.lag.time.max.ms) and lacks the batch: the high watermark holds.
    expect(d.high_watermark).toBe(1);
    expect(d.isr).toEqual(["leader", "weur", "apac"]);
    const apac = d.replicas!.find((r) => r.region === "apac")!;
    expect(apac.log_end_offset).toBe(1);
    expect(apac.error).toMatch(/injected fault/);
    expect((await fetchRecords(topic, 0, 0, "&replica=leader")).body.records).toHaveLength(1);
    expect((await fetchRecords(topic, 0, 1, "&replica=leader")).body).toMatchObject({ records: [], high_watermark: 1 });
    expect(settled).toBe(false);
    await restore();
    await runDurableObjectAlarm(leader);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body.records.map((x: { offset: number }) => x.offset)).toEqual([1, 2]);
    expect((await describeP(topic)).high_watermark).toBe(3);
    await expectIdentical(topic, ["weur", "apac"]);
  });

  it("a failing follower does not block acks=1, leaves the ISR, and then acks=all fails with NOT_ENOUGH_REPLICAS writing nothing", async () => {
    const topic = await replicated(["weur", "apac"], { "min.insync.replicas": 3, "replica.lag.time.max.ms": 100 });
    const leader = await leaderOf(topic);
    const restore = await breakRegion(leader, "apac");
    const one = await produce(topic, [{ value: "a" }, { value: "b" }], { acks: 1 });
    expect(one.status).toBe(200);
    const d = await until(
      "apac leaves the ISR",
      () => describeP(topic),
      (v) => v.isr?.length === 2,
    );
    expect(d.isr).toEqual(["leader", "weur"]);
    // With apac out, the high watermark is what the leader and weur hold.
    expect(d.high_watermark).toBe(2);
    const all = await produce(topic, [{ value: "c" }], { acks: "all" });
    expect(all.status).toBe(503);
    expect(all.body.error).toMatchObject({ code: "NOT_ENOUGH_REPLICAS", retriable: true });
    expect((await describeP(topic)).log_end_offset).toBe(2);

    // Recovery: apac catches up byte-identically and rejoins; acks=all works again.
    await restore();
    await runDurableObjectAlarm(leader);
    await until(
      "apac rejoins the ISR",
      () => describeP(topic),
      (v) => v.isr?.length === 3,
    );
    expect((await produce(topic, [{ value: "c" }], { acks: "all" })).status).toBe(200);
    await expectIdentical(topic, ["weur", "apac"]);
  });

  it("reports NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrinks below min.insync.replicas during the wait; a retry is a duplicate", async () => {
    const topic = await replicated(["weur", "apac"], { "min.insync.replicas": 3, "replica.lag.time.max.ms": 150 });
    const leader = await leaderOf(topic);
    const producer = (await call("POST", "/v1/producers")).body;
    const restore = await breakRegion(leader, "apac");
    const body = { records: [{ value: "once" }], acks: "all", producer: { ...producer, sequence: 0 } };
    const r = await call("POST", `/v1/topics/${topic}/records`, body);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe("NOT_ENOUGH_REPLICAS_AFTER_APPEND");
    await restore();
    await runDurableObjectAlarm(leader);
    await until(
      "apac rejoins",
      () => describeP(topic),
      (v) => v.isr?.length === 3,
    );
    const retry = await call("POST", `/v1/topics/${topic}/records`, body);
    expect(retry.status).toBe(200);
    expect(retry.body.records[0]).toMatchObject({ offset: 0, duplicate: true });
    expect((await describeP(topic)).log_end_offset).toBe(1);
  });

  it("keeps its in-sync set and high watermark across a leader restart", async () => {
    const topic = await replicated(["weur"]);
    const leader = await leaderOf(topic);
    expect((await produce(topic, [{ value: 1 }, { value: 2 }], { acks: "all" })).status).toBe(200);
    await runInDurableObject(leader, (_o, state) => state.abort("test restart")).catch(() => undefined);
    const d = await describeP(topic);
    expect(d).toMatchObject({ high_watermark: 2, log_end_offset: 2, isr: ["leader", "weur"] });
    expect((await produce(topic, [{ value: 3 }], { acks: "all" })).status).toBe(200);
    await expectIdentical(topic, ["weur"]);
  });
});

describe("reads from the nearest replica", () => {
  it("serves from the named replica, from the leader on request, and refuses a region the topic lacks", async () => {
    const topic = await replicated(["weur", "apac"]);
    expect(
      (
        await produce(
          topic,
          [
            { key: "k", value: 1 },
            { key: "k", value: 2 },
          ],
          { acks: "all" },
        )
      ).status,
    ).toBe(200);
    for (const [replica, servedBy] of [
      ["weur", "weur"],
      ["apac", "apac"],
      ["leader", "leader"],
      ["nearest", "leader"],
    ]) {
      const r = await fetchRecords(topic, 0, 0, `&replica=${replica}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("edgelog-replica")).toBe(servedBy);
      expect(r.body.records.map((x: { value: number }) => x.value)).toEqual([1, 2]);
    }
    // Serving reads never turns a copy into a leader of copies of its own.
    for (const region of ["weur", "apac"]) {
      expect(
        await runInDurableObject(await followerOf(topic, region), (_o, state) => state.storage.kv.get("isr")),
      ).toBeUndefined();
    }
    const bad = await fetchRecords(topic, 0, 0, "&replica=oc");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/no replica in oc/);
    const unknown = await fetchRecords(topic, 0, 0, "&replica=mars");
    expect(unknown.status).toBe(400);
  });

  it("falls back to the leader when the replica is behind the requested offset", async () => {
    const topic = await replicated(["weur", "apac"], { "replica.lag.time.max.ms": 50 });
    const leader = await leaderOf(topic);
    expect((await produce(topic, [{ value: 1 }], { acks: "all" })).status).toBe(200);
    // acks=all answers once every copy holds the record; a copy learns that the high watermark
    // moved past it from the leader's next chunk, in the background. Cut apac off only once told,
    // else its copy of offset 0 is still above its high watermark and the leader serves it.
    await until(
      "apac is told the high watermark",
      async () => runInDurableObject(await followerOf(topic, "apac"), (_o, state) => state.storage.kv.get("leader_hw")),
      (hw) => hw === 1,
    );
    const restore = await breakRegion(leader, "apac");
    expect((await produce(topic, [{ value: 2 }, { value: 3 }])).status).toBe(200);
    await until(
      "apac leaves the ISR",
      () => describeP(topic),
      (v) => v.isr?.length === 2 && v.high_watermark === 3,
    );
    const behind = await fetchRecords(topic, 0, 1, "&replica=apac");
    expect(behind.headers.get("edgelog-replica")).toBe("leader");
    expect(behind.body.records.map((x: { value: number }) => x.value)).toEqual([2, 3]);
    // What the copy holds, it serves.
    const held = await fetchRecords(topic, 0, 0, "&replica=apac&max_records=1");
    expect(held.headers.get("edgelog-replica")).toBe("apac");
    expect(held.body.records.map((x: { value: number }) => x.value)).toEqual([1]);
    await restore();
  });

  it("long-polls and live-tails on the replica, woken when the leader's high watermark reaches it", async () => {
    const topic = await replicated(["weur"]);
    expect((await produce(topic, [{ value: 0 }], { acks: "all" })).status).toBe(200);
    const poll = fetchRecords(topic, 0, 1, "&replica=weur&wait_ms=5000");
    await until(
      "the poll is parked on the replica",
      async () => runInDurableObject(await followerOf(topic, "weur"), (o: PartitionDO) => o.longPolls),
      (n) => n === 1,
    );
    expect((await produce(topic, [{ value: 1 }])).status).toBe(200);
    const r = await poll;
    expect(r.headers.get("edgelog-replica")).toBe("weur");
    expect(r.body.records.map((x: { value: number }) => x.value)).toEqual([1]);

    const sse = await exports.default.fetch(
      `http://edgelog.test/v1/topics/${topic}/partitions/0/records?offset=0&live=sse&replica=weur`,
    );
    expect(sse.headers.get("edgelog-replica")).toBe("weur");
    const reader = sse.body!.getReader();
    const { value: chunk } = await reader.read();
    expect(new TextDecoder().decode(chunk)).toMatch(/^event: records\nid: 2\n/);
    await reader.cancel();
  });
});

describe("live tail on a replica", () => {
  it("a WebSocket subscriber is held by the nearest copy and gets records once they are replicated", async () => {
    const topic = await replicated(["apac"]);
    expect((await produce(topic, [{ value: 0 }], { acks: "all" })).status).toBe(200);
    const res = await exports.default.fetch(
      new Request(`http://edgelog.test/v1/topics/${topic}/partitions/0/records?offset=0&replica=apac`, {
        headers: { upgrade: "websocket" },
      }),
    );
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const frames: { records: { value: number }[]; next_offset: number }[] = [];
    let wake = () => {};
    ws.addEventListener("message", (e) => {
      frames.push(JSON.parse(e.data as string));
      wake();
    });
    ws.accept();
    const framesReach = (n: number) =>
      new Promise<void>((resolve) => {
        wake = () => frames.length >= n && resolve();
        wake();
      });
    await framesReach(1);
    // The socket lives on the follower object, not the leader.
    expect(await runInDurableObject(await followerOf(topic, "apac"), (_o, state) => state.getWebSockets().length)).toBe(
      1,
    );
    expect(await runInDurableObject(await leaderOf(topic), (_o, state) => state.getWebSockets().length)).toBe(0);
    ws.send(JSON.stringify({ ack: frames[0]!.next_offset }));
    expect((await produce(topic, [{ value: 1 }, { value: 2 }])).status).toBe(200);
    await framesReach(2);
    expect(frames.flatMap((f) => f.records.map((r) => r.value))).toEqual([0, 1, 2]);
    ws.close(1000, "done");
  });
});

describe("consumer groups on a replicated topic", () => {
  it("members fetch from a copy, commit, and lag counts to the high watermark, not the unreplicated end", async () => {
    const topic = await replicated(["weur", "apac"], { "replica.lag.time.max.ms": 30_000 });
    const group = uniqueTopic("g");
    expect((await produce(topic, [{ value: 1 }, { value: 2 }], { acks: "all" })).status).toBe(200);
    const restore = await breakRegion(await leaderOf(topic), "apac");
    expect((await produce(topic, [{ value: 3 }])).status).toBe(200); // stored, not yet on apac: above the high watermark
    const joined = (
      await call("POST", `/v1/groups/${group}/heartbeat`, { member_id: null, member_epoch: 0, topics: [topic] })
    ).body;
    const member = (
      await call("POST", `/v1/groups/${group}/heartbeat`, {
        member_id: joined.member_id,
        member_epoch: joined.member_epoch,
      })
    ).body;
    expect(member.assignment).toEqual([{ topic, partitions: [0] }]);
    const fetched = await call("POST", "/v1/fetch", {
      partitions: [{ topic, partition: 0, offset: 0 }],
      replica: "weur",
    });
    expect(fetched.body.partitions[0]).toMatchObject({ next_offset: 2, high_watermark: 2 });
    expect(fetched.body.partitions[0].records.map((r: { value: number }) => r.value)).toEqual([1, 2]);
    const commit = await call("POST", `/v1/groups/${group}/offsets`, {
      member_id: member.member_id,
      member_epoch: member.member_epoch,
      offsets: [{ topic, partition: 0, offset: 1 }],
    });
    expect(commit.status).toBe(204);
    const described = (await call("GET", `/v1/groups/${group}`)).body;
    expect(described.partitions.find((l: { partition: number }) => l.partition === 0)).toMatchObject({
      committed_offset: 1,
      high_watermark: 2,
      lag: 1,
    });
    await restore();
  });
});

describe("bad replica configuration", () => {
  it("rejects unknown regions and min.insync.replicas above the replica count, creating nothing", async () => {
    const topic = uniqueTopic("geo");
    const bad = await call("POST", "/v1/topics", { name: topic, config: { "replica.regions": ["weur", "narnia"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "INVALID_CONFIG" });
    expect(bad.body.error.message).toMatch(/unknown region "narnia"/);
    const tooMany = await call("POST", "/v1/topics", {
      name: topic,
      config: { "replica.regions": ["weur"], "min.insync.replicas": 3 },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/exceeds the replica count/);
    expect((await call("GET", `/v1/topics/${topic}`)).status).toBe(404);
  });

  it("refuses to remove the region holding the only in-sync copy besides the leader; an out-of-sync one goes", async () => {
    const topic = await replicated(["weur", "apac"], { "min.insync.replicas": 2, "replica.lag.time.max.ms": 50 });
    const leader = await leaderOf(topic);
    const restore = await breakRegion(leader, "apac");
    expect((await produce(topic, [{ value: 1 }])).status).toBe(200);
    await until(
      "apac leaves the ISR",
      () => describeP(topic),
      (v) => v.isr?.length === 2,
    );
    const refused = await call("PATCH", `/v1/topics/${topic}`, { config: { "replica.regions": ["apac"] } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("INVALID_REPLICA_ASSIGNMENT");
    expect((await call("GET", `/v1/topics/${topic}`)).body.config["replica.regions"]).toEqual(["weur", "apac"]);
    await restore();

    const removed = await call("PATCH", `/v1/topics/${topic}`, { config: { "replica.regions": ["weur"] } });
    expect(removed.status).toBe(200);
    const d = await describeP(topic);
    expect(d.isr).toEqual(["leader", "weur"]);
    expect(d.replicas!.map((r) => r.region)).toEqual(["weur"]);
    await until(
      "apac's copy is dropped",
      async () => rows(await followerOf(topic, "apac")),
      (r) => r.length === 0,
    );
  });

  it("deleting the topic drops every copy", async () => {
    const topic = await replicated(["weur"]);
    expect((await produce(topic, [{ value: 1 }], { acks: "all" })).status).toBe(200);
    const follower = await followerOf(topic, "weur");
    expect(await rows(follower)).toHaveLength(1);
    expect((await call("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    await until(
      "the follower's copy is dropped",
      () => rows(follower),
      (r) => r.length === 0,
    );
  });
});
