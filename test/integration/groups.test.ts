import { describe, expect, it } from "vitest";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";
import { describeGroup, heartbeat, join, partitionsOf, runAlarmsUntil, uniqueGroup } from "../support/groups.js";

async function topicWith(partitions: number, recordsPerPartition = 0) {
  const topic = uniqueTopic();
  await createTopic(topic, partitions);
  for (let p = 0; p < partitions && recordsPerPartition > 0; p++) {
    await produce(
      topic,
      Array.from({ length: recordsPerPartition }, (_, i) => ({ value: i, partition: p, timestamp: 1_000 + i })),
    );
  }
  return topic;
}

async function commit(group: string, body: Record<string, unknown>) {
  return call("POST", `/v1/groups/${group}/offsets`, body);
}

async function committed(group: string) {
  return (await call("GET", `/v1/groups/${group}/offsets`)).body.offsets as {
    topic: string;
    partition: number;
    offset: number;
  }[];
}

describe("consumer group membership", () => {
  it("hands a partition to a new member only after the old owner stops reporting it", async () => {
    const topic = await topicWith(4);
    const group = uniqueGroup();
    const a = await join(group, [topic]);
    expect(partitionsOf(a.assignment, topic)).toEqual([0, 1, 2, 3]);
    expect(a.member_epoch).toBeGreaterThan(0);

    const b = await join(group, [topic]);
    expect(b.assignment).toEqual([]); // all four are still A's

    // A learns it must give two up: its epoch rises, but it still reports owning all four.
    const owned = [{ topic, partitions: [0, 1, 2, 3] }];
    const a2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch, owned })).body;
    expect(partitionsOf(a2.assignment, topic)).toHaveLength(2);
    expect(a2.member_epoch).toBeGreaterThan(a.member_epoch);
    const b2 = (await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch, owned: [] })).body;
    expect(b2.assignment).toEqual([]);

    // Once A reports only what it kept, B gets the rest.
    await heartbeat(group, { member_id: a.member_id, member_epoch: a2.member_epoch, owned: a2.assignment });
    const b3 = (await heartbeat(group, { member_id: b.member_id, member_epoch: b2.member_epoch, owned: [] })).body;
    const mine = partitionsOf(b3.assignment, topic);
    expect([...mine, ...partitionsOf(a2.assignment, topic)].sort()).toEqual([0, 1, 2, 3]);
    expect(b3.member_epoch).toBeGreaterThan(b2.member_epoch);
    expect(b3.heartbeat_interval_ms).toBeGreaterThan(0);
  });

  it("reassigns a crashed member's partitions after its session timeout (alarm-driven)", async () => {
    const topic = await topicWith(4);
    const group = uniqueGroup();
    const a = await join(group, [topic], { session_timeout_ms: 800 });
    const b = await join(group, [topic], { session_timeout_ms: 60_000 });
    const a2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch })).body;
    await heartbeat(group, { member_id: a.member_id, member_epoch: a2.member_epoch });
    let bReply = (await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch })).body;
    expect(partitionsOf(bReply.assignment, topic)).toHaveLength(2);

    // A stops heartbeating; its session deadline fires the coordinator's alarm.
    await runAlarmsUntil(group, async () => (await describeGroup(group)).body.members.length === 1);
    bReply = (await heartbeat(group, { member_id: b.member_id, member_epoch: bReply.member_epoch })).body;
    expect(partitionsOf(bReply.assignment, topic)).toEqual([0, 1, 2, 3]);
    const late = await heartbeat(group, { member_id: a.member_id, member_epoch: a2.member_epoch });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("UNKNOWN_MEMBER_ID");
  });

  it("fences a member that keeps partitions it was asked to release past its rebalance timeout", async () => {
    const topic = await topicWith(4);
    const group = uniqueGroup();
    const a = await join(group, [topic], { session_timeout_ms: 60_000, rebalance_timeout_ms: 300 });
    const b = await join(group, [topic], { session_timeout_ms: 60_000 });
    // A is told to give two partitions up, and keeps reporting all four (a stuck poll loop).
    const all = [{ topic, partitions: [0, 1, 2, 3] }];
    const a2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch, owned: all })).body;
    expect(partitionsOf(a2.assignment, topic)).toHaveLength(2);
    await heartbeat(group, { member_id: a.member_id, member_epoch: a2.member_epoch, owned: all });
    expect((await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch })).body.assignment).toEqual(
      [],
    );

    // Within its session, but past its rebalance timeout: the coordinator's alarm fences it.
    await runAlarmsUntil(group, async () => (await describeGroup(group)).body.members.length === 1);
    const late = await heartbeat(group, { member_id: a.member_id, member_epoch: a2.member_epoch, owned: all });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("UNKNOWN_MEMBER_ID");
    let bEpoch = b.member_epoch;
    let mine: number[] = [];
    for (let i = 0; i < 3 && mine.length < 4; i++) {
      const r = (await heartbeat(group, { member_id: b.member_id, member_epoch: bEpoch })).body;
      bEpoch = r.member_epoch;
      mine = partitionsOf(r.assignment, topic);
    }
    expect(mine).toEqual([0, 1, 2, 3]);
  });

  it("a member that releases in time keeps its place, and bad rebalance timeouts are refused", async () => {
    const topic = await topicWith(2);
    const group = uniqueGroup();
    const a = await join(group, [topic], { session_timeout_ms: 60_000, rebalance_timeout_ms: 200 });
    const b = await join(group, [topic], { session_timeout_ms: 60_000 });
    const a2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch })).body;
    const kept = partitionsOf(a2.assignment, topic);
    expect(kept).toHaveLength(1);
    // A reports only what it kept: nothing left to release, so no deadline remains.
    await heartbeat(group, {
      member_id: a.member_id,
      member_epoch: a2.member_epoch,
      owned: [{ topic, partitions: kept }],
    });
    const d = (await describeGroup(group)).body;
    expect(d.members).toHaveLength(2);
    expect(d.members.every((m: { revoke_by: number | null }) => m.revoke_by === null)).toBe(true);
    await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch });
    for (const bad of [0, -5, 1.5, 3_600_001]) {
      const r = await heartbeat(group, {
        member_id: null,
        member_epoch: 0,
        topics: [topic],
        rebalance_timeout_ms: bad,
      });
      expect(r.status).toBe(400);
    }
    expect((await describeGroup(group)).body.members).toHaveLength(2);
  });

  it("frees a leaving member's partitions at once", async () => {
    const topic = await topicWith(2);
    const group = uniqueGroup();
    const a = await join(group, [topic]);
    const b = await join(group, [topic]);
    expect((await call("DELETE", `/v1/groups/${group}/members/${a.member_id}`)).status).toBe(204);
    const r = (await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch })).body;
    expect(partitionsOf(r.assignment, topic)).toEqual([0, 1]);
    const again = await call("DELETE", `/v1/groups/${group}/members/${a.member_id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("UNKNOWN_MEMBER_ID");
  });

  it("gives a restarted static member its partitions back without moving anyone else's", async () => {
    const topic = await topicWith(6);
    const group = uniqueGroup();
    const members = [];
    for (const id of ["i-a", "i-b", "i-c"]) members.push(await join(group, [topic], { instance_id: id }));
    // Settle: everyone heartbeats until the group is stable.
    const epochs = new Map(members.map((m) => [m.member_id, m.member_epoch]));
    const assignments = new Map<string, number[]>();
    for (let round = 0; round < 4; round++) {
      for (const m of members) {
        const r = (await heartbeat(group, { member_id: m.member_id, member_epoch: epochs.get(m.member_id) })).body;
        epochs.set(m.member_id, r.member_epoch);
        assignments.set(m.member_id, partitionsOf(r.assignment, topic));
      }
    }
    expect((await describeGroup(group)).body.state).toBe("stable");
    const before = await describeGroup(group);

    // i-b restarts under a new process: it joins with the same instance id and no member id.
    const restarted = await join(group, [topic], { instance_id: "i-b" });
    expect(partitionsOf(restarted.assignment, topic)).toEqual(assignments.get(members[1]!.member_id));
    const after = await describeGroup(group);
    expect(after.body.members).toHaveLength(3);
    expect(after.body.group_epoch).toBe(before.body.group_epoch);
    for (const m of [members[0]!, members[2]!]) {
      const r = (await heartbeat(group, { member_id: m.member_id, member_epoch: epochs.get(m.member_id) })).body;
      expect(r.member_epoch).toBe(epochs.get(m.member_id));
      expect(partitionsOf(r.assignment, topic)).toEqual(assignments.get(m.member_id));
    }
    const old = await heartbeat(group, {
      member_id: members[1]!.member_id,
      member_epoch: epochs.get(members[1]!.member_id),
    });
    expect(old.body.error.code).toBe("UNKNOWN_MEMBER_ID");
  });

  it("notices new partitions of a subscribed topic and deleted topics", async () => {
    const topic = await topicWith(2);
    const other = await topicWith(2);
    const group = uniqueGroup();
    const a = await join(group, [topic, other]);
    expect(partitionsOf(a.assignment, topic)).toEqual([0, 1]);
    expect((await call("PATCH", `/v1/topics/${topic}`, { partitions: 4 })).status).toBe(200);
    const r = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch })).body;
    expect(partitionsOf(r.assignment, topic)).toEqual([0, 1, 2, 3]);
    expect((await call("DELETE", `/v1/topics/${other}`)).status).toBe(204);
    const r2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: r.member_epoch })).body;
    expect(r2.assignment).toEqual([{ topic, partitions: [0, 1, 2, 3] }]);
    expect(r2.member_epoch).toBeGreaterThan(r.member_epoch);
  });

  it("reads owned: null as Kafka's 'unchanged since my last report': a partition taken away stays held until the member lets go", async () => {
    const topic = await topicWith(4);
    const group = uniqueGroup();
    const a = await join(group, [topic]);
    expect(partitionsOf(a.assignment, topic)).toEqual([0, 1, 2, 3]);
    const b = await join(group, [topic]);
    // A hears of its smaller share but, as a KIP-848 client still draining, reports null.
    const shrunk = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch, owned: null })).body;
    const kept = partitionsOf(shrunk.assignment, topic);
    expect(kept).toHaveLength(2);
    await heartbeat(group, { member_id: a.member_id, member_epoch: shrunk.member_epoch, owned: null });
    const waiting = (await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch })).body;
    expect(partitionsOf(waiting.assignment, topic)).toEqual([]);
    // Once A reports only what it kept, B gets the other two.
    await heartbeat(group, {
      member_id: a.member_id,
      member_epoch: shrunk.member_epoch,
      owned: [{ topic, partitions: kept }],
    });
    const given = (await heartbeat(group, { member_id: b.member_id, member_epoch: waiting.member_epoch })).body;
    expect([...partitionsOf(given.assignment, topic), ...kept].sort()).toEqual([0, 1, 2, 3]);
  });

  it("moves classic members only when they rejoin, and tells them to with rejoin: true", async () => {
    const topic = await topicWith(4);
    const group = uniqueGroup();
    const a = await join(group, [topic], { protocol: "classic" });
    expect(partitionsOf(a.assignment, topic)).toEqual([0, 1, 2, 3]);
    const b = await join(group, [topic], { protocol: "classic" });
    expect(b.assignment).toEqual([]);
    // A's heartbeat keeps its assignment and epoch, but asks it to rejoin.
    const hb = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch })).body;
    expect(hb).toMatchObject({ member_epoch: a.member_epoch, rejoin: true });
    expect(partitionsOf(hb.assignment, topic)).toEqual([0, 1, 2, 3]);
    // Eager rejoin: A owns nothing when it rejoins, and gets its new share under a new epoch.
    const a2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: 0, owned: [] })).body;
    expect(partitionsOf(a2.assignment, topic)).toHaveLength(2);
    expect(a2.member_epoch).toBe(a.member_epoch + 1);
    const bHb = (await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch })).body;
    expect(bHb).toMatchObject({ rejoin: true, assignment: [] });
    const b2 = (await heartbeat(group, { member_id: b.member_id, member_epoch: 0 })).body;
    expect([...partitionsOf(b2.assignment, topic), ...partitionsOf(a2.assignment, topic)].sort()).toEqual([0, 1, 2, 3]);
    const settled = (await heartbeat(group, { member_id: b.member_id, member_epoch: b2.member_epoch })).body;
    expect(settled.rejoin).toBe(false);
  });
});

describe("consumer group offsets", () => {
  it("answers a stale commit as each protocol's clients expect: STALE_MEMBER_EPOCH for a consumer member, ILLEGAL_GENERATION for a classic one", async () => {
    const topic = await topicWith(1, 4);
    const consumerGroup = uniqueGroup();
    const c = await join(consumerGroup, [topic]);
    const stale = await commit(consumerGroup, {
      member_id: c.member_id,
      member_epoch: c.member_epoch - 1,
      offsets: [{ topic, partition: 0, offset: 2 }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("STALE_MEMBER_EPOCH");

    const classicGroup = uniqueGroup();
    const k = await join(classicGroup, [topic], { protocol: "classic" });
    const old = await commit(classicGroup, {
      member_id: k.member_id,
      member_epoch: k.member_epoch - 1,
      offsets: [{ topic, partition: 0, offset: 2 }],
    });
    expect(old.status).toBe(409);
    expect(old.body.error.code).toBe("ILLEGAL_GENERATION");
    expect(await committed(classicGroup)).toEqual([]);
    const ok = await commit(classicGroup, {
      member_id: k.member_id,
      member_epoch: k.member_epoch,
      offsets: [{ topic, partition: 0, offset: 2 }],
    });
    expect(ok.status).toBe(204);
  });

  it("rejects commits from fenced members without changing the committed offset", async () => {
    const topic = await topicWith(2, 10);
    const group = uniqueGroup();
    const a = await join(group, [topic], { session_timeout_ms: 800 });
    expect(
      (
        await commit(group, {
          member_id: a.member_id,
          member_epoch: a.member_epoch,
          offsets: [{ topic, partition: 0, offset: 4 }],
        })
      ).status,
    ).toBe(204);
    const b = await join(group, [topic], { session_timeout_ms: 60_000 });
    const a2 = (await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch })).body;
    const kept = partitionsOf(a2.assignment, topic)[0]!;
    const given = 1 - kept;

    // Stale epoch: the commit carries the epoch before the reassignment.
    const stale = await commit(group, {
      member_id: a.member_id,
      member_epoch: a.member_epoch,
      offsets: [{ topic, partition: kept, offset: 7 }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("STALE_MEMBER_EPOCH");

    // Once A has let go of a partition, it may not commit it.
    await heartbeat(group, { member_id: a.member_id, member_epoch: a2.member_epoch, owned: a2.assignment });
    const bHb = (await heartbeat(group, { member_id: b.member_id, member_epoch: b.member_epoch })).body;
    expect(partitionsOf(bHb.assignment, topic)).toEqual([given]);
    const notOwned = await commit(group, {
      member_id: a.member_id,
      member_epoch: a2.member_epoch,
      offsets: [{ topic, partition: given, offset: 9 }],
    });
    expect(notOwned.status).toBe(409);
    expect(notOwned.body.error.code).toBe("PARTITION_NOT_OWNED");

    // After its session expires A is unknown, and its late commit changes nothing.
    await runAlarmsUntil(group, async () => (await describeGroup(group)).body.members.length === 1);
    const zombie = await commit(group, {
      member_id: a.member_id,
      member_epoch: a2.member_epoch,
      offsets: [{ topic, partition: kept, offset: 8 }],
    });
    expect(zombie.status).toBe(409);
    expect(zombie.body.error.code).toBe("UNKNOWN_MEMBER_ID");
    const noMember = await commit(group, { offsets: [{ topic, partition: kept, offset: 8 }] });
    expect(noMember.body.error.code).toBe("NON_EMPTY_GROUP");
    expect(await committed(group)).toEqual([{ topic, partition: 0, offset: 4, metadata: null }]);
  });

  it("reports state, members, assignment and lag per partition, and lists the group", async () => {
    const topic = await topicWith(2, 5);
    const group = uniqueGroup();
    const a = await join(group, [topic]);
    await commit(group, {
      member_id: a.member_id,
      member_epoch: a.member_epoch,
      offsets: [{ topic, partition: 1, offset: 2, metadata: "m" }],
    });
    await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch });
    const d = await describeGroup(group);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ group_id: group, state: "stable", assignor: "sticky" });
    expect(d.body.members).toHaveLength(1);
    expect(d.body.members[0]).toMatchObject({
      member_id: a.member_id,
      topics: [topic],
      assignment: [{ topic, partitions: [0, 1] }],
    });
    expect(d.body.partitions).toEqual([
      {
        topic,
        partition: 0,
        member_id: a.member_id,
        committed_offset: null,
        high_watermark: 5,
        last_stable_offset: 5,
        lag: null,
      },
      {
        topic,
        partition: 1,
        member_id: a.member_id,
        committed_offset: 2,
        high_watermark: 5,
        last_stable_offset: 5,
        lag: 3,
      },
    ]);
    const list = await call("GET", "/v1/groups");
    expect(list.body.groups).toContainEqual({ group_id: group, state: "stable", members: 1 });
    expect((await describeGroup(uniqueGroup("never"))).body.error.code).toBe("GROUP_ID_NOT_FOUND");
  });

  it("lists groups a page at a time, in name order, asking only the page's coordinators", async () => {
    const topic = await topicWith(1);
    const prefix = uniqueGroup("paged");
    const names = ["c", "a", "e", "b", "d"].map((x) => `${prefix}-${x}`);
    for (const g of names) await join(g, [topic]);
    const mine = names.slice().sort();
    const seen: string[] = [];
    let after = `${prefix}-`;
    for (let pages = 0; ; pages++) {
      const r = await call("GET", `/v1/groups?limit=2&after=${encodeURIComponent(after)}`);
      expect(r.status).toBe(200);
      expect(r.body.groups.length).toBeLessThanOrEqual(2);
      const ours = r.body.groups
        .map((g: { group_id: string }) => g.group_id)
        .filter((g: string) => g.startsWith(prefix));
      seen.push(...ours);
      if (r.body.next_after === null || ours.length < r.body.groups.length) break;
      after = r.body.next_after;
      expect(pages).toBeLessThan(5);
    }
    expect(seen).toEqual(mine);
    for (const bad of ["limit=0", "limit=1001", "limit=x"])
      expect((await call("GET", `/v1/groups?${bad}`)).status).toBe(400);
  });

  it("resets offsets to earliest, latest, a time or an offset, and deletes the group, only when empty", async () => {
    const topic = await topicWith(2, 10);
    const group = uniqueGroup();
    const a = await join(group, [topic]);
    const reset = (to: unknown) => call("POST", `/v1/groups/${group}/offsets/reset`, { to, topics: [topic] });
    const busy = await reset("earliest");
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe("NON_EMPTY_GROUP");
    const del = await call("DELETE", `/v1/groups/${group}`);
    expect(del.body.error.code).toBe("NON_EMPTY_GROUP");
    await call("DELETE", `/v1/groups/${group}/members/${a.member_id}`);

    const offsetsAfter = async (to: unknown) => {
      const r = await reset(to);
      expect(r.status).toBe(200);
      return (await committed(group)).map((o) => o.offset);
    };
    expect(await offsetsAfter("latest")).toEqual([10, 10]);
    expect(await offsetsAfter("earliest")).toEqual([0, 0]);
    expect(await offsetsAfter({ timestamp: 1_004 })).toEqual([4, 4]);
    expect(await offsetsAfter({ offset: 7 })).toEqual([7, 7]);
    const beyond = await reset({ offset: 11 });
    expect(beyond.status).toBe(416);
    expect(beyond.body.error.code).toBe("OFFSET_OUT_OF_RANGE");
    expect((await committed(group)).map((o) => o.offset)).toEqual([7, 7]);

    // An empty group accepts commits without a member id (admin tools, simple consumers).
    expect((await commit(group, { offsets: [{ topic, partition: 0, offset: 3 }] })).status).toBe(204);
    expect((await call("DELETE", `/v1/groups/${group}`)).status).toBe(204);
    expect((await describeGroup(group)).status).toBe(404);
    expect(await committed(group)).toEqual([]);
    expect((await call("GET", "/v1/groups")).body.groups.map((g: any) => g.group_id)).not.toContain(group);
    expect((await call("DELETE", `/v1/groups/${group}`)).body.error.code).toBe("GROUP_ID_NOT_FOUND");
  });

  it("forgets offsets of a deleted topic, so a recreated one starts afresh", async () => {
    const topic = await topicWith(1, 3);
    const group = uniqueGroup();
    await commit(group, { offsets: [{ topic, partition: 0, offset: 3 }] });
    await call("DELETE", `/v1/topics/${topic}`);
    await createTopic(topic, 1);
    expect(await committed(group)).toEqual([]);
  });
});

describe("consumer group bad input", () => {
  it("answers each with a 4xx Kafka-style code and changes nothing", async () => {
    const topic = await topicWith(2, 3);
    const group = uniqueGroup();
    const a = await join(group, [topic]);
    const snapshot = async () => {
      const d = (await describeGroup(group)).body;
      return { members: d.members, epoch: d.group_epoch, offsets: await committed(group) };
    };
    const before = await snapshot();
    const hb = (body: Record<string, unknown>) => heartbeat(group, body);
    const cm = (offsets: unknown[], extra: Record<string, unknown> = {}) =>
      commit(group, { member_id: a.member_id, member_epoch: a.member_epoch, offsets, ...extra });
    const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
      ["unknown member", () => hb({ member_id: "nobody", member_epoch: 3 }), 409, "UNKNOWN_MEMBER_ID"],
      [
        "epoch from the future",
        () => hb({ member_id: a.member_id, member_epoch: a.member_epoch + 5 }),
        409,
        "FENCED_MEMBER_EPOCH",
      ],
      [
        "session timeout too short",
        () => hb({ member_id: null, member_epoch: 0, topics: [topic], session_timeout_ms: 10 }),
        400,
        "INVALID_SESSION_TIMEOUT",
      ],
      [
        "session timeout too long",
        () => hb({ member_id: null, member_epoch: 0, topics: [topic], session_timeout_ms: 300_001 }),
        400,
        "INVALID_SESSION_TIMEOUT",
      ],
      [
        "unknown assignor",
        () => hb({ member_id: null, member_epoch: 0, topics: [topic], assignor: "cooperative-magic" }),
        400,
        "UNSUPPORTED_ASSIGNOR",
      ],
      ["join without topics", () => hb({ member_id: null, member_epoch: 0 }), 400, "INVALID_REQUEST"],
      [
        "invalid topic name",
        () => hb({ member_id: null, member_epoch: 0, topics: ["no/slash"] }),
        400,
        "INVALID_TOPIC_EXCEPTION",
      ],
      [
        "invalid group id",
        () => call("POST", "/v1/groups/bad%20id/heartbeat", { member_id: null, member_epoch: 0, topics: [topic] }),
        400,
        "INVALID_GROUP_ID",
      ],
      [
        "stale commit epoch",
        () => cm([{ topic, partition: 0, offset: 1 }], { member_epoch: a.member_epoch - 1 }),
        409,
        "STALE_MEMBER_EPOCH",
      ],
      ["negative offset", () => cm([{ topic, partition: 0, offset: -1 }]), 400, "INVALID_REQUEST"],
      ["offset beyond the high watermark", () => cm([{ topic, partition: 0, offset: 4 }]), 416, "OFFSET_OUT_OF_RANGE"],
      [
        "one bad offset among good ones",
        () =>
          cm([
            { topic, partition: 1, offset: 1 },
            { topic, partition: 0, offset: 9 },
          ]),
        416,
        "OFFSET_OUT_OF_RANGE",
      ],
      ["unknown topic", () => cm([{ topic: "nope-nope", partition: 0, offset: 0 }]), 409, "PARTITION_NOT_OWNED"],
      [
        "metadata too long",
        () => cm([{ topic, partition: 0, offset: 1, metadata: "x".repeat(4097) }]),
        400,
        "INVALID_COMMIT_OFFSET_SIZE",
      ],
      [
        "same partition twice",
        () =>
          cm([
            { topic, partition: 0, offset: 1 },
            { topic, partition: 0, offset: 2 },
          ]),
        400,
        "INVALID_REQUEST",
      ],
      [
        "reset a non-empty group",
        () => call("POST", `/v1/groups/${group}/offsets/reset`, { to: "earliest", topics: [topic] }),
        409,
        "NON_EMPTY_GROUP",
      ],
      ["delete a non-empty group", () => call("DELETE", `/v1/groups/${group}`), 409, "NON_EMPTY_GROUP"],
      [
        "reset to an unknown position",
        () => call("POST", `/v1/groups/${group}/offsets/reset`, { to: "middle", topics: [topic] }),
        400,
        "INVALID_REQUEST",
      ],
    ];
    for (const [name, run, status, code] of cases) {
      const r = await run();
      expect({ name, status: r.status, code: r.body?.error?.code }).toEqual({ name, status, code });
      expect(r.body.error.message.length).toBeGreaterThan(0);
    }
    expect(await snapshot()).toEqual(before);
  });
});
