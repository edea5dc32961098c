// What kafkajs and @platformatic/kafka do through the recording proxy: each client's admin,
// producer and consumer-group calls, one labelled step at a time.

import {
  Admin,
  Consumer,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";

/** Runs one client call; the frames it caused are labelled with `label`. Failures are expected at capped versions. */
export type Step = (label: string, fn: () => Promise<unknown>) => Promise<void>;

export interface Names {
  topic: string;
  group: string;
  /** A second group, emptied and edited by admin calls (no members). */
  adminGroup: string;
}

const until = async (what: string, check: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The ACL both flows create and describe: User:reader may read (3) the topic (2, literal pattern 3), allowed (3). */
const readerAcl = (topic: string) =>
  ({
    resourceType: 2,
    resourceName: topic,
    resourcePatternType: 3,
    principal: "User:reader",
    host: "*",
    operation: 3,
    permissionType: 3,
  }) as const;

export async function kafkajsFlow(broker: string, n: Names, step: Step): Promise<void> {
  const kafka = new Kafka({
    brokers: [broker],
    clientId: "kafkajs-frames",
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  await step("admin.connect", () => admin.connect());
  await step("admin.createTopics", () => admin.createTopics({ topics: [{ topic: n.topic, numPartitions: 2 }] }));
  await step("admin.fetchTopicMetadata", () => admin.fetchTopicMetadata({ topics: [n.topic] }));
  const producer = kafka.producer({ idempotent: true });
  await step("producer.send (idempotent)", async () => {
    await producer.connect();
    await producer.send({
      topic: n.topic,
      // Records in both partitions, so offset-based admin calls have something to act on.
      messages: [
        { key: "k1", value: "v1", partition: 0 },
        { key: "k2", value: "v2", partition: 1 },
        { key: "k3", value: "v3", partition: 0 },
      ],
    });
  });
  await step("producer.disconnect", () => producer.disconnect());
  const consumer = kafka.consumer({ groupId: n.group, sessionTimeout: 10_000, heartbeatInterval: 300 });
  let seen = 0;
  await step("consumer.run (join, sync, fetch, heartbeat, commit)", async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: n.topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void seen++ });
    await until("kafkajs to consume 3 records", () => seen >= 3);
    // A heartbeat is sent at most every heartbeatInterval, from the fetch loop.
    await new Promise((r) => setTimeout(r, 700));
  });
  await step("consumer.disconnect (leave)", () => consumer.disconnect());
  await step("admin.fetchOffsets", () => admin.fetchOffsets({ groupId: n.group, topics: [n.topic] }));
  await step("admin.fetchTopicOffsets", () => admin.fetchTopicOffsets(n.topic));
  await step("admin.fetchTopicOffsetsByTimestamp", () => admin.fetchTopicOffsetsByTimestamp(n.topic, Date.now()));
  await step("admin.setOffsets", () =>
    admin.setOffsets({ groupId: n.adminGroup, topic: n.topic, partitions: [{ partition: 0, offset: "1" }] }),
  );
  await step("admin.describeConfigs", () =>
    admin.describeConfigs({ resources: [{ type: 2, name: n.topic }], includeSynonyms: true }),
  );
  await step("admin.alterConfigs", () =>
    admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: n.topic, configEntries: [{ name: "retention.ms", value: "600000" }] }],
    }),
  );
  await step("admin.createPartitions", () =>
    admin.createPartitions({ topicPartitions: [{ topic: n.topic, count: 3 }] }),
  );
  await step("admin.deleteTopicRecords", () =>
    admin.deleteTopicRecords({ topic: n.topic, partitions: [{ partition: 0, offset: "1" }] }),
  );
  await step("admin.listGroups", () => admin.listGroups());
  await step("admin.describeGroups", () => admin.describeGroups([n.group, n.adminGroup]));
  await step("admin.describeCluster", () => admin.describeCluster());
  await step("admin.describeAcls", () =>
    admin.describeAcls({
      resourceType: 2,
      resourceName: n.topic,
      resourcePatternType: 3,
      principal: "User:reader",
      host: "*",
      operation: 1,
      permissionType: 1,
    }),
  );
  const acl = readerAcl(n.topic);
  await step("admin.createAcls", () => admin.createAcls({ acl: [acl] as never }));
  await step("admin.deleteAcls", () => admin.deleteAcls({ filters: [acl] as never }));
  await step("admin.deleteGroups", () => admin.deleteGroups([n.adminGroup]));
  await step("transactional producer: transaction, send, sendOffsets, commit; then one aborted", async () => {
    const txn = kafka.producer({ transactionalId: `${n.topic}-txn`, maxInFlightRequests: 1, idempotent: true });
    try {
      await txn.connect();
      const t = await txn.transaction();
      await t.send({ topic: n.topic, messages: [{ key: "t1", value: "in a transaction" }] });
      await t.sendOffsets({
        consumerGroupId: n.adminGroup,
        topics: [{ topic: n.topic, partitions: [{ partition: 0, offset: "1" }] }],
      });
      await t.commit();
      const doomed = await txn.transaction();
      await doomed.send({ topic: n.topic, messages: [{ key: "t2", value: "aborted" }] });
      await doomed.abort();
    } finally {
      await txn.disconnect();
    }
  });
  await step("admin.deleteTopics", () => admin.deleteTopics({ topics: [n.topic] }));
  await step("admin.disconnect", () => admin.disconnect());
}

