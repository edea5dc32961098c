import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PartitionDO } from "../worker.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";
import { archivedKeys, describePartition, settle } from "../support/archive.js";

const NOW = Date.now();

async function produceN(topic: string, n: number, from = 0, ts = NOW, perRequest = 5) {
  for (let i = from; i < from + n; i += perRequest) {
    const records = Array.from({ length: Math.min(perRequest, from + n - i) }, (_, j) => ({
      key: `k${i + j}`,
      value: { i: i + j, pad: "y".repeat(24) },
      partition: 0,
      timestamp: ts,
    }));
    expect((await produce(topic, records)).status).toBe(200);
  }
}

async function allOffsets(topic: string, from: number): Promise<number[]> {
  const out: number[] = [];
  for (let offset = from; ; ) {
    const f = await fetchRecords(topic, 0, offset, "&max_records=1000");
    expect(f.status).toBe(200);
    out.push(...f.body.records.map((r: any) => r.offset));
    if (f.body.next_offset >= f.body.high_watermark) return out;
    offset = f.body.next_offset;
  }
}

describe("rolling to R2", () => {
  it("seals segments of at most segment.bytes into objects keyed by base offset, keeping the head hot", async () => {
    const topic = uniqueTopic("roll");
    const t = await createTopic(topic, 1, { "segment.bytes": 2048 });
    await produceN(topic, 100);
    // Appends past segment.bytes set the alarm; settle() runs whatever it has not done yet.
    await settle(await partitionOf(topic, 0));

    const after = await describePartition(topic);
    expect(after.segments).toBeGreaterThanOrEqual(3);
    expect(after.bytes).toBeLessThan(2048);
    const raw = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&max_bytes=1000000`, undefined, {
      accept: "application/vnd.edgelog.record-batch",
    });
    expect(after.bytes + after.archived_bytes).toBe(raw.body.byteLength);
    const keys = await archivedKeys(t.id);
    expect(keys).toHaveLength(after.segments);
    expect(keys[0]).toBe(`topics/${t.id}/0/${"0".padStart(20, "0")}.log`);
    for (const k of keys) {
      const head = await env.ARCHIVE.head(k);
      expect(head!.size).toBeLessThanOrEqual(2048);
    }
    expect(await allOffsets(topic, 0)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("a crash between the upload and the SQLite swap loses nothing and duplicates nothing", async () => {
    const topic = uniqueTopic("crash");
    const t = await createTopic(topic, 1);
    await produceN(topic, 60);
    const stub = await partitionOf(topic, 0);
    const before = await fetchRecords(topic, 0, 0, "&max_records=1000");

    // The object reaches R2, then the object "crashes" before recording it (the put's reply is lost):
    // the test worker's segment store (test/worker.ts) fails each upload after storing it.
    await runInDurableObject(stub, (o: PartitionDO) => void (o.faults.failUploadsAfterPut = true));
    const failures = () => runInDurableObject(stub, (o: PartitionDO) => o.faults.uploadsFailed);
    // Shrinking segment.bytes makes a roll due (the alter wakes the partition's alarm).
    expect((await call("PATCH", `/v1/topics/${topic}`, { config: { "segment.bytes": 2048 } })).status).toBe(200);
    // The alter's alarm may already be running on its own; either way, wait for the faulty upload.
    for (let i = 0; (await failures()) === 0 && i < 1000; i++) await runDurableObjectAlarm(stub);
    expect(await failures()).toBeGreaterThan(0);
    expect(await archivedKeys(t.id)).toHaveLength(1); // uploaded...
    expect(await describePartition(topic)).toMatchObject({ segments: 0, archived_bytes: 0 }); // ...but not in use
    expect(await fetchRecords(topic, 0, 0, "&max_records=1000")).toMatchObject({ status: 200, body: before.body });

    await abortAllDurableObjects(); // the restarted object has the real bucket again
    await settle(await partitionOf(topic, 0));
    const after = await describePartition(topic);
    expect(after.segments).toBeGreaterThanOrEqual(1);
    expect(await archivedKeys(t.id)).toHaveLength(after.segments);
    expect((await fetchRecords(topic, 0, 0, "&max_records=1000")).body).toEqual(before.body);
  });
});

describe("retention", () => {
  it("by time: drops whole segments and batches older than retention.ms, archived or hot, and their objects", async () => {
    const topic = uniqueTopic("ret-time");
    const t = await createTopic(topic, 1, { "segment.bytes": 1024, "retention.ms": 60_000 });
    await produceN(topic, 40, 0, NOW - 3_600_000);
    // Roll the old records into segments of their own first: a segment rolled later could hold old
    // and new batches together, and retention keeps a segment while any of its batches is unexpired.
    const stub = await partitionOf(topic, 0);
    await settle(stub);
    await produceN(topic, 10, 40, NOW);
    await settle(stub);
    const d = await describePartition(topic);
    expect(d.log_start_offset).toBe(40);
    expect(await allOffsets(topic, 40)).toEqual(Array.from({ length: 10 }, (_, i) => 40 + i));
    const gone = await fetchRecords(topic, 0, 0);
    expect(gone.status).toBe(416);
    expect(gone.body.log_start_offset).toBe(40);
    // Only segments holding unexpired data remain in R2.
    for (const k of await archivedKeys(t.id)) expect(Number(k.slice(-24, -4))).toBeGreaterThanOrEqual(40);
    expect((await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=earliest`)).body.offset).toBe(40);
  });

  it("by size: removes the oldest segments while at least retention.bytes would remain", async () => {
    const topic = uniqueTopic("ret-size");
    const t = await createTopic(topic, 1, { "segment.bytes": 1024, "retention.bytes": 3000, "retention.ms": -1 });
    await produceN(topic, 120);
    await settle(await partitionOf(topic, 0));
    const d = await describePartition(topic);
    const kept = d.bytes + d.archived_bytes;
    expect(d.log_start_offset).toBeGreaterThan(0);
    expect(kept).toBeGreaterThanOrEqual(3000);
    expect(kept).toBeLessThan(3000 + 1024);
    expect(await archivedKeys(t.id)).toHaveLength(d.segments);
    expect(await allOffsets(topic, d.log_start_offset)).toEqual(
      Array.from({ length: 120 - d.log_start_offset }, (_, i) => d.log_start_offset + i),
    );
  });

  it("-1 keeps everything; a config change reaches an idle partition on its next alarm", async () => {
    const topic = uniqueTopic("ret-alter");
    await createTopic(topic, 1, { "segment.bytes": 1024, "retention.ms": -1 });
    await produceN(topic, 30, 0, NOW - 3_600_000);
    const stub = await partitionOf(topic, 0);
    await settle(stub);
    expect((await describePartition(topic)).log_start_offset).toBe(0);
    expect((await call("PATCH", `/v1/topics/${topic}`, { config: { "retention.ms": 60_000 } })).status).toBe(200);
    // No produce or fetch in between: the alter itself told the partition.
    await settle(stub);
    expect((await describePartition(topic)).log_start_offset).toBe(30);
  });
});

