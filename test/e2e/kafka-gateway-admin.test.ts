// The Kafka ecosystem's admin side and the KIP-848 protocol through the gateway, against a real
// wrangler dev: kafkajs admin (configs, partitions, records, groups, offsets) and a
// group.protocol=consumer member (@platformatic/kafka) sharing a group with a classic kafkajs member.

import { Consumer as KipConsumer, MessagesStreamModes, stringDeserializers } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { until } from "../support/kcat.js";
import { useKafkaGateway } from "../support/kafka-gateway.js";

const gw = useKafkaGateway();
const { name, http, createTopic } = gw;

const kafka = () =>
  new Kafka({ brokers: [gw.broker], clientId: "kjs-admin", logLevel: logLevel.NOTHING, retry: { retries: 2 } });

// Kafka's codes, written out: the expectation must not come from the table under test.
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const INVALID_PARTITIONS = 37;
const NON_EMPTY_GROUP = 68;

describe("kafkajs admin", () => {
  it("describes a topic's configs with Kafka's names and sources, and alters them through PATCH /v1/topics", async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const topic = await createTopic(1);
      const before = await admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: true });
      const entries = before.resources[0]!.configEntries;
      const retention = entries.find((e) => e.configName === "retention.ms")!;
      expect(retention.configValue).toBe(String(7 * 24 * 3600 * 1000));
      expect(retention.isDefault).toBe(true);
      expect(retention.configSynonyms.map((s) => s.configName)).toContain("log.retention.ms");
      expect(entries.map((e) => e.configName)).toEqual(expect.arrayContaining(["cleanup.policy", "max.message.bytes"]));

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: topic, configEntries: [{ name: "retention.ms", value: "60000" }] }],
      });
      expect((await http("GET", `/v1/topics/${topic}`)).config["retention.ms"]).toBe(60_000);
      const after = await admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: false });
      const changed = after.resources[0]!.configEntries.find((e) => e.configName === "retention.ms")!;
      expect([changed.configValue, changed.isDefault, changed.configSource]).toEqual(["60000", false, 1]);

      // The broker's own configs are readable (tools read them) and the unknown topic answers per resource.
      const broker = await admin.describeConfigs({ resources: [{ type: 4, name: "0" }], includeSynonyms: false });
      expect(broker.resources[0]!.configEntries.map((e) => e.configName)).toContain("log.retention.ms");
      await expect(
        admin.describeConfigs({ resources: [{ type: 2, name: name("missing") }], includeSynonyms: false }),
      ).rejects.toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION" });
    } finally {
      await admin.disconnect();
    }
  });

  it("adds partitions, refuses shrinking, and deletes records below an offset", async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const topic = await createTopic(2);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
      expect((await http("GET", `/v1/topics/${topic}`)).partition_count).toBe(5);
      await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })).rejects.toMatchObject({
        code: INVALID_PARTITIONS,
      });

      await http("POST", `/v1/topics/${topic}/partitions/0/records`, {
        records: Array.from({ length: 10 }, (_, i) => ({ value: i })),
      });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "4" }] });
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: "4", high: "10" });
      const read = await http("GET", `/v1/topics/${topic}/partitions/0/records?offset=4&max_records=100`);
      expect(read.records.map((r: any) => r.value)).toEqual([4, 5, 6, 7, 8, 9]);
      // Below the new start is out of range, as in Kafka.
      const below = await fetch(`${gw.url}/v1/topics/${topic}/partitions/0/records?offset=3`);
      expect(below.status).toBe(416);
      // -1 deletes everything written; an unknown partition is answered per partition.
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "-1" }] });
      expect((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 0)!.low).toBe("10");
      await expect(
        admin.deleteTopicRecords({ topic, partitions: [{ partition: 9, offset: "1" }] }),
      ).rejects.toBeTruthy();
    } finally {
      await admin.disconnect();
    }
  });

  it("lists, describes and deletes groups, and fetches their offsets", async () => {
    const topic = await createTopic(2);
    await http("POST", `/v1/topics/${topic}/records`, { records: Array.from({ length: 6 }, (_, i) => ({ value: i })) });
    const group = name("adm-g");
    const consumer = kafka().consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const admin = kafka().admin();
    await admin.connect();
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let seen = 0;
      await consumer.run({ eachMessage: async () => void seen++ });
      await until("6 records consumed and committed", async () => {
        const c = (await http("GET", `/v1/groups/${group}/offsets`)).offsets;
        return seen >= 6 && c.reduce((s: number, o: any) => s + o.offset, 0) === 6;
      });
      const listed = await admin.listGroups();
      expect(listed.groups).toContainEqual({ groupId: group, protocolType: "consumer" });

      const { groups } = await admin.describeGroups([group]);
      expect(groups[0]!.state).toBe("Stable");
      expect(groups[0]!.protocolType).toBe("consumer");
      expect(groups[0]!.members).toHaveLength(1);
      // The assignment bytes are Kafka's ConsumerProtocol Assignment: kafkajs decodes them.
      const { AssignerProtocol } = await import("kafkajs");
      const assignment = AssignerProtocol.MemberAssignment.decode(groups[0]!.members[0]!.memberAssignment)!;
      expect(assignment.assignment[topic]!.sort()).toEqual([0, 1]);

      const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      // A partition nothing was committed for reads -1 (Kafka's "no offset").
      expect(offsets[0]!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0)).toBe(6);

      // A group with members cannot be deleted; once empty it can.
      const refused = await admin.deleteGroups([group]).catch((e) => e);
      expect(refused.name).toBe("KafkaJSDeleteGroupsError");
      expect(JSON.stringify(refused.error ?? refused.groups)).toContain(String(NON_EMPTY_GROUP));
      expect((await http("GET", `/v1/groups/${group}`)).members).toHaveLength(1);
      await consumer.disconnect();
      await admin.deleteGroups([group]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(group);
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
    }
  });

  it("names an unknown topic per topic in Metadata and configs, never closing the connection", async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      await expect(admin.fetchTopicMetadata({ topics: [name("nope")] })).rejects.toMatchObject({
        type: "UNKNOWN_TOPIC_OR_PARTITION",
      });
      // The same connection still serves.
      expect(Array.isArray(await admin.listTopics())).toBe(true);
      expect(UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    } finally {
      await admin.disconnect();
    }
  });
});

