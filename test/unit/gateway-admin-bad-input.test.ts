// The admin, describe and KIP-848 APIs under bad input, at the wire (a stand-in edgelog that knows
// one topic, "orders", and no groups): malformed frames close only their connection, as Kafka does;
// bad names, duplicates, unknown resources and hostile regexes are answered per resource with
// Kafka's codes; a request naming thousands of resources keeps a bounded number of upstream calls.

import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import type { Value } from "../../src/gateway/wire/codec.js";
import { API } from "../../src/gateway/wire/messages.js";
import { exchange, expectMalformedClosed, recordedFrames, wireClient, type WireClient } from "../support/kafka-wire.js";

// Kafka's codes, written out: the expectation must not come from the table under test.
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const INVALID_TOPIC_EXCEPTION = 17;
const INVALID_GROUP_ID = 24;
const UNKNOWN_MEMBER_ID = 25;
const INVALID_PARTITIONS = 37;
const INVALID_REPLICA_ASSIGNMENT = 39;
const INVALID_CONFIG = 40;
const INVALID_REQUEST = 42;
const GROUP_ID_NOT_FOUND = 69;
const OFFSET_OUT_OF_RANGE = 1;
const INVALID_REGULAR_EXPRESSION = 128;

const ORDERS = {
  name: "orders",
  id: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  partitions: [],
  partition_count: 2,
  config: { "retention.ms": 604800000, "cleanup.policy": "delete" },
};
/** A topic name that makes a backtracking regex like (a+)+ take exponential time. */
const SLOW_NAME = `${"a".repeat(40)}!`;

let upstream: Server;
let gateway: Gateway;
let inFlight = 0;
let mostInFlight = 0;
let calls = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    calls++;
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    req.resume();
    req.on("end", () =>
      // Answers a little later, so concurrent calls overlap as they would against a real server.
      setTimeout(() => {
        inFlight--;
        res.setHeader("content-type", "application/json");
        const path = req.url!.split("?")[0]!;
        if (path === "/v1/topics/orders") return res.end(JSON.stringify(ORDERS));
        if (path === "/v1/topics")
          return res.end(JSON.stringify({ topics: [ORDERS, { ...ORDERS, name: SLOW_NAME }], next: null }));
        res.statusCode = 404;
        const code = path.startsWith("/v1/groups/") ? "GROUP_ID_NOT_FOUND" : "UNKNOWN_TOPIC_OR_PARTITION";
        res.end(JSON.stringify({ error: { code, message: `no ${path}`, retriable: false } }));
      }, 1),
    );
  });
  await new Promise<void>((res) => upstream.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  gateway = await startGateway({ listen: "127.0.0.1:0", upstream: url, log: () => {} });
});

afterAll(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise((res) => upstream?.close(res));
});

let c: WireClient;
let correlation = 0;
beforeEach(async () => {
  c = await wireClient(gateway.port);
  return () => c.close();
});

/** One request on this test's connection, its answer decoded. */
function call(key: number, version: number, request: Value): Promise<any> {
  return exchange(c, key, version, request, ++correlation, 10_000);
}

const NEW_APIS = [
  "DescribeConfigs",
  "AlterConfigs",
  "IncrementalAlterConfigs",
  "CreatePartitions",
  "DeleteRecords",
  "ListGroups",
  "DescribeGroups",
  "DeleteGroups",
  "DescribeCluster",
  "OffsetForLeaderEpoch",
  "DescribeAcls",
  "CreateAcls",
  "DeleteAcls",
  "ConsumerGroupHeartbeat",
  "ConsumerGroupDescribe",
  "OffsetDelete",
];

describe("malformed requests close their own connection, as Kafka does; the gateway keeps serving", () => {
  const recorded = recordedFrames(NEW_APIS);

  it("covers every new API", () => expect(recorded.map((f) => f.api).sort()).toEqual([...NEW_APIS].sort()));

  for (const fixture of recorded) {
    it(`${fixture.api}: each recorded request cut short, and with an array count past its end`, async () => {
      await expectMalformedClosed(gateway.port, fixture);
      // This client's connection was never touched.
      expect((await call(API.ApiVersions, 2, {})).ErrorCode).toBe(0);
    });
  }
});