export async function platformaticFlow(broker: string, n: Names, step: Step): Promise<void> {
  const base = { clientId: "platformatic-frames", bootstrapBrokers: [broker] };
  const admin = new Admin(base);
  await step("admin.createTopics", () => admin.createTopics({ topics: [n.topic], partitions: 2 }));
  await step("admin.listTopics", () => admin.listTopics());
  const producer = new Producer({ ...base, idempotent: true, serializers: stringSerializers });
  await step("producer.send (idempotent)", () =>
    producer.send({
      messages: [
        { topic: n.topic, key: "k1", value: "v1", partition: 0 },
        { topic: n.topic, key: "k2", value: "v2", partition: 1 },
        { topic: n.topic, key: "k3", value: "v3", partition: 0 },
      ],
    }),
  );
  await step("producer.close", () => producer.close());
  for (const groupProtocol of ["classic", "consumer"] as const) {
    const consumer = new Consumer({
      ...base,
      groupId: `${n.group}-${groupProtocol}`,
      groupProtocol,
      heartbeatInterval: 300,
      deserializers: stringDeserializers,
    });
    await step(`consumer.consume (group.protocol=${groupProtocol})`, async () => {
      let seen = 0;
      const stream = await consumer.consume({ topics: [n.topic], mode: MessagesStreamModes.EARLIEST, autocommit: 100 });
      stream.on("data", () => void seen++);
      try {
        await until("platformatic to consume 3 records", () => seen >= 3);
        await new Promise((r) => setTimeout(r, 700));
      } finally {
        await stream.close();
      }
    });
    await step(`consumer.close (group.protocol=${groupProtocol})`, () => consumer.close());
  }
  await step("admin.listConsumerGroupOffsets", () =>
    admin.listConsumerGroupOffsets({ groups: [`${n.group}-classic`] }),
  );
  await step("admin.alterConsumerGroupOffsets", () =>
    admin.alterConsumerGroupOffsets({
      groupId: n.adminGroup,
      topics: [{ name: n.topic, partitionOffsets: [{ partition: 0, offset: 1n }] }],
    }),
  );
  await step("admin.deleteConsumerGroupOffsets", () =>
    admin.deleteConsumerGroupOffsets({ groupId: n.adminGroup, topics: [{ name: n.topic, partitionIndexes: [0] }] }),
  );
  await step("admin.listOffsets", () =>
    admin.listOffsets({ topics: [{ name: n.topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] }),
  );
  await step("admin.describeConfigs", () =>
    admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: n.topic }], includeSynonyms: true }),
  );
  await step("admin.alterConfigs", () =>
    admin.alterConfigs({
      resources: [
        { resourceType: 2, resourceName: n.topic, configs: [{ name: "retention.ms", value: "600000" }] },
      ] as never,
    }),
  );
  await step("admin.incrementalAlterConfigs", () =>
    admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: 2,
          resourceName: n.topic,
          configs: [{ name: "retention.ms", configOperation: 0, value: "700000" }],
        },
      ] as never,
    }),
  );
  await step("admin.createPartitions", () =>
    admin.createPartitions({ topics: [{ name: n.topic, count: 3, assignments: [] }] }),
  );
  await step("admin.deleteRecords", () =>
    admin.deleteRecords({ topics: [{ name: n.topic, partitions: [{ partition: 0, offset: 1n }] }] }),
  );
  await step("admin.listGroups", () => admin.listGroups());
  await step("admin.describeGroups", () => admin.describeGroups({ groups: [`${n.group}-classic`] }));
  await step("admin.findCoordinator", () => admin.findCoordinator({ keyType: 0, keys: [n.group] }));
  const acl = readerAcl(n.topic);
  await step("admin.describeAcls", () => admin.describeAcls({ filter: acl as never }));
  await step("admin.createAcls", () => admin.createAcls({ creations: [acl as never] }));
  await step("admin.deleteAcls", () => admin.deleteAcls({ filters: [acl as never] }));
  await step("admin.deleteGroups", () => admin.deleteGroups({ groups: [n.adminGroup] }));
  await step("admin.deleteTopics", () => admin.deleteTopics({ topics: [n.topic] }));
  await step("admin.close", () => admin.close());
}
