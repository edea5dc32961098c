// End to end over HTTP: three consumers share a 6-partition topic through heartbeats, POST /v1/fetch
// and commits; one crashes mid-way without committing its last records.

import { expect, it } from "vitest";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";
import {
  describeGroup,
  heartbeat,
  join,
  partitionsOf,
  runAlarmsUntil,
  uniqueGroup,
  type Assignment,
} from "../support/groups.js";

const PARTITIONS = 6;

interface Consumer {
  name: string;
  memberId: string;
  epoch: number;
  assignment: Assignment;
  positions: Map<number, number>;
  alive: boolean;
}

async function produceRound(topic: string, perPartition: number, from: number) {
  const records = [];
  for (let p = 0; p < PARTITIONS; p++)
    for (let i = 0; i < perPartition; i++) records.push({ value: from + i, partition: p });
  const r = await produce(topic, records);
  expect(r.status).toBe(200);
  return records.length;
}

it("three consumers share a 6-partition topic; a crashed one's uncommitted records are redelivered, nothing else", async () => {
  const topic = uniqueTopic();
  const group = uniqueGroup();
  await createTopic(topic, PARTITIONS);
  let produced = await produceRound(topic, 40, 0);

  const consumed: { partition: number; offset: number; by: string }[] = [];
  const consumers: Consumer[] = [];
  for (const [name, session] of [
    ["a", 60_000],
    ["b", 60_000],
    ["c", 2_000],
  ] as const) {
    const r = await join(group, [topic], { session_timeout_ms: session });
    consumers.push({
      name,
      memberId: r.member_id,
      epoch: r.member_epoch,
      assignment: r.assignment,
      positions: new Map(),
      alive: true,
    });
  }

  /** One poll loop iteration: heartbeat, start newly assigned partitions at the committed offset, fetch, process, maybe commit. */
  const poll = async (c: Consumer, commitAfter = true) => {
    const hb = await heartbeat(group, { member_id: c.memberId, member_epoch: c.epoch, owned: c.assignment });
    expect(hb.status).toBe(200);
    c.epoch = hb.body.member_epoch;
    c.assignment = hb.body.assignment;
    const mine = partitionsOf(c.assignment, topic);
    for (const p of [...c.positions.keys()]) if (!mine.includes(p)) c.positions.delete(p);
    const fresh = mine.filter((p) => !c.positions.has(p));
    if (fresh.length > 0) {
      const offsets = (await call("GET", `/v1/groups/${group}/offsets`)).body.offsets as {
        topic: string;
        partition: number;
        offset: number;
      }[];
      for (const p of fresh)
        c.positions.set(p, offsets.find((o) => o.topic === topic && o.partition === p)?.offset ?? 0);
    }
    if (mine.length === 0) return;
    const f = await call("POST", "/v1/fetch", {
      partitions: mine.map((p) => ({ topic, partition: p, offset: c.positions.get(p)! })),
      max_records: 15,
    });
    expect(f.status).toBe(200);
    for (const part of f.body.partitions) {
      for (const rec of part.records) consumed.push({ partition: part.partition, offset: rec.offset, by: c.name });
      c.positions.set(part.partition, part.next_offset);
    }
    if (!commitAfter) return;
    const cm = await call("POST", `/v1/groups/${group}/offsets`, {
      member_id: c.memberId,
      member_epoch: c.epoch,
      offsets: mine.map((p) => ({ topic, partition: p, offset: c.positions.get(p)! })),
    });
    expect(cm.status).toBe(204);
  };

  // Everyone consumes until c holds partitions and has committed progress on them.
  const c = consumers[2]!;
  for (let round = 0; round < 30; round++) {
    for (const x of consumers) await poll(x);
    const cMine = partitionsOf(c.assignment, topic);
    if (round >= 2 && cMine.length > 0 && cMine.every((p) => (c.positions.get(p) ?? 0) > 0)) break;
  }
  const cPartitions = partitionsOf(c.assignment, topic);
  expect(cPartitions.length).toBeGreaterThan(0);
  const lastCommitted = new Map(cPartitions.map((p) => [p, c.positions.get(p)!]));

  // c processes one more page and crashes before committing it.
  await poll(c, false);
  c.alive = false;
  const processed = new Map(cPartitions.map((p) => [p, c.positions.get(p)!]));
  expect([...processed].some(([p, at]) => at > lastCommitted.get(p)!)).toBe(true);
  await runAlarmsUntil(group, async () => (await describeGroup(group)).body.members.length === 2);
  produced += await produceRound(topic, 20, 1000);

  const live = consumers.filter((x) => x.alive);
  for (let round = 0; round < 60; round++) {
    for (const x of live) await poll(x);
    const distinct = new Set(consumed.map((r) => `${r.partition}:${r.offset}`));
    if (distinct.size === produced && (await describeGroup(group)).body.state === "stable") break;
  }

  // Every record was consumed; the only repeats are c's uncommitted window, each exactly once more.
  const times = new Map<string, number>();
  for (const r of consumed) times.set(`${r.partition}:${r.offset}`, (times.get(`${r.partition}:${r.offset}`) ?? 0) + 1);
  expect(times.size).toBe(produced);
  const expectedRepeats = new Set<string>();
  for (const [p, from] of lastCommitted)
    for (let o = from; o < processed.get(p)!; o++) expectedRepeats.add(`${p}:${o}`);
  const repeats = [...times].filter(([, n]) => n > 1);
  expect(repeats.every(([, n]) => n === 2)).toBe(true);
  expect(new Set(repeats.map(([k]) => k))).toEqual(expectedRepeats);

  const d = (await describeGroup(group)).body;
  expect(d.partitions.every((p: any) => p.lag === 0)).toBe(true);
  expect(new Set(d.partitions.map((p: any) => p.member_id)).size).toBe(2);
});
