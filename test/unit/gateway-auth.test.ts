// The gateway in front of an edgelog that refuses its token (none, unknown, or not allowed): every API
// answers with Kafka's authorization code for its resource and the connection stays open, so clients
// report the failure instead of seeing "Closed connection" and reconnecting forever.

import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { decode, encode, Reader, Writer, type Value } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY, SUBSCRIPTION } from "../../src/gateway/wire/messages.js";
import { exchange, wireClient, type WireClient } from "../support/kafka-wire.js";

// Kafka's codes, written out: the expectation must not come from the table under test.
const TOPIC_AUTHORIZATION_FAILED = 29;
const GROUP_AUTHORIZATION_FAILED = 30;
const CLUSTER_AUTHORIZATION_FAILED = 31;

/** What the stand-in edgelog answers every request with (but the topic list, when `lists`). */
let refusal = { status: 401, code: "UNAUTHENTICATED", lists: false };
let upstream: Server;
let gateway: Gateway;
const logs: string[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (refusal.lists && req.method === "GET" && req.url === "/v1/topics") return res.end('{"topics":[]}');
      res.statusCode = refusal.status;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ error: { code: refusal.code, message: "refused", retriable: false } }));
    });
  });
  await new Promise<void>((res) => upstream.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  gateway = await startGateway({
    listen: "127.0.0.1:0",
    upstream: url,
    autoCreateTopics: true,
    log: (m) => logs.push(m),
  });
});

afterAll(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise((res) => upstream?.close(res));
});

let c: WireClient;
let correlation = 0;
beforeEach(async () => {
  refusal = { status: 401, code: "UNAUTHENTICATED", lists: false };
  c = await wireClient(gateway.port);
  return () => c.close();
});

/** One request on this test's connection, its answer decoded. */
function call(key: number, version: number, request: Value): Promise<any> {
  return exchange(c, key, version, request, ++correlation);
}

const subscription = () => {
  const w = new Writer().int16(0);
  encode(SUBSCRIPTION, 0, { Topics: ["orders"], UserData: null }, w);
  return w.bytes();
};

