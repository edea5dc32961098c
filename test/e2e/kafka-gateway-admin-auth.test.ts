// The gateway's admin, describe, KIP-848 and OffsetDelete APIs against a real auth-required wrangler
// dev: what edgelog answers for a token that lacks a grant, for unknown topics and groups and for a
// subscribed topic, arrives as Kafka's code per topic, partition or group on an open connection;
// @platformatic/kafka's admin deletes a group's offsets; describes show the clients' ids and hosts.

import { Admin } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { decode, encode, Reader, type Value } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY } from "../../src/gateway/wire/messages.js";
import { wireClient, type WireClient } from "../support/kafka-wire.js";
import { startServer, type EdgelogServer } from "../support/server.js";

// Kafka's codes, written out: the expectation must not come from the table under test.
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_AUTHORIZATION_FAILED = 29;
const GROUP_AUTHORIZATION_FAILED = 30;
const CLUSTER_AUTHORIZATION_FAILED = 31;
const GROUP_ID_NOT_FOUND = 69;
const GROUP_SUBSCRIBED_TO_TOPIC = 86;
const MEMBER_ID_REQUIRED = 79;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;

const ADMIN = "e2e-gateway-admin-auth-secret";
let server: EdgelogServer;
let admin: Gateway;
let limited: Gateway;

beforeAll(async () => {
  server = await startServer({
    vars: { EDGELOG_AUTH: "required", EDGELOG_ADMIN_TOKEN: ADMIN, EDGELOG_GROUP_METADATA_MAX_AGE_MS: "0" },
  });
  for (const name of ["orders", "secret"])
    expect((await api("POST", "/v1/topics", { name, partitions: 2 })).status).toBe(201);
  const minted = await api("POST", "/v1/tokens", {
    name: "team",
    grants: [
      { resource: "topic:orders", operations: ["consume", "describe"] },
      { resource: "group:team.*", operations: ["consume", "describe"] },
      { resource: "group:team.adm", operations: ["admin"] },
      { resource: "transactional-id:team.*", operations: ["write"] },
    ],
  });
  expect(minted.status).toBe(201);
  admin = await startGateway({ listen: "127.0.0.1:0", upstream: server.url, token: ADMIN, log: () => {} });
  limited = await startGateway({
    listen: "127.0.0.1:0",
    upstream: server.url,
    token: minted.body.token,
    log: () => {},
  });
}, 90_000);

