// Kafka's message layouts for Metadata, ApiVersions, topic, config, cluster and ACL admin: every version Kafka 4.0 defines (plus the
// older ones Kafka 3.9 still served), transcribed from Apache Kafka's JSON message specs with their field names.

import { arrayOf, f, schema } from "../codec.js";
import type { Messages } from "../codec.js";

export const metadata: Messages = {
  request: schema(
    [
      f("Topics", arrayOf([f("TopicId", "uuid", "10+"), f("Name", "string?")], true)),
      f("AllowAutoTopicCreation", "bool", "4+", { default: true }),
      f("IncludeClusterAuthorizedOperations", "bool", "8-10"),
      f("IncludeTopicAuthorizedOperations", "bool", "8+"),
    ],
    9,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "3+"),
      f(
        "Brokers",
        arrayOf([f("NodeId", "int32"), f("Host", "string"), f("Port", "int32"), f("Rack", "string?", "1+")]),
      ),
      f("ClusterId", "string?", "2+"),
      f("ControllerId", "int32", "1+", { default: -1 }),
      f(
        "Topics",
        arrayOf([
          f("ErrorCode", "int16"),
          f("Name", "string?"),
          f("TopicId", "uuid", "10+"),
          f("IsInternal", "bool", "1+"),
          f(
            "Partitions",
            arrayOf([
              f("ErrorCode", "int16"),
              f("PartitionIndex", "int32"),
              f("LeaderId", "int32"),
              f("LeaderEpoch", "int32", "7+", { default: -1 }),
              f("ReplicaNodes", arrayOf("int32")),
              f("IsrNodes", arrayOf("int32")),
              f("OfflineReplicas", arrayOf("int32"), "5+"),
            ]),
          ),
          f("TopicAuthorizedOperations", "int32", "8+", { default: -2147483648 }),
        ]),
      ),
      f("ClusterAuthorizedOperations", "int32", "8-10", { default: -2147483648 }),
      // Kafka 4.0 (KIP-1102).
      f("ErrorCode", "int16", "13+"),
    ],
    9,
  ),
};

export const apiVersions: Messages = {
  request: schema([f("ClientSoftwareName", "string", "3+"), f("ClientSoftwareVersion", "string", "3+")], 3),
  response: schema(
    [
      f("ErrorCode", "int16"),
      f("ApiKeys", arrayOf([f("ApiKey", "int16"), f("MinVersion", "int16"), f("MaxVersion", "int16")])),
      f("ThrottleTimeMs", "int32", "1+"),
      f(
        "SupportedFeatures",
        arrayOf([f("Name", "string", "3+"), f("MinVersion", "int16", "3+"), f("MaxVersion", "int16", "3+")]),
        "3+",
        { tag: 0 },
      ),
      f("FinalizedFeaturesEpoch", "int64", "3+", { tag: 1, default: -1 }),
      f(
        "FinalizedFeatures",
        arrayOf([f("Name", "string", "3+"), f("MaxVersionLevel", "int16", "3+"), f("MinVersionLevel", "int16", "3+")]),
        "3+",
        { tag: 2 },
      ),
      f("ZkMigrationReady", "bool", "3+", { tag: 3 }),
    ],
    3,
  ),
};

export const createTopics: Messages = {
  request: schema(
    [
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f("NumPartitions", "int32"),
          f("ReplicationFactor", "int16"),
          f("Assignments", arrayOf([f("PartitionIndex", "int32"), f("BrokerIds", arrayOf("int32"))])),
          f("Configs", arrayOf([f("Name", "string"), f("Value", "string?")])),
        ]),
      ),
      f("TimeoutMs", "int32", "0+", { default: 60000 }),
      f("ValidateOnly", "bool", "1+"),
    ],
    5,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "2+"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f("TopicId", "uuid", "7+"),
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?", "1+"),
          f("TopicConfigErrorCode", "int16", "5+", { tag: 0 }),
          f("NumPartitions", "int32", "5+", { default: -1 }),
          f("ReplicationFactor", "int16", "5+", { default: -1 }),
          f(
            "Configs",
            arrayOf(
              [
                f("Name", "string", "5+"),
                f("Value", "string?", "5+"),
                f("ReadOnly", "bool", "5+"),
                f("ConfigSource", "int8", "5+", { default: -1 }),
                f("IsSensitive", "bool", "5+"),
              ],
              true,
            ),
            "5+",
          ),
        ]),
      ),
    ],
    5,
  ),
};

export const deleteTopics: Messages = {
  request: schema(
    [
      f("Topics", arrayOf([f("Name", "string?", "6+"), f("TopicId", "uuid", "6+")]), "6+"),
      f("TopicNames", arrayOf("string"), "0-5"),
      f("TimeoutMs", "int32"),
    ],
    4,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f(
        "Responses",
        arrayOf([
          f("Name", "string?"),
          f("TopicId", "uuid", "6+"),
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?", "5+"),
        ]),
      ),
    ],
    4,
  ),
};

export const createPartitions: Messages = {
  request: schema(
    [
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f("Count", "int32"),
          f("Assignments", arrayOf([f("BrokerIds", arrayOf("int32"))], true)),
        ]),
      ),
      f("TimeoutMs", "int32"),
      f("ValidateOnly", "bool"),
    ],
    2,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("Results", arrayOf([f("Name", "string"), f("ErrorCode", "int16"), f("ErrorMessage", "string?")])),
    ],
    2,
  ),
};

