// An idempotent producer (acks=all) and a consumer group through leader moves of a geo-replicated
// topic, against a real `wrangler dev`: leadership goes to another region and back home (admin
// elections, Kafka's kafka-leader-election.sh) while records flow; nothing is lost or duplicated.
// An unplanned failover too: the leader's region lost (test/fault-worker.ts) under an idempotent
// acks=all producer.

import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { Edgelog } from "../../src/client/index.js";
import { startGateway } from "../../src/gateway/main.js";
import { API } from "../../src/gateway/wire/messages.js";
import { exchange, wireClient } from "../support/kafka-wire.js";
import { startServer } from "../support/server.js";
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

  it("the Kafka gateway reports the real leader epoch and fences a client's stale one (KIP-320)", async () => {
    const topic = `fo-kip320-${Date.now().toString(36)}`;
    await client.admin().createTopic(topic, { partitions: 1, config: { "replica.regions": ["weur"] } });
    await client.producer({ acks: "all" }).send(topic, [{ value: "r0" }]);
    const gateway = await startGateway({ listen: "127.0.0.1:0", upstream: server.url, log: () => {} });
    const wire = await wireClient(gateway.port);
    let correlation = 0;
    try {
      const epochOf = async () =>
        (
          await exchange(
            wire,
            API.Metadata,
            12,
            { Topics: [{ Name: topic }], AllowAutoTopicCreation: false },
            ++correlation,
          )
        ).Topics[0].Partitions[0].LeaderEpoch;
      expect(await epochOf()).toBe(0);
      expect(await elect(topic, { election_type: "clean", region: "weur" })).toEqual([
        { partition: 0, leader: "weur", leader_epoch: 1 },
      ]);
      expect(await epochOf()).toBe(1);

      const fetchAt = async (epoch: number) =>
        (
          await exchange(
            wire,
            API.Fetch,
            12,
            {
              ReplicaId: -1,
              MaxWaitMs: 0,
              MinBytes: 0,
              MaxBytes: 1 << 20,
              IsolationLevel: 0,
              SessionId: 0,
              SessionEpoch: -1,
              Topics: [
                {
                  Topic: topic,
                  Partitions: [
                    {
                      Partition: 0,
                      CurrentLeaderEpoch: epoch,
                      FetchOffset: 0,
                      LastFetchedEpoch: -1,
                      LogStartOffset: -1,
                      PartitionMaxBytes: 1 << 20,
                    },
                  ],
                },
              ],
              ForgottenTopicsData: [],
              RackId: "",
            },
            ++correlation,
          )
        ).Responses[0].Partitions[0];
      const FENCED_LEADER_EPOCH = 74;
      const UNKNOWN_LEADER_EPOCH = 75;
      expect((await fetchAt(0)).ErrorCode).toBe(FENCED_LEADER_EPOCH);
      expect((await fetchAt(2)).ErrorCode).toBe(UNKNOWN_LEADER_EPOCH);
      const current = await fetchAt(1);
      expect(current.ErrorCode).toBe(0);
      expect(current.Records.byteLength).toBeGreaterThan(0);
      expect((await fetchAt(-1)).ErrorCode).toBe(0); // no epoch named: nothing to check

      const listAt = async (epoch: number) =>
        (
          await exchange(
            wire,
            API.ListOffsets,
            7,
            {
              ReplicaId: -1,
              IsolationLevel: 0,
              Topics: [{ Name: topic, Partitions: [{ PartitionIndex: 0, CurrentLeaderEpoch: epoch, Timestamp: -1 }] }],
            },
            ++correlation,
          )
        ).Topics[0].Partitions[0];
      expect((await listAt(0)).ErrorCode).toBe(FENCED_LEADER_EPOCH);
      expect(await listAt(1)).toMatchObject({ ErrorCode: 0, Offset: 1 });
      const endAt = async (current: number) =>
        (
          await exchange(
            wire,
            API.OffsetForLeaderEpoch,
            4,
            {
              ReplicaId: -1,
              Topics: [{ Topic: topic, Partitions: [{ Partition: 0, CurrentLeaderEpoch: current, LeaderEpoch: 0 }] }],
            },
            ++correlation,
          )
        ).Topics[0].Partitions[0];
      expect((await endAt(0)).ErrorCode).toBe(FENCED_LEADER_EPOCH);
      expect(await endAt(1)).toMatchObject({ ErrorCode: 0, LeaderEpoch: 0, EndOffset: 1 });
    } finally {
      wire.close();
      await gateway.close();
    }
  });

  it("an unplanned failover: the leader's region lost under an idempotent acks=all producer, nothing lost or duplicated", async () => {
    // Its own server: the test Worker's objects, whose links follow a network table
    // (test/fault-worker.ts), so the leader's region can be taken out.
    const faulty = await startServer({ main: "test/fault-worker.ts" });
    onTestFinished(() => faulty.dispose());
    const server = { url: faulty.url };
    const client = new Edgelog({ url: faulty.url });
    const topic = `fo-lost-${Date.now().toString(36)}`;
    await client.admin().createTopic(topic, {
      partitions: 1,
      config: { "replica.regions": ["weur", "apac"], "min.insync.replicas": 2, "replica.lag.time.max.ms": 1000 },
    });
    const { id } = (await (await fetch(`${server.url}/v1/topics/${topic}`)).json()) as { id: string };
    const producer = client.producer({ acks: "all", lingerMs: 2 });
    const N = 200;
    const sends: Promise<unknown>[] = [];
    try {
      for (let i = 0; i < N; i++) {
        if (i === N / 2) {
          await Promise.all(sends.splice(0));
          const r = await fetch(`${server.url}/__faults/down`, {
            method: "POST",
            body: JSON.stringify({ topic_id: id, partition: 0, copy: "home" }),
          });
          expect(r.status).toBe(200);
          const lostAt = Date.now();
          await producer.send(topic, [{ key: `k${i}`, value: i }]);
          console.log(`e2e failover: write unavailability ${Date.now() - lostAt} ms (replica.lag.time.max.ms 1000)`);
          continue;
        }
        sends.push(producer.send(topic, [{ key: `k${i}`, value: i }]));
        if (i % 20 === 19) await Promise.all(sends.splice(0));
      }
      await Promise.all(sends);
    } finally {
      await producer.close();
      await fetch(`${server.url}/__faults/clear`, { method: "POST" });
    }
    const d = (await (await fetch(`${server.url}/v1/topics/${topic}`)).json()) as {
      partitions: { high_watermark: number; leader: string; leader_epoch: number }[];
    };
    expect(d.partitions[0]).toMatchObject({ high_watermark: N, leader_epoch: 1 });
    expect(["weur", "apac"]).toContain(d.partitions[0]!.leader);
    const values: unknown[] = [];
    for (let offset = 0; values.length < N; ) {
      const r = await fetch(`${server.url}/v1/topics/${topic}/partitions/0/records?offset=${offset}&replica=leader`);
      const body = (await r.json()) as { records: { value: unknown }[]; next_offset: number };
      expect(r.status).toBe(200);
      if (body.records.length === 0) break;
      values.push(...body.records.map((x) => x.value));
      offset = body.next_offset;
    }
    expect(values).toEqual(Array.from({ length: N }, (_, i) => i));
  }, 120_000);
});