afterAll(async () => {
  await admin?.close();
  await limited?.close();
  await server?.dispose();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const sockets: WireClient[] = [];
afterAll(() => sockets.forEach((s) => s.close()));
let correlation = 0;

/** One request on a gateway's connection (one per gateway and client id); a closed connection fails the test. */
async function call(gw: Gateway, key: number, version: number, request: Value, clientId = "e2e"): Promise<any> {
  const spec = BY_KEY.get(key)!;
  const c = await wireClient(gw.port);
  sockets.push(c);
  const id = ++correlation;
  const flexible = version >= spec.request.flexibleFrom;
  c.send(key, version, id, encode(spec.request, version, request).bytes(), { flexible, clientId });
  const frame = await c.next(20_000);
  expect(frame, `${spec.name} v${version} closed the connection`).not.toBeNull();
  const r = new Reader(frame!);
  expect(r.int32()).toBe(id);
  if (flexible) r.skipTags();
  const body = decode(spec.response, version, r);
  c.close();
  return body;
}

const topicResource = (name: string, extra: Value = {}) => ({ ResourceType: 2, ResourceName: name, ...extra });

describe("a token without the grant", () => {
  it("topic admin: TOPIC_AUTHORIZATION_FAILED per topic or partition, the granted ones served", async () => {
    const configs = await call(limited, API.DescribeConfigs, 4, {
      Resources: [
        topicResource("orders", { ConfigurationKeys: null }),
        topicResource("secret", { ConfigurationKeys: null }),
      ],
      IncludeSynonyms: false,
      IncludeDocumentation: false,
    });
    expect(configs.Results.map((r: any) => r.ErrorCode)).toEqual([0, TOPIC_AUTHORIZATION_FAILED]);
    const set = [{ Name: "retention.ms", ConfigOperation: 0, Value: "60000" }];
    const inc = await call(limited, API.IncrementalAlterConfigs, 1, {
      Resources: [topicResource("orders", { Configs: set })],
      ValidateOnly: false,
    });
    expect(inc.Responses[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const alter = await call(limited, API.AlterConfigs, 0, {
      Resources: [topicResource("orders", { Configs: [{ Name: "retention.ms", Value: "60000" }] })],
      ValidateOnly: false,
    });
    expect(alter.Responses[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const grow = await call(limited, API.CreatePartitions, 3, {
      Topics: [{ Name: "orders", Count: 3, Assignments: null }],
      TimeoutMs: 1000,
      ValidateOnly: false,
    });
    expect(grow.Results[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const del = await call(limited, API.DeleteRecords, 2, {
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0, Offset: 0 }] }],
      TimeoutMs: 1000,
    });
    expect(del.Topics[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const epochs = await call(limited, API.OffsetForLeaderEpoch, 4, {
      ReplicaId: -1,
      Topics: ["orders", "secret"].map((Topic) => ({
        Topic,
        Partitions: [{ Partition: 0, CurrentLeaderEpoch: -1, LeaderEpoch: 0 }],
      })),
    });
    expect(epochs.Topics.map((t: any) => t.Partitions[0].ErrorCode)).toEqual([0, TOPIC_AUTHORIZATION_FAILED]);
    // Nothing was changed.
    expect((await api("GET", "/v1/topics/orders")).body.partition_count).toBe(2);
  });

  it("groups: GROUP_AUTHORIZATION_FAILED per group, TOPIC_ for a subscription or offset of a topic it may not read", async () => {
    const described = await call(limited, API.DescribeGroups, 5, {
      Groups: ["other", "team.none"],
      IncludeAuthorizedOperations: false,
    });
    expect(described.Groups.map((g: any) => [g.ErrorCode, g.GroupState])).toEqual([
      [GROUP_AUTHORIZATION_FAILED, ""],
      [0, "Dead"],
    ]);
    const deleted = await call(limited, API.DeleteGroups, 2, { GroupsNames: ["team.none"] });
    expect(deleted.Results[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const kip = await call(limited, API.ConsumerGroupDescribe, 0, {
      GroupIds: ["other"],
      IncludeAuthorizedOperations: false,
    });
    expect(kip.Groups[0].ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    const join = (GroupId: string, topic: string) =>
      call(limited, API.ConsumerGroupHeartbeat, 0, {
        GroupId,
        MemberId: "",
        MemberEpoch: 0,
        InstanceId: null,
        RackId: null,
        RebalanceTimeoutMs: 10_000,
        SubscribedTopicNames: [topic],
        ServerAssignor: null,
        TopicPartitions: [],
      });
    expect((await join("other", "orders")).ErrorCode).toBe(GROUP_AUTHORIZATION_FAILED);
    expect((await join("team.k", "secret")).ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const partition0 = (Name: string) => ({ Name, Partitions: [{ PartitionIndex: 0 }] });
    const noAdmin = await call(limited, API.OffsetDelete, 0, { GroupId: "team.x", Topics: [partition0("orders")] });
    expect([noAdmin.ErrorCode, noAdmin.Topics]).toEqual([GROUP_AUTHORIZATION_FAILED, []]);
    const noRead = await call(limited, API.OffsetDelete, 0, { GroupId: "team.adm", Topics: [partition0("secret")] });
    expect(noRead.Topics[0].Partitions[0].ErrorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
    const listed = await call(limited, API.ListGroups, 4, { StatesFilter: [] });
    expect(listed.Groups.map((g: any) => g.GroupId).filter((g: string) => !g.startsWith("team."))).toEqual([]);
    const acls = await call(limited, API.DescribeAcls, 1, {
      ResourceTypeFilter: 1,
      ResourceNameFilter: null,
      PatternTypeFilter: 1,
      PrincipalFilter: null,
      HostFilter: null,
      Operation: 1,
      PermissionType: 1,
    });
    expect(acls.ErrorCode).toBe(CLUSTER_AUTHORIZATION_FAILED);
  });
});

describe("transactions under the token's transactional-id grants", () => {
  it("FindCoordinator, InitProducerId and DescribeTransactions refuse an id the token may not use; ListTransactions lists only its own", async () => {
    const init = (gw: Gateway, TransactionalId: string) =>
      call(gw, API.InitProducerId, 4, {
        TransactionalId,
        TransactionTimeoutMs: 60_000,
        ProducerId: -1,
        ProducerEpoch: -1,
      });
    const find = await call(limited, API.FindCoordinator, 3, { Key: "payments-1", KeyType: 1 });
    expect(find.ErrorCode).toBe(TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect((await init(limited, "payments-1")).ErrorCode).toBe(TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    // Its own ids work, and the admin's gateway takes any.
    expect((await call(limited, API.FindCoordinator, 3, { Key: "team.billing", KeyType: 1 })).ErrorCode).toBe(0);
    expect((await init(limited, "team.billing")).ErrorCode).toBe(0);
    expect((await init(admin, "payments-1")).ErrorCode).toBe(0);
    const list = (gw: Gateway) =>
      call(gw, API.ListTransactions, 1, { StateFilters: [], ProducerIdFilters: [], DurationFilter: -1 });
    const ids = (r: any) => r.TransactionStates.map((t: any) => t.TransactionalId).sort();
    expect(ids(await list(limited))).toEqual(["team.billing"]);
    expect(ids(await list(admin))).toEqual(["payments-1", "team.billing"]);
    const described = await call(limited, API.DescribeTransactions, 0, {
      TransactionalIds: ["payments-1", "team.billing"],
    });
    expect(described.TransactionStates.map((t: any) => [t.ErrorCode, t.TransactionState])).toEqual([
      [TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ""],
      [0, "Empty"],
    ]);
  });
});

describe("unknown and subscribed resources, as edgelog answers them", () => {
  it("unknown topics and groups per resource; OffsetDelete refused per partition while a member subscribes", async () => {
    const configs = await call(admin, API.DescribeConfigs, 1, {
      Resources: [topicResource("nope", { ConfigurationKeys: null })],
      IncludeSynonyms: false,
    });
    expect(configs.Results[0].ErrorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION);
    const del = await call(admin, API.DeleteRecords, 0, {
      Topics: [{ Name: "nope", Partitions: [{ PartitionIndex: 0, Offset: 0 }] }],
      TimeoutMs: 1000,
    });
    expect(del.Topics[0].Partitions[0].ErrorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION);
    const gone = await call(admin, API.OffsetDelete, 0, {
      GroupId: "never-used",
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0 }] }],
    });
    expect(gone.ErrorCode).toBe(GROUP_ID_NOT_FOUND);

    // A group with offsets for both topics and one member subscribed to orders.
    expect(
      (await api("POST", "/v1/groups/busy/offsets/reset", { to: "earliest", topics: ["orders", "secret"] })).status,
    ).toBe(200);
    const member = await api("POST", "/v1/groups/busy/heartbeat", {
      member_id: null,
      member_epoch: 0,
      topics: ["orders"],
    });
    expect(member.status).toBe(200);
    const r = await call(admin, API.OffsetDelete, 0, {
      GroupId: "busy",
      Topics: [
        { Name: "orders", Partitions: [{ PartitionIndex: 0 }, { PartitionIndex: 1 }] },
        { Name: "secret", Partitions: [{ PartitionIndex: 1 }, { PartitionIndex: 9 }] },
      ],
    });
    expect(r.ErrorCode).toBe(0);
    expect(r.Topics.map((t: any) => t.Partitions.map((p: any) => p.ErrorCode))).toEqual([
      [GROUP_SUBSCRIBED_TO_TOPIC, GROUP_SUBSCRIBED_TO_TOPIC],
      [0, UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const left = (await api("GET", "/v1/groups/busy/offsets")).body.offsets.map(
      (o: any) => `${o.topic}:${o.partition}`,
    );
    expect(left).toEqual(["orders:0", "orders:1", "secret:0"]);
  });
});

describe("@platformatic/kafka's admin", () => {
  it("deleteConsumerGroupOffsets forgets the named partitions' offsets of an empty group", async () => {
    expect((await api("POST", "/v1/groups/idle/offsets/reset", { to: "latest", topics: ["orders"] })).status).toBe(200);
    const client = new Admin({ clientId: "pl-admin", bootstrapBrokers: [`127.0.0.1:${admin.port}`], retries: 1 });
    try {
      await client.deleteConsumerGroupOffsets({ groupId: "idle", topics: [{ name: "orders", partitionIndexes: [1] }] });
    } finally {
      await client.close();
    }
    const left = (await api("GET", "/v1/groups/idle/offsets")).body.offsets.map(
      (o: any) => `${o.topic}:${o.partition}`,
    );
    expect(left).toEqual(["orders:0"]);
  });
});

describe("client ids and hosts", () => {
  it("DescribeGroups, ConsumerGroupDescribe and GET /v1/groups/{g} show each member's client.id and address", async () => {
    // A classic member (JoinGroup v9: first the member id, then the join) and a KIP-848 one.
    const subscription = new Uint8Array([0, 0, 0, 0, 0, 1, 0, 6, ...Buffer.from("orders"), 0xff, 0xff, 0xff, 0xff]);
    const joinGroup = (MemberId: string) =>
      call(
        admin,
        API.JoinGroup,
        9,
        {
          GroupId: "shown",
          SessionTimeoutMs: 30_000,
          RebalanceTimeoutMs: 30_000,
          MemberId,
          GroupInstanceId: null,
          ProtocolType: "consumer",
          Protocols: [{ Name: "range", Metadata: subscription }],
          Reason: null,
        },
        "classic-app",
      );
    const first = await joinGroup("");
    expect(first.ErrorCode).toBe(MEMBER_ID_REQUIRED);
    expect((await joinGroup(first.MemberId)).ErrorCode).toBe(0);
    const kip = await call(
      admin,
      API.ConsumerGroupHeartbeat,
      1,
      {
        GroupId: "shown",
        MemberId: "kip-member-0001",
        MemberEpoch: 0,
        InstanceId: null,
        RackId: null,
        RebalanceTimeoutMs: 30_000,
        SubscribedTopicNames: ["orders"],
        SubscribedTopicRegex: null,
        ServerAssignor: null,
        TopicPartitions: [],
      },
      "kip848-app",
    );
    expect(kip.ErrorCode).toBe(0);

    const described = await call(admin, API.DescribeGroups, 5, {
      Groups: ["shown"],
      IncludeAuthorizedOperations: false,
    });
    const who = (members: any[]) => members.map((m) => [m.ClientId, m.ClientHost]).sort();
    const expected = [
      ["classic-app", "/127.0.0.1"],
      ["kip848-app", "/127.0.0.1"],
    ];
    expect(who(described.Groups[0].Members)).toEqual(expected);
    const kipDescribed = await call(admin, API.ConsumerGroupDescribe, 0, {
      GroupIds: ["shown"],
      IncludeAuthorizedOperations: false,
    });
    expect(who(kipDescribed.Groups[0].Members)).toEqual(expected);
    const http = (await api("GET", "/v1/groups/shown")).body.members;
    expect(http.map((m: any) => [m.client_id, m.client_host]).sort()).toEqual([
      ["classic-app", "127.0.0.1"],
      ["kip848-app", "127.0.0.1"],
    ]);
  });
});
