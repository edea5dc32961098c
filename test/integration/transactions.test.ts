// Transactions over the HTTP API in workerd: multi-partition commit and abort, read_committed and
// the LSO, fencing by a second init, timeout aborts by the coordinator's alarm, both protocol
// versions, raw batches, bad input, and an administrator's abort of a hanging transaction.

import { describe, expect, it } from "vitest";
import { CONTENT_TYPE_RECORD_BATCH } from "../../src/protocol/constants.js";
import { ATTR_TRANSACTIONAL, encodeBatch, readBatchHeader } from "../../src/protocol/record-batch.js";
import { decodeMarker } from "../../src/protocol/transactions.js";
import { fromBase64 } from "../../src/util/base64.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { endTxn, expireTransaction, initTxn, txnProduce, uniqueTxnId, values } from "../support/transactions.js";

async function lso(topic: string, p: number): Promise<number> {
  return (await call("GET", `/v1/topics/${topic}/partitions/${p}/offsets?at=latest&isolation=read_committed`)).body
    .offset;
}

describe("a transaction over several partitions and topics", () => {
  it("is invisible to read_committed until it commits, then visible everywhere at once", async () => {
    const a = uniqueTopic("out");
    const b = uniqueTopic("out");
    await createTopic(a, 2);
    await createTopic(b, 1);
    const t = await initTxn(uniqueTxnId());
    expect((await txnProduce(t, a, 0, ["a0-1", "a0-2"])).status).toBe(200);
    expect((await txnProduce(t, a, 1, ["a1-1"])).status).toBe(200);
    expect((await txnProduce(t, b, 0, ["b0-1"])).status).toBe(200);

    // Before the commit: read_uncommitted sees the records, read_committed stops at the LSO.
    expect(await values(a, 0, "read_uncommitted")).toEqual(["a0-1", "a0-2"]);
    expect(await values(a, 0)).toEqual([]);
    const before = await call("GET", `/v1/topics/${a}/partitions/0/records?offset=0&isolation=read_committed`);
    expect(before.body).toMatchObject({ next_offset: 0, high_watermark: 2, last_stable_offset: 0 });
    expect(await lso(a, 0)).toBe(0);
    const described = await call("GET", `/v1/topics/${a}`);
    expect(described.body.partitions.map((p: any) => [p.high_watermark, p.last_stable_offset])).toEqual([
      [2, 0],
      [1, 0],
    ]);

    const c = await endTxn(t, "commit");
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ result: "committed", complete: true });
    expect(c.body.producer.epoch).toBe(1); // version 2: a new epoch per transaction

    expect(await values(a, 0)).toEqual(["a0-1", "a0-2"]);
    expect(await values(a, 1)).toEqual(["a1-1"]);
    expect(await values(b, 0)).toEqual(["b0-1"]);
    // The marker takes an offset and is never shown as a record, in either mode.
    const after = await call("GET", `/v1/topics/${a}/partitions/0/records?offset=0&isolation=read_committed`);
    expect(after.body).toMatchObject({ next_offset: 3, high_watermark: 3, last_stable_offset: 3 });
    expect(await values(a, 0, "read_uncommitted")).toEqual(["a0-1", "a0-2"]);
  });

  it("aborted, is never shown to read_committed, and the LSO moves past it", async () => {
    const topic = uniqueTopic("out");
    await createTopic(topic, 2);
    const t = await initTxn(uniqueTxnId());
    await txnProduce(t, topic, 0, ["x1"]);
    await txnProduce(t, topic, 1, ["y1"]);
    await call("POST", `/v1/topics/${topic}/records`, { records: [{ value: "plain", partition: 0 }] });
    const r = await endTxn(t, "abort");
    expect(r.body).toMatchObject({ result: "aborted", complete: true });
    expect(await values(topic, 0)).toEqual(["plain"]);
    expect(await values(topic, 1)).toEqual([]);
    expect(await values(topic, 0, "read_uncommitted")).toEqual(["x1", "plain"]);
    expect(await lso(topic, 0)).toBe(3);
    // The next transaction goes on under the bumped epoch, its sequences from 0.
    await txnProduce(t, topic, 0, ["x2"]);
    await endTxn(t, "commit");
    expect(await values(topic, 0)).toEqual(["plain", "x2"]);
  });

  it("commits nothing when nothing was written, and a retry of a commit answers alike", async () => {
    const topic = uniqueTopic("out");
    await createTopic(topic, 1);
    const t = await initTxn(uniqueTxnId());
    const empty = await endTxn(t, "commit");
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ result: "committed", complete: true, producer: t.producer });
    expect((await call("GET", `/v1/topics/${topic}`)).body.partitions[0].high_watermark).toBe(0);

    await txnProduce(t, topic, 0, ["v"]);
    const sent = { ...t.producer };
    const first = await endTxn(t, "commit");
    const retry = await call("POST", `/v1/transactions/${t.id}/commit`, { producer: sent });
    expect(retry.status).toBe(200);
    expect(retry.body.producer).toEqual(first.body.producer);
    const other = await call("POST", `/v1/transactions/${t.id}/abort`, { producer: sent });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("INVALID_TXN_STATE");
    expect(await values(topic, 0)).toEqual(["v"]);
  });
});

