import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PartitionLog } from "../../src/log/partition-log.js";
import type { PartitionDO } from "../worker.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";

describe("durability", () => {
  it("keeps offsets dense and loses nothing when objects are evicted and reloaded", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 2);
    for (let round = 0; round < 3; round++) {
      const r = await produce(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 4}`, value: { round, i } })),
      );
      expect(r.status).toBe(200);
      // Evict every object: in-memory state is gone, only what SQLite holds remains.
      await abortAllDurableObjects();
    }
    let total = 0;
    for (const p of [0, 1]) {
      const f = await fetchRecords(topic, p, 0, "&max_records=1000");
      expect(f.body.records.map((r: any) => r.offset)).toEqual(f.body.records.map((_: unknown, i: number) => i));
      expect(f.body.high_watermark).toBe(f.body.records.length);
      total += f.body.records.length;
    }
    expect(total).toBe(30);
    const d = await call("GET", `/v1/topics/${topic}`);
    expect(d.body.partitions.reduce((n: number, p: any) => n + p.high_watermark, 0)).toBe(30);
  });
});

describe("fetch cost is independent of log length", () => {
  it("reads near the start and near the end of a 100,000-record log touch a bounded number of rows", async () => {
    const topic = uniqueTopic();
    const t = await createTopic(topic);
    const stub = await partitionOf(topic, 0);
    const ref = { id: t.id, name: topic, partition: 0, version: t.version, config: t.config };
    const perBatch = 5;
    const rows = 20_000;
    await runInDurableObject(stub, async (o: PartitionDO) => {
      for (let b = 0; b < rows; b++) {
        const batch = encodeBatch(
          Array.from({ length: perBatch }, (_, i) => ({
            key: null,
            value: new Uint8Array([b & 255, i]),
            timestamp: 1_000 + b,
          })),
        );
        const r = await o.append(ref, batch);
        if (!r.ok) throw new Error(JSON.stringify(r.error));
      }
    });
    const total = rows * perBatch;
    const rowsRead = (offset: number, maxRecords: number) =>
      runInDurableObject(stub, async (o: PartitionDO) => {
        const r = await o.read(ref, { offset, maxBytes: 1 << 20, maxRecords, waitMs: 0 });
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        return { rows: r.value.rowsRead, batches: r.value.batches.length };
      });
    const start = await rowsRead(0, 50);
    const middle = await rowsRead(total / 2 + 3, 50);
    const end = await rowsRead(total - 7, 50);
    // 50 records from a 5-record-per-batch log need 10-11 batch rows, plus the rows SQLite counts for
    // the MAX(base_offset) seek: a constant, whatever the log's length (20,000 rows here).
    for (const r of [start, middle, end]) expect(r.rows).toBeLessThanOrEqual(14);
    expect(start.batches).toBe(10);
    expect(end.batches).toBe(2);
    // A time lookup is one index seek too.
    const byTime = await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=${1_000 + rows - 2}`);
    expect(byTime.body.offset).toBe(total - 2 * perBatch);
  }, 120_000);
});

describe("a log transaction that rolls back", () => {
  it("leaves the log's offsets as SQLite has them, so the next append reuses the offset", async () => {
    const topic = uniqueTopic();
    const t = await createTopic(topic);
    const stub = await partitionOf(topic, 0);
    await runInDurableObject(stub, (_o: PartitionDO, state) => {
      const log = PartitionLog.open(state.storage);
      const batch = () => encodeBatch([{ key: null, value: new Uint8Array([1]), timestamp: 1 }]);
      const opts = { timestampType: "CreateTime" as const, maxMessageBytes: t.config["max.message.bytes"], now: 1 };
      expect(() =>
        log.transaction(() => {
          log.append(batch(), opts);
          throw new Error("the caller's next step failed");
        }),
      ).toThrow();
      // No reload for the caller to forget: the in-memory state rolled back with the rows.
      expect(log.state.logEndOffset).toBe(0);
      expect(log.append(batch(), opts)[0]!.baseOffset).toBe(0);
    });
  });
});
