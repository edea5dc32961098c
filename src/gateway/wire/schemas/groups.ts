// Kafka's message layouts for Consumer groups (classic and KIP-848) and their offsets: every version Kafka 4.0 defines (plus the
// older ones Kafka 3.9 still served), transcribed from Apache Kafka's JSON message specs with their field names.

import { arrayOf, f, nullable, schema } from "../codec.js";
import type { Messages } from "../codec.js";

export const offsetCommit: Messages = {
  request: schema(
    [
      f("GroupId", "string"),
      f("GenerationIdOrMemberEpoch", "int32", "1+", { default: -1 }),
      f("MemberId", "string", "1+"),
      f("GroupInstanceId", "string?", "7+"),
      f("RetentionTimeMs", "int64", "2-4", { default: -1 }),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f(
            "Partitions",
            arrayOf([
              f("PartitionIndex", "int32"),
              f("CommittedOffset", "int64"),
              f("CommittedLeaderEpoch", "int32", "6+", { default: -1 }),
              f("CommitTimestamp", "int64", "1", { default: -1 }),
              f("CommittedMetadata", "string?"),
            ]),
          ),
        ]),
      ),
    ],
    8,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "3+"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f("Partitions", arrayOf([f("PartitionIndex", "int32"), f("ErrorCode", "int16")])),
        ]),
      ),
    ],
    8,
  ),
};

export const offsetFetch: Messages = {
  request: schema(
    [
      f("GroupId", "string", "0-7"),
      f("Topics", arrayOf([f("Name", "string", "0-7"), f("PartitionIndexes", arrayOf("int32"), "0-7")], true), "0-7"),
      f(
        "Groups",
        arrayOf([
          f("GroupId", "string", "8+"),
          f("MemberId", "string?", "9+"),
          f("MemberEpoch", "int32", "9+", { default: -1 }),
          f("Topics", arrayOf([f("Name", "string", "8+"), f("PartitionIndexes", arrayOf("int32"), "8+")], true), "8+"),
        ]),
        "8+",
      ),
      f("RequireStable", "bool", "7+"),
    ],
    6,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "3+"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string", "0-7"),
          f(
            "Partitions",
            arrayOf([
              f("PartitionIndex", "int32", "0-7"),
              f("CommittedOffset", "int64", "0-7"),
              f("CommittedLeaderEpoch", "int32", "5-7", { default: -1 }),
              f("Metadata", "string?", "0-7"),
              f("ErrorCode", "int16", "0-7"),
            ]),
            "0-7",
          ),
        ]),
        "0-7",
      ),
      f("ErrorCode", "int16", "2-7"),
      f(
        "Groups",
        arrayOf([
          f("GroupId", "string", "8+"),
          f(
            "Topics",
            arrayOf([
              f("Name", "string", "8+"),
              f(
                "Partitions",
                arrayOf([
                  f("PartitionIndex", "int32", "8+"),
                  f("CommittedOffset", "int64", "8+"),
                  f("CommittedLeaderEpoch", "int32", "8+", { default: -1 }),
                  f("Metadata", "string?", "8+"),
                  f("ErrorCode", "int16", "8+"),
                ]),
                "8+",
              ),
            ]),
            "8+",
          ),
          f("ErrorCode", "int16", "8+"),
        ]),
        "8+",
      ),
    ],
    6,
  ),
};

export const findCoordinator: Messages = {
  request: schema(
    [f("Key", "string", "0-3"), f("KeyType", "int8", "1+"), f("CoordinatorKeys", arrayOf("string"), "4+")],
    3,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f("ErrorCode", "int16", "0-3"),
      f("ErrorMessage", "string?", "1-3"),
      f("NodeId", "int32", "0-3"),
      f("Host", "string", "0-3"),
      f("Port", "int32", "0-3"),
      f(
        "Coordinators",
        arrayOf([
          f("Key", "string", "4+"),
          f("NodeId", "int32", "4+"),
          f("Host", "string", "4+"),
          f("Port", "int32", "4+"),
          f("ErrorCode", "int16", "4+"),
          f("ErrorMessage", "string?", "4+"),
        ]),
        "4+",
      ),
    ],
    3,
  ),
};