describe("KIP-848 consumer protocol", () => {
  it("a group.protocol=consumer member and a classic member share one group and read every record once", async () => {
    const topic = await createTopic(4);
    const group = name("kip848");
    const kip = new KipConsumer({
      clientId: "kip848",
      bootstrapBrokers: [gw.broker],
      groupId: group,
      groupProtocol: "consumer",
      deserializers: stringDeserializers,
    });
    const classic = kafka().consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const seen: string[] = [];
    try {
      const stream = await kip.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: 200 });
      stream.on("data", (m: { value: string }) => void seen.push(`kip:${m.value}`));
      // A rebalance must not end the stream: a stale-epoch autocommit is retried, not fatal.
      const streamErrors: unknown[] = [];
      stream.on("error", (e: unknown) => void streamErrors.push(e));
      await until("the consumer-protocol member holds all 4 partitions", async () => {
        const d = await http("GET", `/v1/groups/${group}`);
        return d.members.length === 1 && d.members[0].assignment.flatMap((a: any) => a.partitions).length === 4;
      });
      await classic.connect();
      await classic.subscribe({ topic, fromBeginning: true });
      await classic.run({ eachMessage: async ({ message }) => void seen.push(`classic:${message.value}`) });
      const shared = await until(
        "two members, one per protocol, with 2 partitions each",
        async () => {
          const d = await http("GET", `/v1/groups/${group}`);
          const ok =
            d.members.length === 2 &&
            d.members.every((m: any) => m.assignment.flatMap((a: any) => a.partitions).length === 2);
          return ok ? d : null;
        },
        30_000,
      );
      expect(shared!.members.map((m: any) => m.protocol).sort()).toEqual(["classic", "consumer"]);
      // The group's target assignment reaches the consumer-protocol member on its next heartbeat:
      // records produced before it has let go of two partitions would all be read by it alone.
      await until("the consumer-protocol member has taken its 2-partition assignment", () => {
        const held = (kip.assignments ?? []).flatMap((a) => a.partitions);
        return held.length === 2;
      });
      await http("POST", `/v1/topics/${topic}/records`, {
        records: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
      });
      await until("40 records consumed", () => seen.length >= 40, 30_000);
      const values = seen.map((s) => s.split(":")[1]!);
      expect(new Set(values).size).toBe(40);
      expect(seen.some((s) => s.startsWith("kip:"))).toBe(true);
      expect(streamErrors).toEqual([]);
      // Which member reads a record is not asserted: @platformatic/kafka's stream may still fetch
      // partitions it gave up (seen in full-suite runs: it read all 40), which is the client's
      // business, as it is with a broker. What the group owes is the shared assignment above.
    } finally {
      await classic.disconnect();
      await kip.close(true);
    }
  });
});
