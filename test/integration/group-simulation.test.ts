// Random membership churn against the group state machine (in a coordinator's real SQLite, with a
// simulated clock): after every step no partition has two holders; once quiet, every partition one.

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ASSIGNOR_NAMES } from "../../src/coordinator/assignors/index.js";
import { Group, type HeartbeatReply, type SessionLimits } from "../../src/coordinator/group.js";
import { uniqueGroup } from "../support/groups.js";
import { rng } from "../support/random.js";
import { coordinatorObject } from "../../src/objects.js";

const LIMITS: SessionLimits = {
  minSessionTimeoutMs: 100,
  maxSessionTimeoutMs: 10_000,
  defaultSessionTimeoutMs: 1_000,
  maxSize: 1_000,
};
const PARTITIONS = new Map([
  ["orders", 7],
  ["audit", 3],
]);

/** A simulated client: reports as owned exactly what its last reply assigned (it drops revoked ones at once). */
interface Client {
  id: string;
  epoch: number;
  instanceId: string | null;
  topics: string[];
  assignment: HeartbeatReply["assignment"];
  alive: boolean;
}

/** No partition is held (assigned, or still reported owned) by two members at once. */
function expectNoSharedPartitions(group: Group, step: string) {
  const holder = new Map<string, string>();
  for (const m of group.describeMembers()) {
    const held = new Set([...m.assignment, ...m.owned].flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)));
    for (const k of held) {
      expect(holder.get(k), `${step}: ${k} held by ${holder.get(k)} and ${m.member_id}`).toBeUndefined();
      holder.set(k, m.member_id);
    }
  }
}

async function simulate(assignor: string, seed: number) {
  const stub = coordinatorObject(env, uniqueGroup(`sim-${assignor}`));
  await runInDurableObject(stub, (_o, state) => {
    const group = new Group(state.storage.sql);
    const random = rng(seed);
    let now = 1_000_000;
    const clients: Client[] = [];
    let instances = 0;
    const send = (c: Client) => {
      const r = group.heartbeat(
        "sim",
        { member_id: c.id, member_epoch: c.epoch, owned: c.assignment },
        PARTITIONS,
        LIMITS,
        now,
      );
      c.epoch = r.member_epoch;
      c.assignment = r.assignment;
    };

    for (let step = 0; step < 150; step++) {
      const live = clients.filter((c) => c.alive);
      const roll = random();
      let what: string;
      if (live.length < 2 || roll < 0.2) {
        // Join: sometimes static, sometimes re-using a crashed member's instance id (a restart).
        const crashedStatic = clients.find(
          (c) =>
            !c.alive && c.instanceId !== null && group.describeMembers().some((m) => m.instance_id === c.instanceId),
        );
        const instanceId =
          crashedStatic && random() < 0.5 ? crashedStatic.instanceId : random() < 0.3 ? `i-${++instances}` : null;
        const topics = random() < 0.7 ? ["orders", "audit"] : ["orders"];
        const r = group.heartbeat(
          "sim",
          { member_id: null, member_epoch: 0, topics, instance_id: instanceId, assignor },
          PARTITIONS,
          LIMITS,
          now,
        );
        if (crashedStatic && instanceId === crashedStatic.instanceId) crashedStatic.instanceId = null;
        clients.push({
          id: r.member_id,
          epoch: r.member_epoch,
          instanceId,
          topics,
          assignment: r.assignment,
          alive: true,
        });
        what = `join ${r.member_id}`;
      } else if (roll < 0.3) {
        const c = live[Math.floor(random() * live.length)]!;
        group.leave(c.id);
        c.alive = false;
        what = `leave ${c.id}`;
      } else if (roll < 0.4) {
        const c = live[Math.floor(random() * live.length)]!;
        c.alive = false; // crashes: stops heartbeating and is removed when its session runs out
        what = `crash ${c.id}`;
      } else {
        for (const c of live) if (random() < 0.6) send(c);
        what = "heartbeats";
      }
      // Live clients heartbeat well within their 1 s sessions; the crashed ones run out.
      now += Math.floor(random() * 400);
      for (const c of clients.filter((x) => x.alive)) send(c);
      group.expire(now);
      expectNoSharedPartitions(group, `step ${step} (${what})`);
    }

    // Quiet period: only live clients heartbeat; the group converges with every partition owned once.
    now += 2_000;
    for (const c of clients.filter((x) => x.alive)) send(c);
    group.expire(now);
    expect(
      group
        .describeMembers()
        .map((m) => m.member_id)
        .sort(),
    ).toEqual(
      clients
        .filter((c) => c.alive)
        .map((c) => c.id)
        .sort(),
    );
    for (let round = 0; round < 10 && group.state() !== "stable"; round++) {
      for (const c of clients.filter((x) => x.alive)) send(c);
      expectNoSharedPartitions(group, `settle ${round}`);
    }
    expect(group.state()).toBe("stable");
    const owners = new Map<string, number>();
    for (const m of group.describeMembers()) {
      for (const a of m.assignment)
        for (const p of a.partitions) owners.set(`${a.topic}:${p}`, (owners.get(`${a.topic}:${p}`) ?? 0) + 1);
    }
    const subscribed = new Set(group.describeMembers().flatMap((m) => m.topics));
    const expected = [...PARTITIONS]
      .filter(([t]) => subscribed.has(t))
      .flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}:${p}`));
    expect([...owners.keys()].sort()).toEqual(expected.sort());
    expect([...owners.values()].every((n) => n === 1)).toBe(true);
  });
}

describe("group simulation: members join, leave and crash in random order", () => {
  for (const assignor of ASSIGNOR_NAMES) {
    it(`never gives a partition two owners, and converges (${assignor})`, async () => {
      for (const seed of [1, 2, 3]) await simulate(assignor, seed);
    });
  }
});