export const joinGroup: Messages = {
  request: schema(
    [
      f("GroupId", "string"),
      f("SessionTimeoutMs", "int32"),
      f("RebalanceTimeoutMs", "int32", "1+", { default: -1 }),
      f("MemberId", "string"),
      f("GroupInstanceId", "string?", "5+"),
      f("ProtocolType", "string"),
      f("Protocols", arrayOf([f("Name", "string"), f("Metadata", "bytes")])),
      f("Reason", "string?", "8+"),
    ],
    6,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "2+"),
      f("ErrorCode", "int16"),
      f("GenerationId", "int32", "0+", { default: -1 }),
      f("ProtocolType", "string?", "7+"),
      f("ProtocolName", "string?"),
      f("Leader", "string"),
      f("SkipAssignment", "bool", "9+"),
      f("MemberId", "string"),
      f("Members", arrayOf([f("MemberId", "string"), f("GroupInstanceId", "string?", "5+"), f("Metadata", "bytes")])),
    ],
    6,
  ),
};

export const heartbeat: Messages = {
  request: schema(
    [
      f("GroupId", "string"),
      f("GenerationId", "int32"),
      f("MemberId", "string"),
      f("GroupInstanceId", "string?", "3+"),
    ],
    4,
  ),
  response: schema([f("ThrottleTimeMs", "int32", "1+"), f("ErrorCode", "int16")], 4),
};

export const leaveGroup: Messages = {
  request: schema(
    [
      f("GroupId", "string"),
      f("MemberId", "string", "0-2"),
      f(
        "Members",
        arrayOf([f("MemberId", "string", "3+"), f("GroupInstanceId", "string?", "3+"), f("Reason", "string?", "5+")]),
        "3+",
      ),
    ],
    4,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f("ErrorCode", "int16"),
      f(
        "Members",
        arrayOf([f("MemberId", "string", "3+"), f("GroupInstanceId", "string?", "3+"), f("ErrorCode", "int16", "3+")]),
        "3+",
      ),
    ],
    4,
  ),
};

export const syncGroup: Messages = {
  request: schema(
    [
      f("GroupId", "string"),
      f("GenerationId", "int32"),
      f("MemberId", "string"),
      f("GroupInstanceId", "string?", "3+"),
      f("ProtocolType", "string?", "5+"),
      f("ProtocolName", "string?", "5+"),
      f("Assignments", arrayOf([f("MemberId", "string"), f("Assignment", "bytes")])),
    ],
    4,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f("ErrorCode", "int16"),
      f("ProtocolType", "string?", "5+"),
      f("ProtocolName", "string?", "5+"),
      f("Assignment", "bytes"),
    ],
    4,
  ),
};

export const describeGroups: Messages = {
  request: schema([f("Groups", arrayOf("string")), f("IncludeAuthorizedOperations", "bool", "3+")], 5),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f(
        "Groups",
        arrayOf([
          f("ErrorCode", "int16"),
          // Kafka 4.0 (KIP-1043).
          f("ErrorMessage", "string?", "6+"),
          f("GroupId", "string"),
          f("GroupState", "string"),
          f("ProtocolType", "string"),
          f("ProtocolData", "string"),
          f(
            "Members",
            arrayOf([
              f("MemberId", "string"),
              f("GroupInstanceId", "string?", "4+"),
              f("ClientId", "string"),
              f("ClientHost", "string"),
              f("MemberMetadata", "bytes"),
              f("MemberAssignment", "bytes"),
            ]),
          ),
          f("AuthorizedOperations", "int32", "3+", { default: -2147483648 }),
        ]),
      ),
    ],
    5,
  ),
};

