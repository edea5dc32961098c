// Group administration in workerd: deleting one partition's committed offset (Kafka's OffsetDelete,
// DELETE /v1/groups/{g}/offsets/{t}/partitions/{p}) and the client ids and hosts describe shows.

import { describe, expect, it } from "vitest";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";
import { describeGroup, heartbeat, join, uniqueGroup } from "../support/groups.js";

async function topicWith(partitions: number, records: number) {
  const topic = uniqueTopic();
  await createTopic(topic, partitions);
  for (let p = 0; p < partitions; p++)
    await produce(
      topic,
      Array.from({ length: records }, (_, i) => ({ value: i, partition: p })),
    );
  return topic;
}

async function committed(group: string) {
  return (await call("GET", `/v1/groups/${group}/offsets`)).body.offsets.map(
    (o: { topic: string; partition: number; offset: number }) => `${o.topic}:${o.partition}@${o.offset}`,
  );
}

const deleteOffset = (group: string, topic: string, partition: number | string) =>
  call("DELETE", `/v1/groups/${group}/offsets/${topic}/partitions/${partition}`);

describe("deleting a committed offset", () => {
  it("forgets one partition's offset of an empty group and keeps the others", async () => {
    const topic = await topicWith(2, 3);
    const group = uniqueGroup();
    const reset = await call("POST", `/v1/groups/${group}/offsets/reset`, { to: "latest", topics: [topic] });
    expect(reset.status).toBe(200);
    expect(await committed(group)).toEqual([`${topic}:0@3`, `${topic}:1@3`]);

    expect((await deleteOffset(group, topic, 1)).status).toBe(204);
    expect(await committed(group)).toEqual([`${topic}:0@3`]);
    const described = (await describeGroup(group)).body;
    expect(described.partitions.map((p: any) => [p.partition, p.committed_offset])).toEqual([[0, 3]]);
    // Nothing left to forget is not an error (Kafka answers NONE too).
    expect((await deleteOffset(group, topic, 1)).status).toBe(204);
  });

  it("is refused with GROUP_SUBSCRIBED_TO_TOPIC while a member subscribes to the topic, other topics' offsets go", async () => {
    const subscribed = await topicWith(1, 2);
    const other = await topicWith(1, 2);
    const group = uniqueGroup();
    await call("POST", `/v1/groups/${group}/offsets/reset`, { to: "latest", topics: [subscribed, other] });
    const m = await join(group, [subscribed]);

    const refused = await deleteOffset(group, subscribed, 0);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "GROUP_SUBSCRIBED_TO_TOPIC", retriable: false });
    expect(refused.body.error.message).toContain(m.member_id);
    expect((await deleteOffset(group, other, 0)).status).toBe(204);
    expect(await committed(group)).toEqual([`${subscribed}:0@2`]);

    // Once the member has left, the offset can go.
    await call("DELETE", `/v1/groups/${group}/members/${m.member_id}`);
    expect((await deleteOffset(group, subscribed, 0)).status).toBe(204);
    expect(await committed(group)).toEqual([]);
  });

  it("answers an unknown group, topic or partition with 404, and a bad name or partition with 400", async () => {
    const topic = await topicWith(1, 1);
    const group = uniqueGroup();
    expect((await deleteOffset(group, topic, 0)).body.error.code).toBe("GROUP_ID_NOT_FOUND");
    await call("POST", `/v1/groups/${group}/offsets/reset`, { to: "earliest", topics: [topic] });
    const noTopic = await deleteOffset(group, uniqueTopic(), 0);
    expect([noTopic.status, noTopic.body.error.code]).toEqual([404, "UNKNOWN_TOPIC_OR_PARTITION"]);
    const noPartition = await deleteOffset(group, topic, 7);
    expect([noPartition.status, noPartition.body.error.code]).toEqual([404, "UNKNOWN_TOPIC_OR_PARTITION"]);
    expect((await deleteOffset(group, topic, "-1")).status).toBe(400);
    expect((await deleteOffset(group, "bad%20name", 0)).status).toBe(400);
    expect((await call("DELETE", `/v1/groups/bad%20group/offsets/${topic}/partitions/0`)).body.error.code).toBe(
      "INVALID_GROUP_ID",
    );
    expect(await committed(group)).toEqual([`${topic}:0@0`]);
  });
});

describe("members' client ids and hosts", () => {
  it("are recorded at join, shown by describe, and kept until a member sends new ones", async () => {
    const topic = await topicWith(2, 0);
    const group = uniqueGroup();
    const a = await join(group, [topic], { client_id: "billing-app", client_host: "10.0.0.7" });
    // No host given: the caller's address, as Cloudflare reports it.
    const b = (
      await call(
        "POST",
        `/v1/groups/${group}/heartbeat`,
        { member_id: null, member_epoch: 0, topics: [topic], client_id: "audit" },
        { "cf-connecting-ip": "192.0.2.9" },
      )
    ).body;
    const c = await join(group, [topic]);
    const seen = async () =>
      Object.fromEntries(
        (await describeGroup(group)).body.members.map((m: any) => [m.member_id, [m.client_id, m.client_host]]),
      );
    expect(await seen()).toEqual({
      [a.member_id]: ["billing-app", "10.0.0.7"],
      [b.member_id]: ["audit", "192.0.2.9"],
      [c.member_id]: [null, null],
    });
    await heartbeat(group, { member_id: a.member_id, member_epoch: a.member_epoch });
    await heartbeat(group, { member_id: c.member_id, member_epoch: c.member_epoch, client_id: "late" });
    expect(await seen()).toMatchObject({ [a.member_id]: ["billing-app", "10.0.0.7"], [c.member_id]: ["late", null] });
  });

  it("refuses a client id or host over 255 characters", async () => {
    const topic = await topicWith(1, 0);
    const r = await heartbeat(uniqueGroup(), {
      member_id: null,
      member_epoch: 0,
      topics: [topic],
      client_id: "x".repeat(256),
    });
    expect([r.status, r.body.error.code]).toEqual([400, "INVALID_REQUEST"]);
  });
});
