// Kafka's message layouts for Transactions: every version Kafka 4.0 defines (plus the
// older ones Kafka 3.9 still served), transcribed from Apache Kafka's JSON message specs with their field names.

import { arrayOf, f, schema } from "../codec.js";
import type { Messages } from "../codec.js";

export const addPartitionsToTxn: Messages = {
  request: schema(
    [
      f(
        "Transactions",
        arrayOf([
          f("TransactionalId", "string", "4+"),
          f("ProducerId", "int64", "4+"),
          f("ProducerEpoch", "int16", "4+"),
          f("VerifyOnly", "bool", "4+"),
          f("Topics", arrayOf([f("Name", "string"), f("Partitions", arrayOf("int32"))]), "4+"),
        ]),
        "4+",
      ),
      f("V3AndBelowTransactionalId", "string", "0-3"),
      f("V3AndBelowProducerId", "int64", "0-3"),
      f("V3AndBelowProducerEpoch", "int16", "0-3"),
      f("V3AndBelowTopics", arrayOf([f("Name", "string"), f("Partitions", arrayOf("int32"))]), "0-3"),
    ],
    3,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16", "4+"),
      f(
        "ResultsByTransaction",
        arrayOf([
          f("TransactionalId", "string", "4+"),
          f(
            "TopicResults",
            arrayOf([
              f("Name", "string"),
              f("ResultsByPartition", arrayOf([f("PartitionIndex", "int32"), f("PartitionErrorCode", "int16")])),
            ]),
            "4+",
          ),
        ]),
        "4+",
      ),
      f(
        "ResultsByTopicV3AndBelow",
        arrayOf([
          f("Name", "string"),
          f("ResultsByPartition", arrayOf([f("PartitionIndex", "int32"), f("PartitionErrorCode", "int16")])),
        ]),
        "0-3",
      ),
    ],
    3,
  ),
};

export const addOffsetsToTxn: Messages = {
  request: schema(
    [f("TransactionalId", "string"), f("ProducerId", "int64"), f("ProducerEpoch", "int16"), f("GroupId", "string")],
    3,
  ),
  response: schema([f("ThrottleTimeMs", "int32"), f("ErrorCode", "int16")], 3),
};

export const endTxn: Messages = {
  request: schema(
    [f("TransactionalId", "string"), f("ProducerId", "int64"), f("ProducerEpoch", "int16"), f("Committed", "bool")],
    3,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16"),
      f("ProducerId", "int64", "5+", { default: -1 }),
      f("ProducerEpoch", "int16", "5+", { default: -1 }),
    ],
    3,
  ),
};

export const txnOffsetCommit: Messages = {
  request: schema(
    [
      f("TransactionalId", "string"),
      f("GroupId", "string"),
      f("ProducerId", "int64"),
      f("ProducerEpoch", "int16"),
      f("GenerationId", "int32", "3+", { default: -1 }),
      f("MemberId", "string", "3+"),
      f("GroupInstanceId", "string?", "3+"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f(
            "Partitions",
            arrayOf([
              f("PartitionIndex", "int32"),
              f("CommittedOffset", "int64"),
              f("CommittedLeaderEpoch", "int32", "2+", { default: -1 }),
              f("CommittedMetadata", "string?"),
            ]),
          ),
        ]),
      ),
    ],
    3,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "Topics",
        arrayOf([
          f("Name", "string"),
          f("Partitions", arrayOf([f("PartitionIndex", "int32"), f("ErrorCode", "int16")])),
        ]),
      ),
    ],
    3,
  ),
};

export const describeTransactions: Messages = {
  request: schema([f("TransactionalIds", arrayOf("string"))], 0),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f(
        "TransactionStates",
        arrayOf([
          f("ErrorCode", "int16"),
          f("TransactionalId", "string"),
          f("TransactionState", "string"),
          f("TransactionTimeoutMs", "int32"),
          f("TransactionStartTimeMs", "int64"),
          f("ProducerId", "int64"),
          f("ProducerEpoch", "int16"),
          f("Topics", arrayOf([f("Topic", "string"), f("Partitions", arrayOf("int32"))])),
        ]),
      ),
    ],
    0,
  ),
};

export const listTransactions: Messages = {
  request: schema(
    [
      f("StateFilters", arrayOf("string")),
      f("ProducerIdFilters", arrayOf("int64")),
      f("DurationFilter", "int64", "1+", { default: -1 }),
      f("TransactionalIdPattern", "string?", "2+"),
    ],
    0,
  ),
  response: schema(
    [
      f("ThrottleTimeMs", "int32"),
      f("ErrorCode", "int16"),
      f("UnknownStateFilters", arrayOf("string")),
      f(
        "TransactionStates",
        arrayOf([f("TransactionalId", "string"), f("ProducerId", "int64"), f("TransactionState", "string")]),
      ),
    ],
    0,
  ),
};
