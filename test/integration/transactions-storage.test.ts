// read_committed wherever the log lives, in workerd: across segments rolled to R2 (with their
// aborted-transaction index), on a compacted topic (aborted records cleaned, markers kept while
// their transaction's records remain, nothing cleaned above the LSO), on a geo-replicated
// follower copy, and through a mirror (which copies committed data only).

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readBatchHeader } from "../../src/protocol/record-batch.js";
import { fromBase64 } from "../../src/util/base64.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { archivedKeys, settle } from "../support/archive.js";
import { partitionOf } from "../support/objects.js";
import { until } from "../support/replication.js";
import { endTxn, initTxn, type Txn, txnProduce, uniqueTxnId, values } from "../support/transactions.js";

const pad = "x".repeat(60);

async function plain(topic: string, records: { key?: string; value: unknown }[]) {
  const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, { records });
  expect(r.status).toBe(200);
}

async function keyed(t: Txn, topic: string, records: { key: string; value: unknown }[]) {
  const key = `${topic}/0`;
  const sequence = t.seq.get(key) ?? 0;
  const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, {
    records,
    producer: { ...t.producer, sequence, transactional_id: t.id },
  });
  expect(r.status).toBe(200);
  t.seq.set(key, sequence + records.length);
}

/** Reads a partition page by page (max_records per page), following next_offset to `end`. */
async function paged(topic: string, isolation: string, maxRecords: number, end: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let offset = 0; offset < end; ) {
    const r = await call(
      "GET",
      `/v1/topics/${topic}/partitions/0/records?offset=${offset}&max_records=${maxRecords}&isolation=${isolation}`,
    );
    expect(r.status).toBe(200);
    out.push(...r.body.records.map((x: { value: unknown }) => x.value));
    expect(r.body.next_offset).toBeGreaterThan(offset);
    offset = r.body.next_offset;
  }
  return out;
}

describe("read_committed across archived segments", () => {
  it("leaves aborted records out of R2 reads, through the index beside the segment", async () => {
    const topic = uniqueTopic("rolled");
    const info = await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
    const aborted = await initTxn(uniqueTxnId());
    const committed = await initTxn(uniqueTxnId());
    await plain(topic, [{ value: "p0" }]);
    await txnProduce(aborted, topic, 0, ["A1", "A2"]);
    await txnProduce(committed, topic, 0, ["C1"]);
    await txnProduce(aborted, topic, 0, ["A3"]);
    await endTxn(aborted, "abort");
    await endTxn(committed, "commit");
    for (let i = 0; i < 30; i++) await plain(topic, [{ value: `f${i}-${pad}` }]);
    // A transaction left open: nothing from its first offset on may be sealed.
    const open = await initTxn(uniqueTxnId());
    await txnProduce(open, topic, 0, ["O1"]);
    for (let i = 0; i < 10; i++) await plain(topic, [{ value: `g${i}-${pad}` }]);
    const stub = await partitionOf(topic, 0);
    await settle(stub);

    const keys = await archivedKeys(info.id);
    expect(keys.filter((k) => k.endsWith(".log")).length).toBeGreaterThan(1);
    expect(keys.filter((k) => k.endsWith(".txnindex"))).toHaveLength(1);
    const firstOpen = (await call("GET", `/v1/topics/${topic}/partitions/0/transactions`)).body.transactions[0]
      .first_offset;
    const archivedEnd = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ e: number | null }>(`SELECT MAX(last_offset) AS e FROM segments WHERE state = 'archived'`)
        .one(),
    );
    expect(archivedEnd.e).not.toBeNull();
    expect(archivedEnd.e!).toBeLessThan(firstOpen);

    const fillers = Array.from({ length: 30 }, (_, i) => `f${i}-${pad}`);
    const stable = ["p0", "C1", ...fillers];
    // A fetch reads a few segments at most, so the log is read page by page; whichever page the
    // aborted producer's marker falls in, its batches stay out.
    expect(await paged(topic, "read_committed", 1000, firstOpen)).toEqual(stable);
    expect(await paged(topic, "read_committed", 1, firstOpen)).toEqual(stable);
    expect(await paged(topic, "read_committed", 3, firstOpen)).toEqual(stable);
    expect((await values(topic, 0, "read_uncommitted")).slice(0, 5)).toEqual(["p0", "A1", "A2", "C1", "A3"]);

    await endTxn(open, "commit");
    await settle(stub);
    const hw = (await call("GET", `/v1/topics/${topic}`)).body.partitions[0].high_watermark;
    expect(await paged(topic, "read_committed", 1000, hw)).toEqual([
      ...stable,
      "O1",
      ...Array.from({ length: 10 }, (_, i) => `g${i}-${pad}`),
    ]);
  });
});