describe("edgelog refuses the gateway's token (401)", () => {
  it("Metadata answers TOPIC_AUTHORIZATION_FAILED per topic asked, no topics for all, and keeps the connection", async () => {
    const named = await call(API.Metadata, 6, { Topics: [{ Name: "orders" }], AllowAutoTopicCreation: true });
    expect(named.Topics).toEqual([
      expect.objectContaining({ Name: "orders", ErrorCode: TOPIC_AUTHORIZATION_FAILED, Partitions: [] }),
    ]);
    const all = await call(API.Metadata, 6, { Topics: null, AllowAutoTopicCreation: false });
    expect(all.Topics).toEqual([]);
    expect(all.Brokers).toHaveLength(1);
    // v0 asks for every topic with an empty list.
    expect((await call(API.Metadata, 0, { Topics: [] })).Topics).toEqual([]);
  });

  it("Produce, Fetch, ListOffsets, CreateTopics and DeleteTopics answer TOPIC_AUTHORIZATION_FAILED", async () => {
    const produce = await call(API.Produce, 7, {
      TransactionalId: null,
      Acks: -1,
      TimeoutMs: 1000,
      TopicData: [{ Name: "orders", PartitionData: [{ Index: 0, Records: new Uint8Array([1]) }] }],
    });
    expect(produce.Responses[0].PartitionResponses[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const fetched = await call(API.Fetch, 11, {
      ReplicaId: -1,
      MaxWaitMs: 100,
      MinBytes: 1,
      MaxBytes: 1 << 20,
      IsolationLevel: 0,
      SessionId: 0,
      SessionEpoch: -1,
      Topics: [
        {
          Topic: "orders",
          Partitions: [
            { Partition: 0, CurrentLeaderEpoch: -1, FetchOffset: 0, LogStartOffset: -1, PartitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      ForgottenTopicsData: [],
      RackId: "",
    });
    expect(fetched.Responses[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const offsets = await call(API.ListOffsets, 3, {
      ReplicaId: -1,
      IsolationLevel: 0,
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0, Timestamp: -1 }] }],
    });
    expect(offsets.Topics[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const created = await call(API.CreateTopics, 3, {
      Topics: [{ Name: "orders", NumPartitions: 3, ReplicationFactor: -1, Assignments: [], Configs: [] }],
      TimeoutMs: 1000,
      ValidateOnly: false,
    });
    expect(created.Topics[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const deleted = await call(API.DeleteTopics, 1, { TopicNames: ["orders"], TimeoutMs: 1000 });
    expect(deleted.Responses[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
  });

  it("InitProducerId answers CLUSTER_AUTHORIZATION_FAILED", async () => {
    const r = await call(API.InitProducerId, 1, { TransactionalId: null, TransactionTimeoutMs: 60_000 });
    expect(r.ErrorCode).toBe(CLUSTER_AUTHORIZATION_FAILED);
  });

  it("group APIs answer GROUP_AUTHORIZATION_FAILED", async () => {
    const member = { GroupId: "g", MemberId: "m-1", GroupInstanceId: null };
    const join = await call(API.JoinGroup, 5, {
      ...member,
      SessionTimeoutMs: 30_000,
      RebalanceTimeoutMs: 60_000,
      ProtocolType: "consumer",
      Protocols: [{ Name: "range", Metadata: subscription() }],
    });
    expect(join.ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const sync = await call(API.SyncGroup, 3, { ...member, GenerationId: 1, Assignments: [] });
    expect(sync.ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const beat = await call(API.Heartbeat, 3, { ...member, GenerationId: 1 });
    expect(beat.ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const leave = await call(API.LeaveGroup, 3, {
      GroupId: "g",
      Members: [{ MemberId: "m-1", GroupInstanceId: null }],
    });
    expect(leave.Members[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const commit = await call(API.OffsetCommit, 7, {
      ...member,
      GenerationIdOrMemberEpoch: 1,
      Topics: [
        {
          Name: "orders",
          Partitions: [{ PartitionIndex: 0, CommittedOffset: 5, CommittedLeaderEpoch: -1, CommittedMetadata: null }],
        },
      ],
    });
    expect(commit.Topics[0].Partitions[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const fetched = await call(API.OffsetFetch, 5, {
      GroupId: "g",
      Topics: [{ Name: "orders", PartitionIndexes: [0] }],
    });
    expect(fetched.ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    expect(fetched.Topics[0].Partitions[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
  });
});

describe("edgelog refuses the gateway's token (401): admin, describe and KIP-848 APIs", () => {
  it("topic admin answers TOPIC_AUTHORIZATION_FAILED per topic or partition", async () => {
    const configs = await call(API.DescribeConfigs, 4, {
      Resources: [{ ResourceType: 2, ResourceName: "orders", ConfigurationKeys: null }],
      IncludeSynonyms: false,
      IncludeDocumentation: false,
    });
    expect(configs.Results[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const resource = { ResourceType: 2, ResourceName: "orders" };
    const alter = await call(API.AlterConfigs, 2, {
      Resources: [{ ...resource, Configs: [{ Name: "retention.ms", Value: "1" }] }],
      ValidateOnly: false,
    });
    expect(alter.Responses[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const inc = await call(API.IncrementalAlterConfigs, 1, {
      Resources: [{ ...resource, Configs: [{ Name: "retention.ms", ConfigOperation: 0, Value: "1" }] }],
      ValidateOnly: false,
    });
    expect(inc.Responses[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const grow = await call(API.CreatePartitions, 3, {
      Topics: [{ Name: "orders", Count: 4, Assignments: null }],
      TimeoutMs: 1000,
      ValidateOnly: false,
    });
    expect(grow.Results[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const del = await call(API.DeleteRecords, 2, {
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0, Offset: 1 }] }],
      TimeoutMs: 1000,
    });
    expect(del.Topics[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const epochs = await call(API.OffsetForLeaderEpoch, 4, {
      ReplicaId: -1,
      Topics: [{ Topic: "orders", Partitions: [{ Partition: 0, CurrentLeaderEpoch: -1, LeaderEpoch: 0 }] }],
    });
    expect(epochs.Topics[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
  });

  it("group admin and KIP-848 answer GROUP_AUTHORIZATION_FAILED per group; ListGroups lists none", async () => {
    const listed = await call(API.ListGroups, 5, { StatesFilter: [], TypesFilter: [] });
    expect([listed.ErrorCode, listed.Groups]).toEqual([0, []]);
    const described = await call(API.DescribeGroups, 5, { Groups: ["g"], IncludeAuthorizedOperations: false });
    expect(described.Groups[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const deleted = await call(API.DeleteGroups, 2, { GroupsNames: ["g"] });
    expect(deleted.Results[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const kip = await call(API.ConsumerGroupDescribe, 0, { GroupIds: ["g"], IncludeAuthorizedOperations: false });
    expect(kip.Groups[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const hb = await call(API.ConsumerGroupHeartbeat, 0, {
      GroupId: "g",
      MemberId: "",
      MemberEpoch: 0,
      InstanceId: null,
      RackId: null,
      RebalanceTimeoutMs: 1000,
      SubscribedTopicNames: ["orders"],
      ServerAssignor: null,
      TopicPartitions: [],
    });
    expect(hb.ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const offsets = await call(API.OffsetDelete, 0, {
      GroupId: "g",
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0 }] }],
    });
    expect([offsets.ErrorCode, offsets.Topics]).toEqual([GROUP_AUTHORIZATION_FAILED, []]);
  });

  it("ACL APIs answer CLUSTER_AUTHORIZATION_FAILED: listing tokens needs the cluster", async () => {
    const filter = {
      ResourceTypeFilter: 1,
      ResourceNameFilter: null,
      PatternTypeFilter: 1,
      PrincipalFilter: null,
      HostFilter: null,
      Operation: 1,
      PermissionType: 1,
    };
    expect((await call(API.DescribeAcls, 3, filter)).ErrorCode).toBe(CLUSTER_AUTHORIZATION_FAILED);
    const deleted = await call(API.DeleteAcls, 3, { Filters: [filter] });
    expect(deleted.FilterResults[0].ErrorCode).toBe(CLUSTER_AUTHORIZATION_FAILED);
  });
});

describe("edgelog forbids the action (403)", () => {
  it("keeps the resource edgelog names: a commit refused for its topic is TOPIC_AUTHORIZATION_FAILED", async () => {
    refusal = { status: 403, code: "TOPIC_AUTHORIZATION_FAILED", lists: false };
    const commit = await call(API.OffsetCommit, 7, {
      GroupId: "g",
      MemberId: "",
      GroupInstanceId: null,
      GenerationIdOrMemberEpoch: -1,
      Topics: [
        {
          Name: "orders",
          Partitions: [{ PartitionIndex: 0, CommittedOffset: 5, CommittedLeaderEpoch: -1, CommittedMetadata: null }],
        },
      ],
    });
    expect(commit.Topics[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
  });

  it("Metadata auto-creation refused answers TOPIC_AUTHORIZATION_FAILED for that topic", async () => {
    // The token may list topics (it sees none) but not create one.
    refusal = { status: 403, code: "CLUSTER_AUTHORIZATION_FAILED", lists: true };
    const r = await call(API.Metadata, 6, { Topics: [{ Name: "orders" }], AllowAutoTopicCreation: true });
    expect(r.Topics[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
  });
});
