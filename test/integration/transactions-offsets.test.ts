// Consumer offsets inside transactions, in workerd: pending until the marker, committed or dropped
// with the transaction, fenced by the group's member id and epoch (KIP-447), RequireStable, and lag
// under read_committed.

import { describe, expect, it } from "vitest";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { join, uniqueGroup } from "../support/groups.js";
import { endTxn, initTxn, txnProduce, uniqueTxnId } from "../support/transactions.js";

async function offsets(group: string, query = "") {
  return call("GET", `/v1/groups/${group}/offsets${query}`);
}

describe("offsets in a transaction", () => {
  it("are pending until the commit marker, then committed with the records", async () => {
    const input = uniqueTopic("in");
    const output = uniqueTopic("out");
    await createTopic(input, 1);
    await createTopic(output, 1);
    await call("POST", `/v1/topics/${input}/records`, { records: [{ value: 1 }, { value: 2 }, { value: 3 }] });
    const group = uniqueGroup();
    const member = await join(group, [input]);
    const t = await initTxn(uniqueTxnId());
    await txnProduce(t, output, 0, ["2", "4", "6"]);
    const commit = await call("POST", `/v1/transactions/${t.id}/offsets`, {
      producer: t.producer,
      group_id: group,
      member_id: member.member_id,
      member_epoch: member.member_epoch,
      offsets: [{ topic: input, partition: 0, offset: 3, metadata: "batch-1" }],
    });
    expect(commit.status).toBe(204);

    // Pending: not committed yet; RequireStable says so, listing the partitions and what is committed.
    expect((await offsets(group)).body.offsets).toEqual([]);
    const unstable = await offsets(group, "?require_stable=true");
    expect(unstable.status).toBe(409);
    expect(unstable.body).toMatchObject({
      error: { code: "UNSTABLE_OFFSET_COMMIT", retriable: true },
      partitions: [{ topic: input, partition: 0 }],
      offsets: [],
    });
    // Other topics are not held up by it.
    expect((await offsets(group, `?require_stable=true&topics=${output}`)).status).toBe(200);
    const d = await call("GET", `/v1/transactions/${t.id}`);
    expect(d.body.groups).toEqual([group]);

    expect((await endTxn(t, "commit")).body.complete).toBe(true);
    const after = await offsets(group, "?require_stable=true");
    expect(after.status).toBe(200);
    expect(after.body.offsets).toEqual([{ topic: input, partition: 0, offset: 3, metadata: "batch-1" }]);
  });

  it("are dropped when the transaction aborts", async () => {
    const input = uniqueTopic("in");
    await createTopic(input, 1);
    await call("POST", `/v1/topics/${input}/records`, { records: [{ value: 1 }, { value: 2 }] });
    const group = uniqueGroup();
    // An empty group accepts commits without a member (kafkajs's sendOffsets sends none).
    await call("POST", `/v1/groups/${group}/offsets`, { offsets: [{ topic: input, partition: 0, offset: 1 }] });
    const t = await initTxn(uniqueTxnId());
    const r = await call("POST", `/v1/transactions/${t.id}/offsets`, {
      producer: t.producer,
      group_id: group,
      offsets: [{ topic: input, partition: 0, offset: 2 }],
    });
    expect(r.status).toBe(204);
    await endTxn(t, "abort");
    expect((await offsets(group, "?require_stable=true")).body.offsets).toEqual([
      { topic: input, partition: 0, offset: 1, metadata: null },
    ]);
  });

  it("without member details are taken into a group that has members, as Kafka takes TxnOffsetCommit before v3", async () => {
    const input = uniqueTopic("in");
    await createTopic(input, 1);
    await call("POST", `/v1/topics/${input}/records`, { records: [{ value: 1 }, { value: 2 }] });
    const group = uniqueGroup();
    await join(group, [input]);
    // A plain commit without a member is refused while the group has one...
    const plain = await call("POST", `/v1/groups/${group}/offsets`, {
      offsets: [{ topic: input, partition: 0, offset: 1 }],
    });
    expect(plain.status).toBe(409);
    // ...but a transactional one is fenced by its transactional id alone (kafkajs's sendOffsets).
    const t = await initTxn(uniqueTxnId());
    const r = await call("POST", `/v1/transactions/${t.id}/offsets`, {
      producer: t.producer,
      group_id: group,
      offsets: [{ topic: input, partition: 0, offset: 2 }],
    });
    expect(r.status).toBe(204);
    await endTxn(t, "commit");
    expect((await offsets(group)).body.offsets).toEqual([{ topic: input, partition: 0, offset: 2, metadata: null }]);
  });

  it("are fenced by the group: a member that lost its epoch or partition cannot commit through a transaction", async () => {
    const input = uniqueTopic("in");
    await createTopic(input, 2);
    await call("POST", `/v1/topics/${input}/records`, { records: [{ value: 1, partition: 0 }] });
    const group = uniqueGroup();
    const member = await join(group, [input]);
    const t = await initTxn(uniqueTxnId());
    const body = (memberEpoch: number) => ({
      producer: t.producer,
      group_id: group,
      member_id: member.member_id,
      member_epoch: memberEpoch,
      offsets: [{ topic: input, partition: 0, offset: 1 }],
    });
    const stale = await call("POST", `/v1/transactions/${t.id}/offsets`, body(member.member_epoch + 5));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toMatch(/MEMBER_EPOCH/);
    const stranger = await call("POST", `/v1/transactions/${t.id}/offsets`, {
      ...body(member.member_epoch),
      member_id: "not-a-member",
    });
    expect(stranger.status).toBe(409);
    expect(stranger.body.error.code).toBe("UNKNOWN_MEMBER_ID");
    // Nothing was registered with the transaction or left pending.
    expect((await call("GET", `/v1/transactions/${t.id}`)).body.groups).toEqual([]);
    expect((await offsets(group, "?require_stable=true")).status).toBe(200);
  });

  it("version 1 needs the group registered (AddOffsetsToTxn) first", async () => {
    const input = uniqueTopic("in");
    await createTopic(input, 1);
    await call("POST", `/v1/topics/${input}/records`, { records: [{ value: 1 }] });
    const group = uniqueGroup();
    const t = await initTxn(uniqueTxnId(), { version: 1 });
    const body = { producer: t.producer, group_id: group, offsets: [{ topic: input, partition: 0, offset: 1 }] };
    const early = await call("POST", `/v1/transactions/${t.id}/offsets`, body);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("INVALID_TXN_STATE");
    const add = await call("POST", `/v1/transactions/${t.id}/groups`, { producer: t.producer, group_id: group });
    expect(add.body).toEqual({ group_id: group });
    expect((await call("POST", `/v1/transactions/${t.id}/offsets`, body)).status).toBe(204);
    await endTxn(t, "commit");
    expect((await offsets(group)).body.offsets).toEqual([{ topic: input, partition: 0, offset: 1, metadata: null }]);
  });
});

describe("group lag", () => {
  it("is counted to the last stable offset under read_committed", async () => {
    const topic = uniqueTopic("lag");
    await createTopic(topic, 1);
    await call("POST", `/v1/topics/${topic}/records`, { records: [{ value: 1 }] });
    const group = uniqueGroup();
    await call("POST", `/v1/groups/${group}/offsets`, { offsets: [{ topic, partition: 0, offset: 1 }] });
    const t = await initTxn(uniqueTxnId());
    await txnProduce(t, topic, 0, ["open-1", "open-2"]);
    const plain = await call("GET", `/v1/groups/${group}`);
    expect(plain.body.partitions[0]).toMatchObject({ high_watermark: 3, last_stable_offset: 1, lag: 2 });
    const committed = await call("GET", `/v1/groups/${group}?isolation=read_committed`);
    expect(committed.body.partitions[0]).toMatchObject({ high_watermark: 3, last_stable_offset: 1, lag: 0 });
    await endTxn(t, "commit");
    const after = await call("GET", `/v1/groups/${group}?isolation=read_committed`);
    expect(after.body.partitions[0]).toMatchObject({ high_watermark: 4, last_stable_offset: 4, lag: 3 });
  });
});
