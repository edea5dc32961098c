// Kafka's message layouts for Produce, Fetch and the other record-level APIs: every version Kafka 4.0 defines (plus the
// older ones Kafka 3.9 still served), transcribed from Apache Kafka's JSON message specs with their field names.

import { arrayOf, f, schema } from "../codec.js";
import type { Messages } from "../codec.js";

export const produce: Messages = {
  request: schema(
    [
      f("TransactionalId", "string?", "3+"),
      f("Acks", "int16"),
      f("TimeoutMs", "int32"),
      f(
        "TopicData",
        arrayOf([f("Name", "string"), f("PartitionData", arrayOf([f("Index", "int32"), f("Records", "records")]))]),
      ),
    ],
    9,
  ),
  response: schema(
    [
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
              f("LogAppendTimeMs", "int64", "2+", { default: -1 }),
              f("LogStartOffset", "int64", "5+", { default: -1 }),
              f(
                "RecordErrors",
                arrayOf([f("BatchIndex", "int32", "8+"), f("BatchIndexErrorMessage", "string?", "8+")]),
                "8+",
              ),
              f("ErrorMessage", "string?", "8+"),
              f(
                "CurrentLeader",
                [f("LeaderId", "int32", "10+", { default: -1 }), f("LeaderEpoch", "int32", "10+", { default: -1 })],
                "10+",
                { tag: 0 },
              ),
            ]),
          ),
        ]),
      ),
      f("ThrottleTimeMs", "int32", "1+"),
      f(
        "NodeEndpoints",
        arrayOf([
          f("NodeId", "int32", "10+"),
          f("Host", "string", "10+"),
          f("Port", "int32", "10+"),
          f("Rack", "string?", "10+"),
        ]),
        "10+",
        { tag: 0 },
      ),
    ],
    9,
  ),
};

export const fetch: Messages = {
  request: schema(
    [
      f("ClusterId", "string?", "12+", { tag: 0 }),
      f("ReplicaId", "int32", "0-14", { default: -1 }),
      f(
        "ReplicaState",
        [f("ReplicaId", "int32", "15+", { default: -1 }), f("ReplicaEpoch", "int64", "15+", { default: -1 })],
        "15+",
        { tag: 1 },
      ),
      f("MaxWaitMs", "int32"),
      f("MinBytes", "int32"),
      f("MaxBytes", "int32", "3+", { default: 2147483647 }),
      f("IsolationLevel", "int8", "4+"),
      f("SessionId", "int32", "7+"),
      f("SessionEpoch", "int32", "7+", { default: -1 }),
      f(
        "Topics",
        arrayOf([
          f("Topic", "string", "0-12"),
          f("TopicId", "uuid", "13+"),
          f(
            "Partitions",
            arrayOf([
              f("Partition", "int32"),
              f("CurrentLeaderEpoch", "int32", "9+", { default: -1 }),
              f("FetchOffset", "int64"),
              f("LastFetchedEpoch", "int32", "12+", { default: -1 }),
              f("LogStartOffset", "int64", "5+", { default: -1 }),
              f("PartitionMaxBytes", "int32"),
              f("ReplicaDirectoryId", "uuid", "17+", { tag: 0 }),
            ]),
          ),
        ]),
      ),
      f(
        "ForgottenTopicsData",
        arrayOf([f("Topic", "string", "7-12"), f("TopicId", "uuid", "13+"), f("Partitions", arrayOf("int32"), "7+")]),
        "7+",
      ),
      f("RackId", "string", "11+"),
    ],
    12,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "1+"),
      f("ErrorCode", "int16", "7+"),
      f("SessionId", "int32", "7+"),
      f(
        "Responses",
        arrayOf([
          f("Topic", "string", "0-12"),
          f("TopicId", "uuid", "13+"),
          f(
            "Partitions",
            arrayOf([
              f("PartitionIndex", "int32"),
              f("ErrorCode", "int16"),
              f("HighWatermark", "int64"),
              f("LastStableOffset", "int64", "4+", { default: -1 }),
              f("LogStartOffset", "int64", "5+", { default: -1 }),
              f(
                "DivergingEpoch",
                [f("Epoch", "int32", "12+", { default: -1 }), f("EndOffset", "int64", "12+", { default: -1 })],
                "12+",
                { tag: 0 },
              ),
              f(
                "CurrentLeader",
                [f("LeaderId", "int32", "12+", { default: -1 }), f("LeaderEpoch", "int32", "12+", { default: -1 })],
                "12+",
                { tag: 1 },
              ),
              f(
                "SnapshotId",
                [f("EndOffset", "int64", "0+", { default: -1 }), f("Epoch", "int32", "0+", { default: -1 })],
                "12+",
                { tag: 2 },
              ),
              f(
                "AbortedTransactions",
                arrayOf([f("ProducerId", "int64", "4+"), f("FirstOffset", "int64", "4+")], true),
                "4+",
              ),
              f("PreferredReadReplica", "int32", "11+", { default: -1 }),
              f("Records", "records"),
            ]),
          ),
        ]),
      ),
      f(
        "NodeEndpoints",
        arrayOf([
          f("NodeId", "int32", "16+"),
          f("Host", "string", "16+"),
          f("Port", "int32", "16+"),
          f("Rack", "string?", "16+"),
        ]),
        "16+",
        { tag: 0 },
      ),
    ],
    12,
  ),
};

