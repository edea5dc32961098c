// Router group commit against a real workerd (wrangler dev):
// concurrent produce requests to one partition, merged into one append, must each get their own
// outcome — distinct dense offsets, in their own order, and each idempotent producer's requests in
// sequence. (The Workers vitest pool runs the same path in test/integration/group-commit.test.ts.)

import { beforeAll, expect, it } from "vitest";
import { expectOwnOutcomes, type ProduceReply } from "../support/group-commit-checks.js";
import { sharedServer, type SharedServer } from "../support/shared-servers.js";

// The shared "open" server: default group commit, and a topic of its own.
let shared: SharedServer;
beforeAll(async () => {
  shared = await sharedServer("open");
}, 90_000);
const server = () => shared;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${server().url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

it("gives every concurrent request distinct, dense offsets in its own order, and each producer's requests in sequence", async () => {
  const topic = `gc-${Date.now().toString(36)}`;
  expect((await call("POST", "/v1/topics", { name: topic })).status).toBe(201);
  const producers = await Promise.all(
    Array.from({ length: 4 }, async () => (await call("POST", "/v1/producers")).body),
  );
  const replies: ProduceReply[] = [];
  const anonymous = Array.from({ length: 96 }, async (_, i) => {
    const values = Array.from({ length: 1 + (i % 4) }, (_, j) => `a${i}.${j}`);
    const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, {
      records: values.map((value) => ({ value })),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    replies.push({ values, offsets: r.body.records.map((x: any) => x.offset) });
  });
  const idempotent = producers.map(async (producer, p) => {
    const mine: number[] = [];
    for (let n = 0; n < 8; n++) {
      const values = [`p${p}.${n}.0`, `p${p}.${n}.1`];
      const r = await call("POST", `/v1/topics/${topic}/records`, {
        records: values.map((value) => ({ value, partition: 0 })),
        producer: { id: producer.id, epoch: producer.epoch, sequence: n * 2 },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      replies.push({ values, offsets: r.body.records.map((x: any) => x.offset) });
      mine.push(...r.body.records.map((x: any) => x.offset));
    }
    return mine;
  });
  await Promise.all(anonymous);
  const perProducer = await Promise.all(idempotent);
  const log = (await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&max_records=10000`)).body.records;
  expectOwnOutcomes(replies, perProducer, log);
}, 60_000);