describe("fencing", () => {
  it("a second init aborts the first holder's open transaction and fences it everywhere", async () => {
    const topic = uniqueTopic("out");
    await createTopic(topic, 2);
    const id = uniqueTxnId();
    const zombie = await initTxn(id);
    await txnProduce(zombie, topic, 0, ["z1"]);
    const fresh = await initTxn(id);
    expect(fresh.producer.id).toBe(zombie.producer.id);
    expect(fresh.producer.epoch).toBeGreaterThan(zombie.producer.epoch);
    // The zombie's open transaction was aborted before the init answered.
    expect(await lso(topic, 0)).toBe(2);
    expect(await values(topic, 0)).toEqual([]);

    // The zombie can write nowhere: not where it wrote (the partition saw the bumped epoch)...
    const again = await txnProduce(zombie, topic, 0, ["z2"]);
    expect(again.status).toBe(409);
    expect(again.body.records[0].error.code).toBe("PRODUCER_FENCED");
    // ... nor where it never did (the coordinator refuses), nor end anything.
    const elsewhere = await txnProduce(zombie, topic, 1, ["z3"]);
    expect(elsewhere.body.records[0].error.code).toBe("PRODUCER_FENCED");
    expect((await endTxn(zombie, "commit")).body.error.code).toBe("PRODUCER_FENCED");
    expect(await values(topic, 1, "read_uncommitted")).toEqual([]);

    await txnProduce(fresh, topic, 1, ["f1"]);
    await endTxn(fresh, "commit");
    expect(await values(topic, 1)).toEqual(["f1"]);
  });

  it("a transactional producer id writes only inside its transactions, and only for its own id", async () => {
    const topic = uniqueTopic("out");
    await createTopic(topic, 1);
    const t = await initTxn(uniqueTxnId());
    const plain = await call("POST", `/v1/topics/${topic}/partitions/0/records`, {
      records: [{ value: 1 }],
      producer: { ...t.producer, sequence: 0 },
    });
    expect(plain.status).toBe(400);
    expect(plain.body.error.message).toMatch(/belongs to transactional id/);
    const other = await initTxn(uniqueTxnId());
    const wrongId = await call("POST", `/v1/topics/${topic}/partitions/0/records`, {
      records: [{ value: 1 }],
      producer: { ...t.producer, sequence: 0, transactional_id: other.id },
    });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.records[0].error.code).toBe("INVALID_PRODUCER_ID_MAPPING");
    expect((await call("GET", `/v1/topics/${topic}`)).body.partitions[0].high_watermark).toBe(0);
  });
});