export const describeConfigs: Messages = {
  request: schema(
    [
      f(
        "Resources",
        arrayOf([
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
          f("ConfigurationKeys", arrayOf("string", true)),
        ]),
      ),
      f("IncludeSynonyms", "bool", "1+"),
      f("IncludeDocumentation", "bool", "3+"),
    ],
    4,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Results",
        arrayOf([
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?"),
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
          f(
            "Configs",
            arrayOf([
              f("Name", "string"),
              f("Value", "string?"),
              f("ReadOnly", "bool"),
              f("IsDefault", "bool", "0"),
              f("ConfigSource", "int8", "1+", { default: -1 }),
              f("IsSensitive", "bool"),
              f(
                "Synonyms",
                arrayOf([f("Name", "string", "1+"), f("Value", "string?", "1+"), f("Source", "int8", "1+")]),
                "1+",
              ),
              f("ConfigType", "int8", "3+"),
              f("Documentation", "string?", "3+"),
            ]),
          ),
        ]),
      ),
    ],
    4,
  ),
};

export const alterConfigs: Messages = {
  request: schema(
    [
      f(
        "Resources",
        arrayOf([
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
          f("Configs", arrayOf([f("Name", "string"), f("Value", "string?")])),
        ]),
      ),
      f("ValidateOnly", "bool"),
    ],
    2,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Responses",
        arrayOf([
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?"),
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
        ]),
      ),
    ],
    2,
  ),
};

export const incrementalAlterConfigs: Messages = {
  request: schema(
    [
      f(
        "Resources",
        arrayOf([
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
          f("Configs", arrayOf([f("Name", "string"), f("ConfigOperation", "int8"), f("Value", "string?")])),
        ]),
      ),
      f("ValidateOnly", "bool"),
    ],
    1,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Responses",
        arrayOf([
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?"),
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
        ]),
      ),
    ],
    1,
  ),
};

export const describeCluster: Messages = {
  request: schema(
    [
      f("IncludeClusterAuthorizedOperations", "bool"),
      f("EndpointType", "int8", "1+", { default: 1 }),
      // Kafka 4.0 (KIP-1073).
      f("IncludeFencedBrokers", "bool", "2+"),
    ],
    0,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16"),
      f("ErrorMessage", "string?"),
      f("EndpointType", "int8", "1+", { default: 1 }),
      f("ClusterId", "string"),
      f("ControllerId", "int32", "0+", { default: -1 }),
      f(
        "Brokers",
        arrayOf([
          f("BrokerId", "int32"),
          f("Host", "string"),
          f("Port", "int32"),
          f("Rack", "string?"),
          f("IsFenced", "bool", "2+"),
        ]),
      ),
      f("ClusterAuthorizedOperations", "int32", "0+", { default: -2147483648 }),
    ],
    0,
  ),
};

export const describeAcls: Messages = {
  request: schema(
    [
      f("ResourceTypeFilter", "int8"),
      f("ResourceNameFilter", "string?"),
      f("PatternTypeFilter", "int8", "1+", { default: 3 }),
      f("PrincipalFilter", "string?"),
      f("HostFilter", "string?"),
      f("Operation", "int8"),
      f("PermissionType", "int8"),
    ],
    2,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16"),
      f("ErrorMessage", "string?"),
      f(
        "Resources",
        arrayOf([
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
          f("PatternType", "int8", "1+", { default: 3 }),
          f(
            "Acls",
            arrayOf([
              f("Principal", "string"),
              f("Host", "string"),
              f("Operation", "int8"),
              f("PermissionType", "int8"),
            ]),
          ),
        ]),
      ),
    ],
    2,
  ),
};

export const createAcls: Messages = {
  request: schema(
    [
      f(
        "Creations",
        arrayOf([
          f("ResourceType", "int8"),
          f("ResourceName", "string"),
          f("ResourcePatternType", "int8", "1+", { default: 3 }),
          f("Principal", "string"),
          f("Host", "string"),
          f("Operation", "int8"),
          f("PermissionType", "int8"),
        ]),
      ),
    ],
    2,
  ),
  response: schema(
    [f("ThrottleTimeMs", "int32"), f("Results", arrayOf([f("ErrorCode", "int16"), f("ErrorMessage", "string?")]))],
    2,
  ),
};

export const deleteAcls: Messages = {
  request: schema(
    [
      f(
        "Filters",
        arrayOf([
          f("ResourceTypeFilter", "int8"),
          f("ResourceNameFilter", "string?"),
          f("PatternTypeFilter", "int8", "1+", { default: 3 }),
          f("PrincipalFilter", "string?"),
          f("HostFilter", "string?"),
          f("Operation", "int8"),
          f("PermissionType", "int8"),
        ]),
      ),
    ],
    2,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "FilterResults",
        arrayOf([
          f("ErrorCode", "int16"),
          f("ErrorMessage", "string?"),
          f(
            "MatchingAcls",
            arrayOf([
              f("ErrorCode", "int16"),
              f("ErrorMessage", "string?"),
              f("ResourceType", "int8"),
              f("ResourceName", "string"),
              f("PatternType", "int8", "1+", { default: 3 }),
              f("Principal", "string"),
              f("Host", "string"),
              f("Operation", "int8"),
              f("PermissionType", "int8"),
            ]),
          ),
        ]),
      ),
    ],
    2,
  ),
};
