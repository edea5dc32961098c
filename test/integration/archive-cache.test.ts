import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { PartitionDO } from "../worker.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";
import { archivedKeys, settle } from "../support/archive.js";

const TOTAL = 60;

/** A log whose head lies in several small R2 segments; its partition object too. */
async function archivedLog() {
  const topic = uniqueTopic("cached");
  const t = await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
  for (let b = 0; b < TOTAL / 5; b++) {
    const records = Array.from({ length: 5 }, (_, j) => ({
      key: `k${j}`,
      value: { i: b * 5 + j, pad: "x".repeat(30) },
    }));
    expect(
      (
        await produce(
          topic,
          records.map((r) => ({ ...r, partition: 0 })),
        )
      ).status,
    ).toBe(200);
  }
  const stub = await partitionOf(topic, 0);
  await settle(stub);
  const keys = await archivedKeys(t.id);
  expect(keys.length).toBeGreaterThanOrEqual(3);
  const look = () =>
    runInDurableObject(stub, (o: PartitionDO) => ({
      r2Reads: o.faults.r2RangeReads,
      bytesOf: keys.map((k) => o.faults.ranges.bytesOf(k)),
    }));
  return { topic, keys, bases: keys.map((k) => Number(k.slice(-24, -4))), stub, look };
}

/** Every record from `from` to the end, page by page: [offset, value.i]. */
async function readAll(topic: string, from: number): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for (let offset = from; offset < TOTAL; ) {
    const f = await fetchRecords(topic, 0, offset, "&max_records=7");
    expect(f.status).toBe(200);
    out.push(...f.body.records.map((r: any) => [r.offset, r.value.i] as [number, number]));
    offset = f.body.next_offset;
  }
  return out;
}

describe("the partition object's cache of archived ranges", () => {
  it("answers a range read again without asking R2, with the same records", async () => {
    const { topic, look } = await archivedLog();
    const first = await readAll(topic, 0);
    expect(first).toEqual(Array.from({ length: TOTAL }, (_, i) => [i, i]));
    const after1 = await look();
    expect(after1.r2Reads).toBeGreaterThan(0);
    expect(await readAll(topic, 0)).toEqual(first);
    expect((await look()).r2Reads).toBe(after1.r2Reads);
  });

  it("keeps no bytes of a segment retention removed: its offsets are out of range, the rest read as before", async () => {
    const { topic, keys, bases, look } = await archivedLog();
    await readAll(topic, 0);
    expect((await look()).bytesOf[0]).toBeGreaterThan(0);

    const cut = bases[1]!;
    const del = await call("POST", `/v1/topics/${topic}/partitions/0/delete-records`, { before_offset: cut });
    expect(del.status).toBe(200);
    // Below the new log start nothing is served, cached or not.
    const gone = await fetchRecords(topic, 0, 0);
    expect(gone.status).toBe(416);
    expect(gone.body.error.code).toBe("OFFSET_OUT_OF_RANGE");

    await settle(await partitionOf(topic, 0));
    expect(await archivedKeys((await call("GET", `/v1/topics/${topic}`)).body.id)).not.toContain(keys[0]);
    const now = await look();
    expect(now.bytesOf[0]).toBe(0);
    expect(now.bytesOf[1]).toBeGreaterThan(0);
    expect((await fetchRecords(topic, 0, 0)).status).toBe(416);
    expect(await readAll(topic, cut)).toEqual(Array.from({ length: TOTAL - cut }, (_, i) => [cut + i, cut + i]));
  });

  it("drops an object's ranges when a read finds it damaged, so a repaired object is read afresh", async () => {
    const { topic, keys, look } = await archivedLog();
    const { env } = await import("cloudflare:workers");
    const good = new Uint8Array(await (await env.ARCHIVE.get(keys[0]!))!.arrayBuffer());
    const bad = good.slice();
    bad[100] = bad[100]! ^ 0xff;
    await env.ARCHIVE.put(keys[0]!, bad);
    expect((await fetchRecords(topic, 0, 0)).status).toBe(503);
    expect((await look()).bytesOf[0]).toBe(0);
    await env.ARCHIVE.put(keys[0]!, good);
    const f = await fetchRecords(topic, 0, 0, "&max_records=3");
    expect(f.status).toBe(200);
    expect(f.body.records.map((r: any) => r.value.i)).toEqual([0, 1, 2]);
  });
});