describe("compaction", () => {
  const history = [
    { key: "a", value: 1 },
    { key: "b", value: 1 },
    { key: "a", value: 2 },
    { key: "c", value: 1 },
    { key: "b", value: null },
    { key: "a", value: 3 },
    { key: "d", value: 1 },
    { key: "c", value: 2 },
    { key: "d", value: null },
  ];

  async function compactedLog(deleteRetentionMs: number) {
    const topic = uniqueTopic("compact");
    await createTopic(topic, 1, {
      "cleanup.policy": "compact",
      "segment.bytes": 1024,
      "delete.retention.ms": deleteRetentionMs,
    });
    for (const r of history) expect((await produce(topic, [{ ...r, partition: 0 }])).status).toBe(200);
    // Distinct keys after the history, enough to seal it and leave an active head.
    for (let i = 0; i < 40; i++)
      expect((await produce(topic, [{ key: `f${i}`, value: i, partition: 0 }])).status).toBe(200);
    await settle(await partitionOf(topic, 0));
    return topic;
  }

  const read = async (topic: string) => (await fetchRecords(topic, 0, 0, "&max_records=1000")).body;
  const fillers = Array.from({ length: 40 }, (_, i) => ({ offset: 9 + i, key: `f${i}`, value: i }));

  it("keeps the latest record per key at its original offset and drops expired tombstones", async () => {
    const topic = await compactedLog(0);
    const body = await read(topic);
    expect(body.records.map((r: any) => ({ offset: r.offset, key: r.key, value: r.value }))).toEqual([
      { offset: 5, key: "a", value: 3 },
      { offset: 7, key: "c", value: 2 },
      ...fillers,
    ]);
    expect(body.next_offset).toBe(49);
    expect((await describePartition(topic)).segments).toBeGreaterThanOrEqual(2);
    // Offsets removed by compaction are gaps a consumer steps over.
    const mid = await fetchRecords(topic, 0, 1, "&max_records=1");
    expect(mid.body.records[0].offset).toBe(5);
  });

  it("keeps tombstones for delete.retention.ms, and drops them once a lower setting applies", async () => {
    const topic = await compactedLog(86_400_000);
    expect((await read(topic)).records.map((r: any) => [r.offset, r.key, r.value])).toEqual([
      [4, "b", null],
      [5, "a", 3],
      [7, "c", 2],
      [8, "d", null],
      ...fillers.map((f) => [f.offset, f.key, f.value]),
    ]);
    expect((await call("PATCH", `/v1/topics/${topic}`, { config: { "delete.retention.ms": 0 } })).status).toBe(200);
    await settle(await partitionOf(topic, 0));
    expect((await read(topic)).records.map((r: any) => r.offset)).toEqual([5, 7, ...fillers.map((f) => f.offset)]);
  });
});

