// An idempotent producer (acks=all) and a consumer group through leader moves of a geo-replicated
// topic, against a real `wrangler dev`: leadership goes to another region and back home (admin
// elections, Kafka's kafka-leader-election.sh) while records flow; nothing is lost or duplicated.
// A lost region (an unplanned failover) needs injected faults: test/integration/failover.test.ts.

import { beforeAll, describe, expect, it } from "vitest";
import { Edgelog } from "../../src/client/index.js";
import { sharedServer, type SharedServer } from "../support/shared-servers.js";

let server: SharedServer;
let client: Edgelog;
beforeAll(async () => {
  server = await sharedServer("open");
  client = new Edgelog({ url: server.url });
}, 90_000);

async function elect(
  topic: string,
  body: unknown,
): Promise<{ partition: number; leader: string; leader_epoch: number }[]> {
  const r = await fetch(`${server.url}/v1/topics/${topic}/elect-leaders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const reply = (await r.json()) as { partitions: { partition: number; leader: string; leader_epoch: number }[] };
  expect(r.status, JSON.stringify(reply)).toBe(200);
  return reply.partitions;
}

describe("leader failover with real clients", () => {
  it("an idempotent producer and a consumer group keep going through a move to weur and back home", async () => {
    const topic = `fo-${Date.now().toString(36)}`;
    await client.admin().createTopic(topic, {
      partitions: 2,
      config: { "replica.regions": ["weur", "apac"], "min.insync.replicas": 2 },
    });
    const N = 600;
    const seen = new Map<string, number>();
    let wake = () => {};
    const all = new Promise<void>((r) => (wake = r));
    const consumer = client.consumer({
      groupId: `g-${topic}`,
      fromBeginning: true,
      autoCommitIntervalMs: 200,
      maxWaitMs: 200,
    });
    consumer.subscribe(topic);
    await consumer.run({
      eachBatch: ({ messages }) => {
        for (const m of messages) seen.set(m.key!, (seen.get(m.key!) ?? 0) + 1);
        if (seen.size >= N) wake();
      },
    });

    const producer = client.producer({ acks: "all", lingerMs: 2 });
    const sends: Promise<unknown>[] = [];
    const moves: Record<number, () => Promise<unknown>> = {
      200: () => elect(topic, { election_type: "clean", region: "weur" }),
      400: () => elect(topic, { election_type: "preferred" }),
    };
    for (let i = 0; i < N; i++) {
      if (moves[i]) {
        // Mid-stream: records are in flight while the leaders move.
        const moved = await moves[i]!();
        expect(moved).toEqual([
          { partition: 0, leader: i === 200 ? "weur" : "home", leader_epoch: i === 200 ? 1 : 2 },
          { partition: 1, leader: i === 200 ? "weur" : "home", leader_epoch: i === 200 ? 1 : 2 },
        ]);
      }
      sends.push(producer.send(topic, [{ key: `k${i}`, value: i }]));
      if (i % 50 === 49) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    await all;
    await consumer.stop();
    await producer.close();

    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const d = (await (await fetch(`${server.url}/v1/topics/${topic}`)).json()) as { partitions: unknown[] };
    const parts = d.partitions as { high_watermark: number; leader: string; leader_epoch: number }[];
    expect(parts.reduce((n, p) => n + p.high_watermark, 0)).toBe(N); // dense offsets, no duplicate stored
    expect(parts.map((p) => [p.leader, p.leader_epoch])).toEqual([
      ["home", 2],
      ["home", 2],
    ]);
  });
});