describe("read_committed on a compacted topic", () => {
  it("cleans aborted records, keeps markers while their transaction's records remain, and nothing above the LSO", async () => {
    const topic = uniqueTopic("compacted");
    await createTopic(topic, 1, { "cleanup.policy": "compact", "segment.bytes": 1024, "delete.retention.ms": 0 });
    const t1 = await initTxn(uniqueTxnId());
    await keyed(t1, topic, [
      { key: "k1", value: "t1" },
      { key: "k2", value: "t1" },
    ]);
    await endTxn(t1, "commit"); // offsets 0-1, marker 2: k1=t1 stays, so its marker must
    const t2 = await initTxn(uniqueTxnId());
    await keyed(t2, topic, [{ key: "k1", value: "aborted" }]);
    await endTxn(t2, "abort"); // 3, marker 4: the aborted k1 supersedes nothing and is removed
    await plain(topic, [{ key: "k2", value: "p2" }]); // 5
    const t3 = await initTxn(uniqueTxnId());
    await keyed(t3, topic, [{ key: "k3", value: "t3" }]);
    await endTxn(t3, "commit"); // 6, marker 7: superseded below, so its marker may go
    await plain(topic, [{ key: "k3", value: "p3" }]); // 8
    for (let i = 0; i < 30; i++) await plain(topic, [{ key: `f${i}`, value: pad }]);
    const open = await initTxn(uniqueTxnId());
    await keyed(open, topic, [{ key: "k4", value: "open" }]);
    await plain(topic, [{ key: "k4", value: "p4" }]);
    await settle(await partitionOf(topic, 0));

    const raw = await call("POST", "/v1/fetch", {
      partitions: [{ topic, partition: 0, offset: 0 }],
      format: "batches",
      max_bytes: 16 * 1024 * 1024,
    });
    const bytes = fromBase64(raw.body.partitions[0].batches_b64)!;
    const markers: number[] = [];
    for (let pos = 0; pos < bytes.length; ) {
      const h = readBatchHeader(bytes, pos);
      if (h.attributes & 0x20) markers.push(h.baseOffset);
      pos += h.size;
    }
    // t1's marker stays (k1=t1 remains); t2's and t3's went with their records.
    expect(markers).toEqual([2]);
    const uncommitted = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&max_records=1000`);
    const seen = uncommitted.body.records.map((r: { key: string; value: unknown }) => `${r.key}=${r.value}`);
    expect(seen.slice(0, 3)).toEqual(["k1=t1", "k2=p2", "k3=p3"]);
    expect(seen).not.toContain("k1=aborted");
    // Above the LSO nothing was compacted: the open k4 and the later plain k4 are both there.
    expect(seen.slice(-2)).toEqual(["k4=open", "k4=p4"]);
    const committed = await values(topic, 0);
    expect(committed.slice(0, 3)).toEqual(["t1", "p2", "p3"]);
    expect(committed).not.toContain("open");
  });
});

describe("read_committed on a follower copy", () => {
  it("is served by the nearest copy from its own books: open and aborted transactions stay hidden", async () => {
    const topic = uniqueTopic("geo");
    await createTopic(topic, 1, { "replica.regions": ["weur"] });
    const read = (isolation: string) =>
      call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&isolation=${isolation}&replica=weur`);
    const t = await initTxn(uniqueTxnId());
    await txnProduce(t, topic, 0, ["open"]);
    const a = await initTxn(uniqueTxnId());
    await txnProduce(a, topic, 0, ["aborted"]);
    await endTxn(a, "abort");
    // The copy has everything the leader has, and shows none of it under read_committed.
    const r1 = await until(
      "the follower holds the abort marker",
      () => read("read_uncommitted"),
      (r) => r.headers.get("edgelog-replica") === "weur" && r.body.high_watermark === 3,
    );
    expect(r1.body.records.map((x: { value: unknown }) => x.value)).toEqual(["open", "aborted"]);
    const r2 = await read("read_committed");
    expect(r2.headers.get("edgelog-replica")).toBe("weur");
    expect(r2.body).toMatchObject({ records: [], last_stable_offset: 0, next_offset: 0 });

    await endTxn(t, "commit");
    const r3 = await until(
      "the follower holds the commit marker",
      () => read("read_committed"),
      (r) => r.headers.get("edgelog-replica") === "weur" && r.body.last_stable_offset === 4,
    );
    expect(r3.body.records.map((x: { value: unknown }) => x.value)).toEqual(["open"]);
  });
});

describe("a mirror", () => {
  it("copies committed data only", async () => {
    const source = uniqueTopic("src");
    await createTopic(source, 1);
    const a = await initTxn(uniqueTxnId());
    await txnProduce(a, source, 0, ["aborted"]);
    await endTxn(a, "abort");
    const c = await initTxn(uniqueTxnId());
    await txnProduce(c, source, 0, ["committed"]);
    await endTxn(c, "commit");
    await plain(source, [{ value: "plain" }]);
    const target = uniqueTopic("dst");
    const m = await call("POST", "/v1/mirrors", {
      name: uniqueTopic("m"),
      source: { url: "http://edgelog.test", topic: source },
      topic: target,
    });
    expect(m.status).toBe(201);
    const copied = await until(
      "the mirror copied the source",
      () => values(target, 0, "read_uncommitted").catch(() => []),
      (v) => v.length >= 2,
    );
    expect(copied).toEqual(["committed", "plain"]);
    // The copy holds no transactions of its own: no markers, nothing open.
    const d = (await call("GET", `/v1/topics/${target}`)).body.partitions[0];
    expect(d).toMatchObject({ high_watermark: 2, last_stable_offset: 2 });
  });
});