describe("timeouts", () => {
  it("the coordinator's alarm aborts a transaction past its timeout and fences its producer", async () => {
    const topic = uniqueTopic("out");
    await createTopic(topic, 1);
    const t = await initTxn(uniqueTxnId(), { transaction_timeout_ms: 60_000 });
    await txnProduce(t, topic, 0, ["late"]);
    expect(await lso(topic, 0)).toBe(0);
    await expireTransaction(t.id);
    // The LSO no longer waits on the abandoned transaction.
    expect(await lso(topic, 0)).toBe(2);
    expect(await values(topic, 0)).toEqual([]);
    const d = await call("GET", `/v1/transactions/${t.id}`);
    expect(d.body).toMatchObject({ state: "CompleteAbort", producer: { epoch: 1 } });

    // Its producer hears the transaction is abortable; a commit is refused; an abort goes through.
    const write = await txnProduce(t, topic, 0, ["more"]);
    expect(write.status).toBe(409);
    expect(write.body.records[0].error.code).toBe("TRANSACTION_ABORTABLE");
    expect((await endTxn(t, "commit")).body.error.code).toBe("TRANSACTION_ABORTABLE");
    const abort = await endTxn(t, "abort");
    expect(abort.status).toBe(200);
    expect(abort.body.producer.epoch).toBe(1);
    await txnProduce(t, topic, 0, ["next"]);
    await endTxn(t, "commit");
    expect(await values(topic, 0)).toEqual(["next"]);
  });
});

describe("version 1", () => {
  it("needs partitions registered before writing, and keeps the epoch across transactions", async () => {
    const topic = uniqueTopic("out");
    await createTopic(topic, 2);
    const t = await initTxn(uniqueTxnId(), { version: 1 });
    const unregistered = await txnProduce(t, topic, 0, ["x"]);
    expect(unregistered.status).toBe(409);
    expect(unregistered.body.records[0].error.code).toBe("INVALID_TXN_STATE");
    const add = await call("POST", `/v1/transactions/${t.id}/partitions`, {
      producer: t.producer,
      topics: [{ topic, partitions: [0, 1] }],
    });
    expect(add.status).toBe(200);
    expect((await txnProduce(t, topic, 0, ["x"])).status).toBe(200);
    expect((await txnProduce(t, topic, 1, ["y"])).status).toBe(200);
    const c = await endTxn(t, "commit");
    expect(c.body.producer).toEqual(t.producer);
    expect(c.body.producer.epoch).toBe(0);
    expect(await values(topic, 0)).toEqual(["x"]);
    expect(await values(topic, 1)).toEqual(["y"]);
    const unknown = await call("POST", `/v1/transactions/${t.id}/partitions`, {
      producer: t.producer,
      topics: [{ topic, partitions: [7] }],
    });
    expect(unknown.status).toBe(404);
  });
});

describe("raw record batches", () => {
  it("carry the transactional id as a query parameter; format batches (JSON and binary) lists the aborted transactions", async () => {
    const topic = uniqueTopic("raw");
    await createTopic(topic, 1);
    const t = await initTxn(uniqueTxnId());
    const batch = (v: string, seq: number) =>
      encodeBatch([{ key: null, value: new TextEncoder().encode(v), timestamp: Date.now() }], {
        producerId: Number(t.producer.id),
        producerEpoch: t.producer.epoch,
        baseSequence: seq,
        attributes: ATTR_TRANSACTIONAL,
      });
    const path = `/v1/topics/${topic}/partitions/0/records`;
    const headers = { "content-type": CONTENT_TYPE_RECORD_BATCH };
    const missing = await call("POST", path, batch("x", 0), headers);
    expect(missing.status).toBe(400);
    const ok = await call("POST", `${path}?transactional_id=${t.id}`, batch("aborted", 0), headers);
    expect(ok.status).toBe(200);
    await endTxn(t, "abort");
    const plainBatch = encodeBatch([{ key: null, value: new TextEncoder().encode("plain"), timestamp: 1 }]);
    const wrongKind = await call("POST", `${path}?transactional_id=${t.id}`, plainBatch, headers);
    expect(wrongKind.status).toBe(400);

    const f = await call("POST", "/v1/fetch", {
      partitions: [{ topic, partition: 0, offset: 0 }],
      format: "batches",
      isolation: "read_committed",
    });
    const part = f.body.partitions[0];
    expect(part.aborted_transactions).toEqual([{ producer_id: t.producer.id, first_offset: 0 }]);
    expect(part.last_stable_offset).toBe(2);
    const raw = fromBase64(part.batches_b64)!;
    const first = readBatchHeader(raw);
    expect(first.attributes & 0x30).toBe(0x10);
    expect(decodeMarker(raw.subarray(first.size)).type).toBe("ABORT");
    // The binary reply (what the Kafka gateway reads) has the same batches, with the aborted
    // transactions and the LSO in its JSON header (framing as docs/http-api.md states it).
    const bin = await call(
      "POST",
      "/v1/fetch",
      { partitions: [{ topic, partition: 0, offset: 0 }], format: "batches", isolation: "read_committed" },
      { accept: "application/vnd.edgelog.multi-fetch" },
    );
    const n = new DataView(bin.body.buffer, bin.body.byteOffset).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(bin.body.subarray(4, 4 + n))).partitions[0];
    expect(header).toMatchObject({
      aborted_transactions: [{ producer_id: t.producer.id, first_offset: 0 }],
      last_stable_offset: 2,
      batches_bytes: raw.length,
    });
    expect(Buffer.from(bin.body.subarray(4 + n)).equals(Buffer.from(raw))).toBe(true);
    // The raw GET route leaves the aborted batch out and keeps the marker.
    const g = await call("GET", `${path}?offset=0&isolation=read_committed`, undefined, {
      accept: CONTENT_TYPE_RECORD_BATCH,
    });
    expect(g.headers.get("edgelog-last-stable-offset")).toBe("2");
    expect(readBatchHeader(g.body).attributes & 0x20).toBe(0x20);
  });
});