export const listOffsets: Messages = {
  request: schema(
    [
      f("ReplicaId", "int32"),
      f("IsolationLevel", "int8", "2+"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f(
            "Partitions",
            arrayOf([
              f("PartitionIndex", "int32"),
              f("CurrentLeaderEpoch", "int32", "4+", { default: -1 }),
              f("Timestamp", "int64"),
              f("MaxNumOffsets", "int32", "0", { default: 1 }),
            ]),
          ),
        ]),
      ),
      f("TimeoutMs", "int32", "10+"),
    ],
    6,
  ),
  response: schema(
    [
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
              f("OldStyleOffsets", arrayOf("int64"), "0"),
              f("Timestamp", "int64", "1+", { default: -1 }),
              f("Offset", "int64", "1+", { default: -1 }),
              f("LeaderEpoch", "int32", "4+", { default: -1 }),
            ]),
          ),
        ]),
      ),
    ],
    6,
  ),
};

export const initProducerId: Messages = {
  request: schema(
    [
      f("TransactionalId", "string?"),
      f("TransactionTimeoutMs", "int32"),
      f("ProducerId", "int64", "3+", { default: -1 }),
      f("ProducerEpoch", "int16", "3+", { default: -1 }),
    ],
    2,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16"),
      f("ProducerId", "int64", "0+", { default: -1 }),
      f("ProducerEpoch", "int16"),
    ],
    2,
  ),
};

export const deleteRecords: Messages = {
  request: schema(
    [
      f(
        "Topics",
        arrayOf([f("Name", "string"), f("Partitions", arrayOf([f("PartitionIndex", "int32"), f("Offset", "int64")]))]),
      ),
      f("TimeoutMs", "int32"),
    ],
    2,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f("Partitions", arrayOf([f("PartitionIndex", "int32"), f("LowWatermark", "int64"), f("ErrorCode", "int16")])),
        ]),
      ),
    ],
    2,
  ),
};

export const offsetForLeaderEpoch: Messages = {
  request: schema(
    [
      f("ReplicaId", "int32", "3+", { default: -2 }),
      f(
        "Topics",
        arrayOf([
          f("Topic", "string"),
          f(
            "Partitions",
            arrayOf([
              f("Partition", "int32"),
              f("CurrentLeaderEpoch", "int32", "2+", { default: -1 }),
              f("LeaderEpoch", "int32"),
            ]),
          ),
        ]),
      ),
    ],
    4,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32", "2+"),
      f(
        "Topics",
        arrayOf([
          f("Topic", "string"),
          f(
            "Partitions",
            arrayOf([
              f("ErrorCode", "int16"),
              f("Partition", "int32"),
              f("LeaderEpoch", "int32", "1+", { default: -1 }),
              f("EndOffset", "int64", "0+", { default: -1 }),
            ]),
          ),
        ]),
      ),
    ],
    4,
  ),
};

export const describeProducers: Messages = {
  request: schema([f("Topics", arrayOf([f("Name", "string"), f("PartitionIndexes", arrayOf("int32"))]))], 0),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f(
            "Partitions",
            arrayOf([
              f("PartitionIndex", "int32"),
              f("ErrorCode", "int16"),
              f("ErrorMessage", "string?"),
              f(
                "ActiveProducers",
                arrayOf([
                  f("ProducerId", "int64"),
                  f("ProducerEpoch", "int32"),
                  f("LastSequence", "int32", "0+", { default: -1 }),
                  f("LastTimestamp", "int64", "0+", { default: -1 }),
                  f("CoordinatorEpoch", "int32"),
                  f("CurrentTxnStartOffset", "int64", "0+", { default: -1 }),
                ]),
              ),
            ]),
          ),
        ]),
      ),
    ],
    0,
  ),
};
