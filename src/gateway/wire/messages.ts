// The Kafka messages the gateway speaks, transcribed from Apache Kafka 3.8's JSON message specs
// (field names kept), with the version ranges it advertises. Only these versions are ever decoded.

import { arrayOf, f, schema, type Schema } from "./codec.js";

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
} as const;

export type ApiName = keyof typeof API;

export interface ApiSpec {
  name: ApiName;
  key: number;
  /**
   * Advertised range. Low minimums are forced by librdkafka's feature gates (e.g. Produce 0 keeps
   * its gzip/snappy/lz4 enabled, JoinGroup 0 enables -G); versions below what we serve fully are
   * answered per partition/group with an error rather than decoded differently.
   */
  min: number;
  max: number;
  request: Schema;
  response: Schema;
}

const int32s = arrayOf("int32");
const strings = arrayOf("string");

const produce = {
  request: schema([
    f("TransactionalId", "string?", "3+"),
    f("Acks", "int16"),
    f("TimeoutMs", "int32"),
    f(
      "TopicData",
      arrayOf([f("Name", "string"), f("PartitionData", arrayOf([f("Index", "int32"), f("Records", "bytes?")]))]),
    ),
  ]),
  response: schema([
    f(
      "Responses",
      arrayOf([
        f("Name", "string"),
        f(
          "PartitionResponses",
          arrayOf([
            f("Index", "int32"),
            f("ErrorCode", "int16"),
            f("BaseOffset", "int64"),
            f("LogAppendTimeMs", "int64", "2+"),
            f("LogStartOffset", "int64", "5+"),
          ]),
        ),
      ]),
    ),
    f("ThrottleTimeMs", "int32", "1+"),
  ]),
};

const fetch = {
  request: schema([
    f("ReplicaId", "int32"),
    f("MaxWaitMs", "int32"),
    f("MinBytes", "int32"),
    f("MaxBytes", "int32", "3+"),
    f("IsolationLevel", "int8", "4+"),
    f("SessionId", "int32", "7+"),
    f("SessionEpoch", "int32", "7+"),
    f(
      "Topics",
      arrayOf([
        f("Topic", "string"),
        f(
          "Partitions",
          arrayOf([
            f("Partition", "int32"),
            f("CurrentLeaderEpoch", "int32", "9+"),
            f("FetchOffset", "int64"),
            f("LogStartOffset", "int64", "5+"),
            f("PartitionMaxBytes", "int32"),
          ]),
        ),
      ]),
    ),
    f("ForgottenTopicsData", arrayOf([f("Topic", "string"), f("Partitions", int32s)]), "7+"),
    f("RackId", "string", "11+"),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "1+"),
    f("ErrorCode", "int16", "7+"),
    f("SessionId", "int32", "7+"),
    f(
      "Responses",
      arrayOf([
        f("Topic", "string"),
        f(
          "Partitions",
          arrayOf([
            f("PartitionIndex", "int32"),
            f("ErrorCode", "int16"),
            f("HighWatermark", "int64"),
            f("LastStableOffset", "int64", "4+"),
            f("LogStartOffset", "int64", "5+"),
            f("AbortedTransactions", arrayOf([f("ProducerId", "int64"), f("FirstOffset", "int64")], true), "4+"),
            f("PreferredReadReplica", "int32", "11+"),
            f("Records", "records"),
          ]),
        ),
      ]),
    ),
  ]),
};

const listOffsets = {
  request: schema([
    f("ReplicaId", "int32"),
    f("IsolationLevel", "int8", "2+"),
    f(
      "Topics",
      arrayOf([
        f("Name", "string"),
        f(
          "Partitions",
          arrayOf([f("PartitionIndex", "int32"), f("Timestamp", "int64"), f("MaxNumOffsets", "int32", "0-0")]),
        ),
      ]),
    ),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "2+"),
    f(
      "Topics",
      arrayOf([
        f("Name", "string"),
        f(
          "Partitions",
          arrayOf([
            f("PartitionIndex", "int32"),
            f("ErrorCode", "int16"),
            f("OldStyleOffsets", arrayOf("int64"), "0-0"),
            f("Timestamp", "int64", "1+"),
            f("Offset", "int64", "1+"),
          ]),
        ),
      ]),
    ),
  ]),
};

