// The Kafka APIs the gateway speaks and the version range it advertises for each: the one table
// that ApiVersions answers from, dispatch decodes by, and the docs' API table is generated from.

import { arrayOf, f, schema, type Messages } from "./codec.js";
import * as admin from "./schemas/admin.js";
import * as groups from "./schemas/groups.js";
import * as records from "./schemas/records.js";
import * as sasl from "./schemas/sasl.js";
import * as txn from "./schemas/txn.js";

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
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69,
} as const;

export type ApiName = keyof typeof API;

export interface ApiSpec extends Messages {
  name: ApiName;
  key: number;
  /**
   * Advertised range: every version in it is decoded and answered. Low minimums are Kafka 3.9's
   * (clients that skip version negotiation still work) or forced by librdkafka's feature gates
   * (Produce 0 keeps its gzip/snappy/lz4 enabled); versions whose records edgelog cannot store are
   * answered per partition with Kafka's error rather than decoded differently.
   */
  min: number;
  max: number;
  /** Why the range stops where it does, when not at Kafka 4.0's own (for the docs' table). */
  note?: string;
}

const spec = (name: ApiName, min: number, max: number, messages: Messages, note?: string): ApiSpec => ({
  name,
  key: API[name],
  min,
  max,
  ...messages,
  ...(note ? { note } : {}),
});

export const APIS: readonly ApiSpec[] = [
  spec("Produce", 0, 12, records.produce, "v0-2 (MessageSet v0/v1) answered UNSUPPORTED_FOR_MESSAGE_FORMAT"),
  spec("Fetch", 4, 17, records.fetch, "RecordBatch v2 only (Kafka 4.0's floor)"),
  spec("ListOffsets", 0, 10, records.listOffsets),
  spec("Metadata", 0, 13, admin.metadata),
  spec("OffsetCommit", 0, 9, groups.offsetCommit),
  spec("OffsetFetch", 0, 9, groups.offsetFetch),
  spec("FindCoordinator", 0, 6, groups.findCoordinator),
  spec("JoinGroup", 0, 9, groups.joinGroup),
  spec("Heartbeat", 0, 4, groups.heartbeat),
  spec("LeaveGroup", 0, 5, groups.leaveGroup),
  spec("SyncGroup", 0, 5, groups.syncGroup),
  spec("DescribeGroups", 0, 6, groups.describeGroups),
  spec("ListGroups", 0, 5, groups.listGroups),
  // Min 0 for librdkafka's SaslHandshake feature gate (0..0); v0 (raw SASL frames after it, gone in
  // Kafka 4.0, KIP-896) is answered UNSUPPORTED_VERSION and closed: every client here sends v1.
  spec("SaslHandshake", 0, 1, sasl.saslHandshake, "v0 (raw SASL frames) answered UNSUPPORTED_VERSION"),
  spec("ApiVersions", 0, 4, admin.apiVersions),
  spec("CreateTopics", 0, 7, admin.createTopics),
  spec("DeleteTopics", 0, 6, admin.deleteTopics),
  spec("DeleteRecords", 0, 2, records.deleteRecords),
  spec("InitProducerId", 0, 5, records.initProducerId),
  spec(
    "OffsetForLeaderEpoch",
    0,
    4,
    records.offsetForLeaderEpoch,
    "answered from the leader's leader-epoch checkpoint",
  ),
  spec("AddPartitionsToTxn", 0, 5, txn.addPartitionsToTxn, "v4+ (brokers' batched form) served too"),
  spec("AddOffsetsToTxn", 0, 4, txn.addOffsetsToTxn),
  spec(
    "EndTxn",
    0,
    4,
    txn.endTxn,
    "transaction protocol version 1; v5 (version 2) needs the transaction.version feature, not advertised",
  ),
  spec("TxnOffsetCommit", 0, 4, txn.txnOffsetCommit, "v5 implies transaction protocol version 2"),
  spec("DescribeAcls", 0, 3, admin.describeAcls, "each token's grants as ALLOW ACLs for User:<token id>"),
  spec("CreateAcls", 0, 3, admin.createAcls, "answered per ACL: grants are fixed when a token is minted"),
  spec("DeleteAcls", 0, 3, admin.deleteAcls, "answered per filter: grants are fixed when a token is minted"),
  spec("DescribeConfigs", 0, 4, admin.describeConfigs),
  spec("AlterConfigs", 0, 2, admin.alterConfigs),
  spec("SaslAuthenticate", 0, 2, sasl.saslAuthenticate, "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; no re-authentication"),
  spec("CreatePartitions", 0, 3, admin.createPartitions),
  spec("DeleteGroups", 0, 2, groups.deleteGroups),
  spec("IncrementalAlterConfigs", 0, 1, admin.incrementalAlterConfigs),
  spec(
    "OffsetDelete",
    0,
    0,
    groups.offsetDelete,
    "refused per partition (GROUP_SUBSCRIBED_TO_TOPIC) while a member subscribes",
  ),
  spec("DescribeCluster", 0, 2, admin.describeCluster),
  spec("DescribeProducers", 0, 0, records.describeProducers, "producers with an open transaction on the partition"),
  spec("DescribeTransactions", 0, 0, txn.describeTransactions),
  spec("ListTransactions", 0, 2, txn.listTransactions),
  spec(
    "ConsumerGroupHeartbeat",
    0,
    1,
    groups.consumerGroupHeartbeat,
    "KIP-848; regex subscriptions resolved when sent",
  ),
  spec("ConsumerGroupDescribe", 0, 1, groups.consumerGroupDescribe),
];

export const BY_KEY: ReadonlyMap<number, ApiSpec> = new Map(APIS.map((a) => [a.key, a]));

/**
 * APIs whose layouts the gateway knows but does not serve: a request for one is decoded and
 * answered with UNSUPPORTED_VERSION (never advertised), as is a served API at a version below its
 * advertised minimum. Every layout covers versions 0 up to `max`. (None at the moment.)
 */
export const KNOWN: ReadonlyMap<number, { name: string; max: number; messages: Messages }> = new Map();

/** Consumer-protocol payloads carried inside JoinGroup (Subscription) and SyncGroup (Assignment). */
const topicPartitions = arrayOf([f("Topic", "string"), f("Partitions", arrayOf("int32"))]);
export const SUBSCRIPTION = schema([
  f("Topics", arrayOf("string")),
  f("UserData", "bytes?"),
  f("OwnedPartitions", topicPartitions, "1+"),
  f("GenerationId", "int32", "2+", { default: -1 }),
  f("RackId", "string?", "3+"),
]);
export const ASSIGNMENT = schema([f("AssignedPartitions", topicPartitions), f("UserData", "bytes?")]);
