// The gateway's codec against an independent encoder: @platformatic/kafka's request writers and
// response parsers (its own hand-written layouts) for the flexible versions kafkajs and librdkafka
// never send. Requests it writes must decode and re-encode byte for byte; responses the gateway
// writes must parse in it.

import {
  consumerGroupDescribeV0,
  consumerGroupHeartbeatV1,
  createPartitionsV3,
  deleteRecordsV2,
  describeClusterV1,
  describeConfigsV4,
  describeGroupsV5,
  fetchV17,
  incrementalAlterConfigsV1,
  listGroupsV5,
  metadataV12,
  Reader as PReader,
} from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { decode, encode, Reader } from "../../src/gateway/wire/codec.js";
import { BY_KEY } from "../../src/gateway/wire/messages.js";

interface IndependentApi {
  api: { key: number; version: number };
  createRequest: (...args: any[]) => { buffer: Buffer };
  parseResponse: (id: number, key: number, version: number, r: unknown) => any;
}

const topicId = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

/** Each API at the version the independent encoder writes, a request built with it, and a response body. */
const CASES: [string, IndependentApi, unknown[], Record<string, unknown>, (parsed: any) => void][] = [
  [
    "DescribeConfigs",
    describeConfigsV4 as never,
    [[{ resourceType: 2, resourceName: "orders", configurationKeys: ["retention.ms"] }], true, false],
    {
      ThrottleTimeMs: 0,
      Results: [
        {
          ErrorCode: 0,
          ErrorMessage: null,
          ResourceType: 2,
          ResourceName: "orders",
          Configs: [
            {
              Name: "retention.ms",
              Value: "60000",
              ReadOnly: false,
              ConfigSource: 1,
              IsSensitive: false,
              Synonyms: [{ Name: "log.retention.ms", Value: "604800000", Source: 5 }],
              ConfigType: 5,
              Documentation: null,
            },
          ],
        },
      ],
    },
    (p) => expect(p.results[0].configs[0]).toMatchObject({ name: "retention.ms", value: "60000", configSource: 1 }),
  ],
  [
    "IncrementalAlterConfigs",
    incrementalAlterConfigsV1 as never,
    [
      [
        {
          resourceType: 2,
          resourceName: "orders",
          configs: [{ name: "retention.ms", configOperation: 0, value: "1" }],
        },
      ],
      false,
    ],
    { ThrottleTimeMs: 0, Responses: [{ ErrorCode: 0, ErrorMessage: null, ResourceType: 2, ResourceName: "orders" }] },
    (p) => expect(p.responses[0].resourceName).toBe("orders"),
  ],
  [
    "CreatePartitions",
    createPartitionsV3 as never,
    [[{ name: "orders", count: 5, assignments: [] }], 1000, false],
    { ThrottleTimeMs: 0, Results: [{ Name: "orders", ErrorCode: 0, ErrorMessage: null }] },
    (p) => expect(p.results[0].name).toBe("orders"),
  ],
  [
    "DeleteRecords",
    deleteRecordsV2 as never,
    [[{ name: "orders", partitions: [{ partitionIndex: 0, offset: 4n }] }], 1000],
    {
      ThrottleTimeMs: 0,
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0, LowWatermark: 4, ErrorCode: 0 }] }],
    },
    (p) => expect(p.topics[0].partitions[0].lowWatermark).toBe(4n),
  ],
  [
    "DescribeGroups",
    describeGroupsV5 as never,
    [["g1"], false],
    {
      ThrottleTimeMs: 0,
      Groups: [
        {
          ErrorCode: 0,
          GroupId: "g1",
          GroupState: "Stable",
          ProtocolType: "consumer",
          ProtocolData: "sticky",
          Members: [
            {
              MemberId: "m1",
              GroupInstanceId: null,
              ClientId: "",
              ClientHost: "",
              MemberMetadata: new Uint8Array([0, 0]),
              MemberAssignment: new Uint8Array([0, 0]),
            },
          ],
        },
      ],
    },
    (p) => expect(p.groups[0]).toMatchObject({ groupId: "g1", groupState: "Stable" }),
  ],
  [
    "ListGroups",
    listGroupsV5 as never,
    [["stable"], ["consumer"]],
    {
      ThrottleTimeMs: 0,
      ErrorCode: 0,
      Groups: [{ GroupId: "g1", ProtocolType: "consumer", GroupState: "Stable", GroupType: "consumer" }],
    },
    (p) => expect(p.groups[0]).toMatchObject({ groupId: "g1", groupType: "consumer" }),
  ],
  [
    "DescribeCluster",
    describeClusterV1 as never,
    [false, 1],
    {
      ThrottleTimeMs: 0,
      ErrorCode: 0,
      ErrorMessage: null,
      EndpointType: 1,
      ClusterId: "edgelog",
      ControllerId: 0,
      Brokers: [{ BrokerId: 0, Host: "127.0.0.1", Port: 9092, Rack: null }],
      ClusterAuthorizedOperations: -2147483648,
    },
    (p) => expect(p.brokers[0]).toMatchObject({ brokerId: 0, host: "127.0.0.1", port: 9092 }),
  ],
  [
    "Metadata",
    metadataV12 as never,
    [["orders"], false, false],
    {
      ThrottleTimeMs: 0,
      Brokers: [{ NodeId: 0, Host: "h", Port: 1, Rack: null }],
      ClusterId: "edgelog",
      ControllerId: 0,
      Topics: [
        {
          ErrorCode: 0,
          Name: "orders",
          TopicId: topicId,
          IsInternal: false,
          Partitions: [
            { ErrorCode: 0, PartitionIndex: 0, LeaderId: 0, ReplicaNodes: [0], IsrNodes: [0], OfflineReplicas: [] },
          ],
        },
      ],
    },
    (p) => expect(p.topics[0]).toMatchObject({ name: "orders", topicId }),
  ],
  [
    "ConsumerGroupHeartbeat",
    consumerGroupHeartbeatV1 as never,
    ["g1", "m1", 0, null, null, 60000, ["orders"], null, "uniform", [{ topicId, partitions: [1] }]],
    {
      ThrottleTimeMs: 0,
      ErrorCode: 0,
      ErrorMessage: null,
      MemberId: "m1",
      MemberEpoch: 3,
      HeartbeatIntervalMs: 5000,
      Assignment: { TopicPartitions: [{ TopicId: topicId, Partitions: [0, 1] }] },
    },
    (p) => expect(p.assignment.topicPartitions[0]).toMatchObject({ topicId, partitions: [0, 1] }),
  ],
  [
    "ConsumerGroupDescribe",
    consumerGroupDescribeV0 as never,
    [["g1"], false],
    {
      ThrottleTimeMs: 0,
      Groups: [
        {
          ErrorCode: 0,
          ErrorMessage: null,
          GroupId: "g1",
          GroupState: "Stable",
          GroupEpoch: 2,
          AssignmentEpoch: 2,
          AssignorName: "sticky",
          Members: [],
        },
      ],
    },
    (p) => expect(p.groups[0]).toMatchObject({ groupId: "g1", groupEpoch: 2 }),
  ],
  [
    "Fetch",
    fetchV17 as never,
    [
      500,
      1,
      1024,
      0,
      0,
      -1,
      [
        {
          topicId,
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 5n, lastFetchedEpoch: -1, partitionMaxBytes: 1024 },
          ],
        },
      ],
      [],
      "",
    ],
    {
      ThrottleTimeMs: 0,
      ErrorCode: 0,
      SessionId: 0,
      Responses: [
        {
          TopicId: topicId,
          Partitions: [
            {
              PartitionIndex: 0,
              ErrorCode: 0,
              HighWatermark: 7,
              LastStableOffset: 7,
              LogStartOffset: 0,
              AbortedTransactions: [],
              PreferredReadReplica: -1,
              Records: new Uint8Array(0),
            },
          ],
        },
      ],
    },
    (p) => expect(p.responses[0].partitions[0]).toMatchObject({ highWatermark: 7n }),
  ],
];

describe("codec against @platformatic/kafka's encoder", () => {
  for (const [name, api, args, response, check] of CASES) {
    const { key, version } = api.api;
    it(`${name} v${version}: its request decodes and re-encodes byte for byte; its parser reads our response`, () => {
      const spec = BY_KEY.get(key)!;
      expect(spec.name).toBe(name);
      const bytes = new Uint8Array(api.createRequest(...args).buffer);
      const req = decode(spec.request, version, new Reader(bytes));
      expect(Buffer.from(encode(spec.request, version, req).bytes())).toEqual(Buffer.from(bytes));
      const out = Buffer.from(encode(spec.response, version, response).bytes());
      check(api.parseResponse(1, key, version, PReader.from(out)));
    });
  }
});