describe("compact,delete", () => {
  it("forgets the keys whose latest record retention removed, so the key map stays bounded", async () => {
    const topic = uniqueTopic("compact-delete");
    await createTopic(topic, 1, { "cleanup.policy": "compact,delete", "segment.bytes": 1024, "retention.bytes": 2048 });
    for (let i = 0; i < 60; i++)
      expect((await produce(topic, [{ key: `k${i}`, value: i, partition: 0 }])).status).toBe(200);
    const stub = await partitionOf(topic, 0);
    await settle(stub);
    const start = (await describePartition(topic)).log_start_offset;
    expect(start).toBeGreaterThan(0);
    const keys = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ offset: number }>(`SELECT offset FROM compact_keys`)
        .toArray()
        .map((r) => r.offset),
    );
    expect(keys.length).toBeGreaterThan(0);
    // Only keys still in the log remain: none points below the log start.
    expect(keys.filter((o) => o < start)).toEqual([]);
    const left = (await fetchRecords(topic, 0, start, "&max_records=1000")).body.records.map(
      (r: { offset: number }) => r.offset,
    );
    for (const o of keys) expect(left).toContain(o);
  });
});

describe("topic deletion", () => {
  it("removes the partition's R2 objects in the background", async () => {
    const topic = uniqueTopic("del");
    const t = await createTopic(topic, 1, { "segment.bytes": 1024 });
    await produceN(topic, 40);
    const stub = await partitionOf(topic, 0);
    await settle(stub);
    expect((await archivedKeys(t.id)).length).toBeGreaterThan(0);
    expect((await call("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    await settle(stub);
    expect(await archivedKeys(t.id)).toEqual([]);
  });
});

describe("storage configs", () => {
  it("rejects invalid retention, segment and compaction settings at create and alter", async () => {
    const topic = uniqueTopic("cfg");
    for (const config of [
      { "segment.bytes": 2 * 1024 ** 3 },
      { "segment.bytes": 100 },
      { "retention.bytes": 0 },
      { "retention.ms": -2 },
      { "segment.ms": 0 },
      { "cleanup.policy": "archive" },
      { "delete.retention.ms": -1 },
    ]) {
      const r = await call("POST", "/v1/topics", { name: topic, config });
      expect(r.status, JSON.stringify(config)).toBe(400);
      expect(r.body.error.code).toBe("INVALID_CONFIG");
    }
    await createTopic(topic);
    const bad = await call("PATCH", `/v1/topics/${topic}`, { config: { "segment.bytes": 2 * 1024 ** 3 } });
    expect(bad.status).toBe(400);
    expect((await call("GET", `/v1/topics/${topic}`)).body.config["segment.bytes"]).toBe(1024 ** 3);
  });
});