export const listGroups: Messages = {
  request: schema([f("StatesFilter", arrayOf("string"), "4+"), f("TypesFilter", arrayOf("string"), "5+")], 3),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f("ErrorCode", "int16"),
      f(
        "Groups",
        arrayOf([
          f("GroupId", "string"),
          f("ProtocolType", "string"),
          f("GroupState", "string", "4+"),
          f("GroupType", "string", "5+"),
        ]),
      ),
    ],
    3,
  ),
};

export const deleteGroups: Messages = {
  request: schema([f("GroupsNames", arrayOf("string"))], 2),
  response: schema(
    [f("ThrottleTimeMs", "int32"), f("Results", arrayOf([f("GroupId", "string"), f("ErrorCode", "int16")]))],
    2,
  ),
};

export const offsetDelete: Messages = {
  request: schema([
    f("GroupId", "string"),
    f("Topics", arrayOf([f("Name", "string"), f("Partitions", arrayOf([f("PartitionIndex", "int32")]))])),
  ]),
  response: schema([
    f("ErrorCode", "int16"),
    f("ThrottleTimeMs", "int32"),
    f(
      "Topics",
      arrayOf([f("Name", "string"), f("Partitions", arrayOf([f("PartitionIndex", "int32"), f("ErrorCode", "int16")]))]),
    ),
  ]),
};

export const consumerGroupHeartbeat: Messages = {
  request: schema(
    [
      f("GroupId", "string"),
      f("MemberId", "string"),
      f("MemberEpoch", "int32"),
      f("InstanceId", "string?"),
      f("RackId", "string?"),
      f("RebalanceTimeoutMs", "int32", "0+", { default: -1 }),
      f("SubscribedTopicNames", arrayOf("string", true)),
      f("SubscribedTopicRegex", "string?", "1+"),
      f("ServerAssignor", "string?"),
      f("TopicPartitions", arrayOf([f("TopicId", "uuid"), f("Partitions", arrayOf("int32"))], true)),
    ],
    0,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16"),
      f("ErrorMessage", "string?"),
      f("MemberId", "string?"),
      f("MemberEpoch", "int32"),
      f("HeartbeatIntervalMs", "int32"),
      f(
        "Assignment",
        nullable([f("TopicPartitions", arrayOf([f("TopicId", "uuid"), f("Partitions", arrayOf("int32"))]))]),
      ),
    ],
    0,
  ),
};

export const consumerGroupDescribe: Messages = {
  request: schema([f("GroupIds", arrayOf("string")), f("IncludeAuthorizedOperations", "bool")], 0),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Groups",
        arrayOf([
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?"),
          f("GroupId", "string"),
          f("GroupState", "string"),
          f("GroupEpoch", "int32"),
          f("AssignmentEpoch", "int32"),
          f("AssignorName", "string"),
          f(
            "Members",
            arrayOf([
              f("MemberId", "string"),
              f("InstanceId", "string?"),
              f("RackId", "string?"),
              f("MemberEpoch", "int32"),
              f("ClientId", "string"),
              f("ClientHost", "string"),
              f("SubscribedTopicNames", arrayOf("string")),
              f("SubscribedTopicRegex", "string?"),
              f("Assignment", [
                f(
                  "TopicPartitions",
                  arrayOf([f("TopicId", "uuid"), f("TopicName", "string"), f("Partitions", arrayOf("int32"))]),
                ),
              ]),
              f("TargetAssignment", [
                f(
                  "TopicPartitions",
                  arrayOf([f("TopicId", "uuid"), f("TopicName", "string"), f("Partitions", arrayOf("int32"))]),
                ),
              ]),
              // Kafka 4.0: -1 unknown, 0 classic, 1 consumer.
              f("MemberType", "int8", "1+", { default: -1 }),
            ]),
          ),
          f("AuthorizedOperations", "int32", "0+", { default: -2147483648 }),
        ]),
      ),
    ],
    0,
  ),
};