describe("bad input", () => {
  it("a malformed transactional id is 400 and writes nothing", async () => {
    const topic = uniqueTopic("bad");
    await createTopic(topic, 1);
    const init = await call("POST", "/v1/transactions/bad%20id/init", {});
    expect(init.status).toBe(400);
    expect(init.body.error.code).toBe("INVALID_REQUEST");
    const t = await initTxn(uniqueTxnId());
    const r = await call("POST", `/v1/topics/${topic}/records`, {
      records: [{ value: 1 }],
      producer: { ...t.producer, sequence: 0, transactional_id: "no/slashes" },
    });
    expect(r.status).toBe(400);
    expect((await call("GET", `/v1/topics/${topic}`)).body.partitions[0].high_watermark).toBe(0);
    const timeout = await call("POST", `/v1/transactions/${t.id}/init`, { transaction_timeout_ms: 900_001 });
    expect(timeout.status).toBe(400);
    expect(timeout.body.error.code).toBe("INVALID_TRANSACTION_TIMEOUT");
    const unknown = await call("GET", `/v1/transactions/${uniqueTxnId("never")}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("TRANSACTIONAL_ID_NOT_FOUND");
  });
});

describe("seeing and aborting transactions", () => {
  it("lists and describes ids; an administrator aborts a hanging transaction on one partition", async () => {
    const topic = uniqueTopic("hang");
    await createTopic(topic, 2);
    const t = await initTxn(uniqueTxnId("listed"));
    await txnProduce(t, topic, 0, ["h"]);
    await txnProduce(t, topic, 1, ["k"]);
    const d = await call("GET", `/v1/transactions/${t.id}`);
    expect(d.body).toMatchObject({
      state: "Ongoing",
      version: 2,
      topics: [{ topic, partitions: [0, 1] }],
      pending_markers: 0,
    });
    const listed = await call("GET", "/v1/transactions?state=Ongoing");
    expect(listed.body.transactions).toContainEqual({
      transactional_id: t.id,
      state: "Ongoing",
      producer_id: t.producer.id,
    });
    const open = await call("GET", `/v1/topics/${topic}/partitions/0/transactions`);
    expect(open.body).toMatchObject({
      last_stable_offset: 0,
      transactions: [{ producer_id: t.producer.id, transactional_id: t.id, first_offset: 0, hanging: false }],
    });
    const aborted = await call("POST", `/v1/topics/${topic}/partitions/0/transactions/abort`, {
      producer_id: t.producer.id,
    });
    expect(aborted.body).toEqual({ producer_id: t.producer.id, first_offset: 0, marker_offset: 1 });
    expect(await lso(topic, 0)).toBe(2);
    // The coordinator's own marker for partition 0 later finds nothing open there.
    await endTxn(t, "commit");
    expect(await values(topic, 0)).toEqual([]);
    expect(await values(topic, 1)).toEqual(["k"]);
    const none = await call("POST", `/v1/topics/${topic}/partitions/0/transactions/abort`, { start_offset: 0 });
    expect(none.status).toBe(409);
  });
});