const metadata = {
  request: schema([
    // v0: an empty list means all topics; v1+: null does.
    f("Topics", arrayOf([f("Name", "string")], true)),
    f("AllowAutoTopicCreation", "bool", "4+"),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "3+"),
    f("Brokers", arrayOf([f("NodeId", "int32"), f("Host", "string"), f("Port", "int32"), f("Rack", "string?", "1+")])),
    f("ClusterId", "string?", "2+"),
    f("ControllerId", "int32", "1+"),
    f(
      "Topics",
      arrayOf([
        f("ErrorCode", "int16"),
        f("Name", "string"),
        f("IsInternal", "bool", "1+"),
        f(
          "Partitions",
          arrayOf([
            f("ErrorCode", "int16"),
            f("PartitionIndex", "int32"),
            f("LeaderId", "int32"),
            f("ReplicaNodes", int32s),
            f("IsrNodes", int32s),
            f("OfflineReplicas", int32s, "5+"),
          ]),
        ),
      ]),
    ),
  ]),
};

const offsetCommit = {
  request: schema([
    f("GroupId", "string"),
    f("GenerationIdOrMemberEpoch", "int32", "1+"),
    f("MemberId", "string", "1+"),
    f("GroupInstanceId", "string?", "7+"),
    f("RetentionTimeMs", "int64", "2-4"),
    f(
      "Topics",
      arrayOf([
        f("Name", "string"),
        f(
          "Partitions",
          arrayOf([
            f("PartitionIndex", "int32"),
            f("CommittedOffset", "int64"),
            f("CommittedLeaderEpoch", "int32", "6+"),
            f("CommitTimestamp", "int64", "1-1"),
            f("CommittedMetadata", "string?"),
          ]),
        ),
      ]),
    ),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "3+"),
    f(
      "Topics",
      arrayOf([f("Name", "string"), f("Partitions", arrayOf([f("PartitionIndex", "int32"), f("ErrorCode", "int16")]))]),
    ),
  ]),
};

const offsetFetch = {
  request: schema([
    f("GroupId", "string"),
    f("Topics", arrayOf([f("Name", "string"), f("PartitionIndexes", int32s)], true)),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "3+"),
    f(
      "Topics",
      arrayOf([
        f("Name", "string"),
        f(
          "Partitions",
          arrayOf([
            f("PartitionIndex", "int32"),
            f("CommittedOffset", "int64"),
            f("CommittedLeaderEpoch", "int32", "5+"),
            f("Metadata", "string?"),
            f("ErrorCode", "int16"),
          ]),
        ),
      ]),
    ),
    f("ErrorCode", "int16", "2+"),
  ]),
};

const findCoordinator = {
  request: schema([f("Key", "string"), f("KeyType", "int8", "1+")]),
  response: schema([
    f("ThrottleTimeMs", "int32", "1+"),
    f("ErrorCode", "int16"),
    f("ErrorMessage", "string?", "1+"),
    f("NodeId", "int32"),
    f("Host", "string"),
    f("Port", "int32"),
  ]),
};

const joinGroup = {
  request: schema([
    f("GroupId", "string"),
    f("SessionTimeoutMs", "int32"),
    f("RebalanceTimeoutMs", "int32", "1+"),
    f("MemberId", "string"),
    f("GroupInstanceId", "string?", "5+"),
    f("ProtocolType", "string"),
    f("Protocols", arrayOf([f("Name", "string"), f("Metadata", "bytes")])),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "2+"),
    f("ErrorCode", "int16"),
    f("GenerationId", "int32"),
    f("ProtocolName", "string"),
    f("Leader", "string"),
    f("MemberId", "string"),
    f("Members", arrayOf([f("MemberId", "string"), f("GroupInstanceId", "string?", "5+"), f("Metadata", "bytes")])),
  ]),
};

const heartbeat = {
  request: schema([
    f("GroupId", "string"),
    f("GenerationId", "int32"),
    f("MemberId", "string"),
    f("GroupInstanceId", "string?", "3+"),
  ]),
  response: schema([f("ThrottleTimeMs", "int32", "1+"), f("ErrorCode", "int16")]),
};

const memberIdentity = [f("MemberId", "string"), f("GroupInstanceId", "string?")];

const leaveGroup = {
  request: schema([
    f("GroupId", "string"),
    f("MemberId", "string", "0-2"),
    f("Members", arrayOf(memberIdentity), "3+"),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "1+"),
    f("ErrorCode", "int16"),
    f("Members", arrayOf([...memberIdentity, f("ErrorCode", "int16")]), "3+"),
  ]),
};