describe("names, partitions and values answered per resource", () => {
  it("DescribeConfigs: an invalid topic name, an unknown topic, an unknown broker and resource type", async () => {
    const r = await call(API.DescribeConfigs, 4, {
      Resources: [
        { ResourceType: 2, ResourceName: "..", ConfigurationKeys: null },
        { ResourceType: 2, ResourceName: "x".repeat(250), ConfigurationKeys: null },
        { ResourceType: 2, ResourceName: "missing", ConfigurationKeys: null },
        { ResourceType: 4, ResourceName: "7", ConfigurationKeys: null },
        { ResourceType: 3, ResourceName: "g", ConfigurationKeys: null },
        { ResourceType: 2, ResourceName: "orders", ConfigurationKeys: ["retention.ms"] },
      ],
      IncludeSynonyms: false,
      IncludeDocumentation: false,
    });
    expect(r.Results.map((x: any) => x.ErrorCode)).toEqual([
      INVALID_TOPIC_EXCEPTION,
      INVALID_TOPIC_EXCEPTION,
      UNKNOWN_TOPIC_OR_PARTITION,
      INVALID_REQUEST,
      INVALID_REQUEST,
      0,
    ]);
    expect(r.Results[5].Configs.map((x: any) => x.Name)).toEqual(["retention.ms"]);
  });

  it("AlterConfigs and IncrementalAlterConfigs: a resource named twice, a key named twice, unknown keys and operations", async () => {
    const orders = (Configs: Value[]) => ({ ResourceType: 2, ResourceName: "orders", Configs });
    const before = calls;
    const alter = await call(API.AlterConfigs, 2, {
      Resources: [
        orders([{ Name: "retention.ms", Value: "1" }]),
        orders([{ Name: "retention.ms", Value: "2" }]),
        {
          ResourceType: 2,
          ResourceName: "other",
          Configs: [
            { Name: "a", Value: "1" },
            { Name: "a", Value: "2" },
          ],
        },
        { ResourceType: 4, ResourceName: "0", Configs: [] },
      ],
      ValidateOnly: false,
    });
    expect(alter.Responses.map((x: any) => x.ErrorCode)).toEqual([
      INVALID_REQUEST,
      INVALID_REQUEST,
      INVALID_REQUEST,
      INVALID_REQUEST,
    ]);
    // Refused before anything reached edgelog.
    expect(calls).toBe(before);
    const inc = await call(API.IncrementalAlterConfigs, 1, {
      Resources: [
        orders([{ Name: "retention.ms", ConfigOperation: 2, Value: "5" }]),
        { ResourceType: 2, ResourceName: "orders2", Configs: [] },
      ],
      ValidateOnly: true,
    });
    expect(inc.Responses.map((x: any) => x.ErrorCode)).toEqual([INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION]);
    const unknownKey = await call(API.IncrementalAlterConfigs, 1, {
      Resources: [orders([{ Name: "no.such.key", ConfigOperation: 0, Value: "5" }])],
      ValidateOnly: true,
    });
    expect(unknownKey.Responses[0].ErrorCode).toBe(INVALID_CONFIG);
    const unknownOp = await call(API.IncrementalAlterConfigs, 0, {
      Resources: [orders([{ Name: "retention.ms", ConfigOperation: 9, Value: "5" }])],
      ValidateOnly: true,
    });
    expect(unknownOp.Responses[0].ErrorCode).toBe(INVALID_CONFIG);
  });

  it("CreatePartitions: a topic named twice, assignments, a bad name, an unknown topic, a count that does not grow", async () => {
    const t = (Name: string, Count: number, Assignments: Value[] | null = null) => ({ Name, Count, Assignments });
    const r = await call(API.CreatePartitions, 3, {
      Topics: [
        t("dup", 4),
        t("dup", 5),
        t("orders", 4, [{ BrokerIds: [0] }, { BrokerIds: [0] }]),
        t("a/b", 4),
        t("missing", 4),
      ],
      TimeoutMs: 1000,
      ValidateOnly: true,
    });
    expect(r.Results.map((x: any) => x.ErrorCode)).toEqual([
      INVALID_REQUEST,
      INVALID_REQUEST,
      INVALID_REPLICA_ASSIGNMENT,
      INVALID_TOPIC_EXCEPTION,
      UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const shrink = await call(API.CreatePartitions, 0, {
      Topics: [t("orders", 2)],
      TimeoutMs: 1000,
      ValidateOnly: true,
    });
    expect(shrink.Results[0].ErrorCode).toBe(INVALID_PARTITIONS);
  });

  it("DeleteRecords and OffsetForLeaderEpoch: partitions out of range, bad names, offsets below -1, later epochs", async () => {
    const del = await call(API.DeleteRecords, 2, {
      Topics: [
        {
          Name: "orders",
          Partitions: [
            { PartitionIndex: -1, Offset: 0 },
            { PartitionIndex: 1 << 20, Offset: 0 },
            { PartitionIndex: 0, Offset: -5 },
          ],
        },
        { Name: "..", Partitions: [{ PartitionIndex: 0, Offset: 0 }] },
        { Name: "missing", Partitions: [{ PartitionIndex: 0, Offset: 0 }] },
      ],
      TimeoutMs: 1000,
    });
    expect(del.Topics.map((t: any) => t.Partitions.map((p: any) => p.ErrorCode))).toEqual([
      [UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE],
      [UNKNOWN_TOPIC_OR_PARTITION],
      [UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const epochs = await call(API.OffsetForLeaderEpoch, 4, {
      ReplicaId: -1,
      Topics: [
        { Topic: "missing", Partitions: [{ Partition: 0, CurrentLeaderEpoch: -1, LeaderEpoch: 0 }] },
        { Topic: "", Partitions: [{ Partition: -3, CurrentLeaderEpoch: -1, LeaderEpoch: 0 }] },
      ],
    });
    expect(epochs.Topics.map((t: any) => t.Partitions[0].ErrorCode)).toEqual([
      UNKNOWN_TOPIC_OR_PARTITION,
      UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });

  it("group APIs: invalid group ids and unknown groups, per group", async () => {
    const ids = ["", "a b", "x".repeat(250), "missing"];
    const described = await call(API.DescribeGroups, 6, { Groups: ids, IncludeAuthorizedOperations: false });
    expect(described.Groups.map((g: any) => g.ErrorCode)).toEqual([
      INVALID_GROUP_ID,
      INVALID_GROUP_ID,
      INVALID_GROUP_ID,
      GROUP_ID_NOT_FOUND,
    ]);
    // Before v6 an unknown group is described as Dead, with no error (KIP-1043 added the code).
    const old = await call(API.DescribeGroups, 0, { Groups: ["missing"] });
    expect([old.Groups[0].ErrorCode, old.Groups[0].GroupState]).toEqual([0, "Dead"]);
    const deleted = await call(API.DeleteGroups, 2, { GroupsNames: ids });
    expect(deleted.Results.map((g: any) => g.ErrorCode)).toEqual([
      INVALID_GROUP_ID,
      INVALID_GROUP_ID,
      INVALID_GROUP_ID,
      GROUP_ID_NOT_FOUND,
    ]);
    const kip = await call(API.ConsumerGroupDescribe, 1, { GroupIds: ids, IncludeAuthorizedOperations: false });
    expect(kip.Groups.map((g: any) => g.ErrorCode)).toEqual([
      INVALID_GROUP_ID,
      INVALID_GROUP_ID,
      INVALID_GROUP_ID,
      GROUP_ID_NOT_FOUND,
    ]);
  });

  it("OffsetDelete: a bad group id, an unknown group (once, at the top), bad names and partitions per partition", async () => {
    const bad = await call(API.OffsetDelete, 0, {
      GroupId: "a b",
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0 }] }],
    });
    expect([bad.ErrorCode, bad.Topics]).toEqual([INVALID_GROUP_ID, []]);
    const r = await call(API.OffsetDelete, 0, {
      GroupId: "missing",
      Topics: [
        { Name: "orders", Partitions: [{ PartitionIndex: 0 }, { PartitionIndex: -1 }] },
        { Name: "..", Partitions: [{ PartitionIndex: 0 }] },
      ],
    });
    expect(r.ErrorCode).toBe(GROUP_ID_NOT_FOUND);
    expect(r.Topics).toEqual([
      { Name: "orders", Partitions: [{ PartitionIndex: -1, ErrorCode: UNKNOWN_TOPIC_OR_PARTITION }] },
      { Name: "..", Partitions: [{ PartitionIndex: 0, ErrorCode: UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
  });

  it("ConsumerGroupHeartbeat: a bad group id, leaving without a member id, joining without topics", async () => {
    const hb = (over: Value) =>
      call(API.ConsumerGroupHeartbeat, 0, {
        GroupId: "g",
        MemberId: "",
        MemberEpoch: 0,
        InstanceId: null,
        RackId: null,
        RebalanceTimeoutMs: 1000,
        SubscribedTopicNames: ["orders"],
        ServerAssignor: null,
        TopicPartitions: [],
        ...over,
      });
    expect((await hb({ GroupId: "a b" })).ErrorCode).toBe(INVALID_GROUP_ID);
    expect((await hb({ MemberEpoch: -1 })).ErrorCode).toBe(UNKNOWN_MEMBER_ID);
    expect((await hb({ SubscribedTopicNames: null })).ErrorCode).toBe(INVALID_REQUEST);
  });

  it("ConsumerGroupHeartbeat: an invalid regex, and one that would backtrack for ever, are INVALID_REGULAR_EXPRESSION", async () => {
    const hb = (regex: string) =>
      call(API.ConsumerGroupHeartbeat, 1, {
        GroupId: "g",
        MemberId: "m-1",
        MemberEpoch: 0,
        InstanceId: null,
        RackId: null,
        RebalanceTimeoutMs: 1000,
        SubscribedTopicNames: null,
        SubscribedTopicRegex: regex,
        ServerAssignor: null,
        TopicPartitions: [],
      });
    expect((await hb("(")).ErrorCode).toBe(INVALID_REGULAR_EXPRESSION);
    // Bounded by the gateway's matching budget, not by the pattern (which would take hours on a
    // 40-character name): the answer says the budget ran out.
    const slow = await hb("(a+)+");
    expect(slow.ErrorCode).toBe(INVALID_REGULAR_EXPRESSION);
    expect(slow.ErrorMessage).toMatch(/took over \d+ ms/);
  });
});

describe("a request naming hundreds of resources", () => {
  it("is answered for each, with at most a few upstream calls at once", async () => {
    mostInFlight = 0;
    const groups = Array.from({ length: 300 }, (_, i) => `g${i}`);
    const described = await call(API.DescribeGroups, 5, { Groups: groups, IncludeAuthorizedOperations: false });
    expect(described.Groups).toHaveLength(300);
    expect(described.Groups.every((g: any) => g.GroupState === "Dead")).toBe(true);
    const del = await call(API.DeleteRecords, 2, {
      Topics: Array.from({ length: 10 }, (_, t) => ({
        Name: `t${t}`,
        Partitions: Array.from({ length: 30 }, (_, p) => ({ PartitionIndex: p, Offset: 0 })),
      })),
      TimeoutMs: 1000,
    });
    expect(del.Topics.flatMap((t: any) => t.Partitions)).toHaveLength(300);
    expect(del.Topics[9].Partitions[29]).toMatchObject({ PartitionIndex: 29, ErrorCode: UNKNOWN_TOPIC_OR_PARTITION });
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(16);
    // 600 upstream calls, 16 at a time: seconds on a loaded 2-core machine, not 5.
  }, 20_000);
});