const syncGroup = {
  request: schema([
    f("GroupId", "string"),
    f("GenerationId", "int32"),
    f("MemberId", "string"),
    f("GroupInstanceId", "string?", "3+"),
    f("Assignments", arrayOf([f("MemberId", "string"), f("Assignment", "bytes")])),
  ]),
  response: schema([f("ThrottleTimeMs", "int32", "1+"), f("ErrorCode", "int16"), f("Assignment", "bytes")]),
};

const apiVersions = {
  request: schema([f("ClientSoftwareName", "string", "3+"), f("ClientSoftwareVersion", "string", "3+")], 3),
  response: schema(
    [
      f("ErrorCode", "int16"),
      f("ApiKeys", arrayOf([f("ApiKey", "int16"), f("MinVersion", "int16"), f("MaxVersion", "int16")])),
      f("ThrottleTimeMs", "int32", "1+"),
    ],
    3,
  ),
};

const createTopics = {
  request: schema([
    f(
      "Topics",
      arrayOf([
        f("Name", "string"),
        f("NumPartitions", "int32"),
        f("ReplicationFactor", "int16"),
        f("Assignments", arrayOf([f("PartitionIndex", "int32"), f("BrokerIds", int32s)])),
        f("Configs", arrayOf([f("Name", "string"), f("Value", "string?")])),
      ]),
    ),
    f("TimeoutMs", "int32"),
    f("ValidateOnly", "bool", "1+"),
  ]),
  response: schema([
    f("ThrottleTimeMs", "int32", "2+"),
    f("Topics", arrayOf([f("Name", "string"), f("ErrorCode", "int16"), f("ErrorMessage", "string?", "1+")])),
  ]),
};

const deleteTopics = {
  request: schema([f("TopicNames", strings), f("TimeoutMs", "int32")]),
  response: schema([
    f("ThrottleTimeMs", "int32", "1+"),
    f("Responses", arrayOf([f("Name", "string"), f("ErrorCode", "int16")])),
  ]),
};

const initProducerId = {
  request: schema([f("TransactionalId", "string?"), f("TransactionTimeoutMs", "int32")]),
  response: schema([
    f("ThrottleTimeMs", "int32"),
    f("ErrorCode", "int16"),
    f("ProducerId", "int64"),
    f("ProducerEpoch", "int16"),
  ]),
};

export const APIS: readonly ApiSpec[] = [
  { name: "Produce", key: API.Produce, min: 0, max: 7, ...produce },
  { name: "Fetch", key: API.Fetch, min: 4, max: 11, ...fetch },
  { name: "ListOffsets", key: API.ListOffsets, min: 1, max: 3, ...listOffsets },
  { name: "Metadata", key: API.Metadata, min: 0, max: 6, ...metadata },
  { name: "OffsetCommit", key: API.OffsetCommit, min: 2, max: 7, ...offsetCommit },
  { name: "OffsetFetch", key: API.OffsetFetch, min: 1, max: 5, ...offsetFetch },
  { name: "FindCoordinator", key: API.FindCoordinator, min: 0, max: 2, ...findCoordinator },
  { name: "JoinGroup", key: API.JoinGroup, min: 0, max: 5, ...joinGroup },
  { name: "Heartbeat", key: API.Heartbeat, min: 0, max: 3, ...heartbeat },
  { name: "LeaveGroup", key: API.LeaveGroup, min: 0, max: 3, ...leaveGroup },
  { name: "SyncGroup", key: API.SyncGroup, min: 0, max: 3, ...syncGroup },
  { name: "ApiVersions", key: API.ApiVersions, min: 0, max: 3, ...apiVersions },
  { name: "CreateTopics", key: API.CreateTopics, min: 0, max: 4, ...createTopics },
  { name: "DeleteTopics", key: API.DeleteTopics, min: 0, max: 1, ...deleteTopics },
  { name: "InitProducerId", key: API.InitProducerId, min: 0, max: 1, ...initProducerId },
];

export const BY_KEY: ReadonlyMap<number, ApiSpec> = new Map(APIS.map((a) => [a.key, a]));

/** Consumer-protocol payloads carried inside JoinGroup (Subscription) and SyncGroup (Assignment). */
const topicPartitions = arrayOf([f("Topic", "string"), f("Partitions", int32s)]);
export const SUBSCRIPTION = schema([
  f("Topics", strings),
  f("UserData", "bytes?"),
  f("OwnedPartitions", topicPartitions, "1+"),
  f("GenerationId", "int32", "2+"),
  f("RackId", "string?", "3+"),
]);
export const ASSIGNMENT = schema([f("AssignedPartitions", topicPartitions), f("UserData", "bytes?")]);
