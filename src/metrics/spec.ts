// Every metric edgelog exports, declared once: name, type, labels, help, and what it means in
// OpenTelemetry's messaging conventions or Kafka's JMX. The exposition, the docs' table
// (docs/observability.md, `npm run docs:tables`) and the tests all read this table.

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  type: MetricType;
  labels: readonly string[];
  help: string;
  /** The OpenTelemetry instrument it is (`otel:`), or the Kafka JMX metric whose meaning it has (`kafka:`). */
  meaning: string;
  /** Which object counts it, and when the number moves. */
  source: string;
}

const TP = ["topic", "partition"] as const;

/** Names are stable: a dashboard built on one keeps working. Counters end in `_total`. */
export const METRIC_SPEC = {
  // ---- Per topic and partition (PartitionDO, pushed to its topic's aggregate). ----
  messaging_client_sent_messages_total: {
    type: "counter",
    labels: TP,
    help: "Records appended (produced) to the partition, duplicates of idempotent retries excluded",
    meaning: "otel: messaging.client.sent.messages (broker side); kafka: MessagesInPerSec",
    source: "PartitionDO, in the append's own write",
  },
  messaging_client_consumed_messages_total: {
    type: "counter",
    labels: TP,
    help: "Records served by leader reads (fetches, long-polls, live tails excluded)",
    meaning: "otel: messaging.client.consumed.messages (broker side)",
    source: "PartitionDO, after each read",
  },
  edgelog_bytes_in_total: {
    type: "counter",
    labels: TP,
    help: "Record-batch bytes appended",
    meaning: "kafka: BrokerTopicMetrics BytesInPerSec",
    source: "PartitionDO, in the append's own write",
  },
  edgelog_bytes_out_total: {
    type: "counter",
    labels: TP,
    help: "Record-batch bytes served by leader reads",
    meaning: "kafka: BrokerTopicMetrics BytesOutPerSec",
    source: "PartitionDO, after each read",
  },
  edgelog_produce_requests_total: {
    type: "counter",
    labels: TP,
    help: "Append calls the partition answered, successful or not",
    meaning: "kafka: BrokerTopicMetrics TotalProduceRequestsPerSec",
    source: "PartitionDO",
  },
  edgelog_fetch_requests_total: {
    type: "counter",
    labels: TP,
    help: "Read calls the partition answered, successful or not",
    meaning: "kafka: BrokerTopicMetrics TotalFetchRequestsPerSec",
    source: "PartitionDO",
  },
  edgelog_produce_errors_total: {
    type: "counter",
    labels: [...TP, "error_code"],
    help: "Append calls that failed, by edgelog error code",
    meaning: "kafka: BrokerTopicMetrics FailedProduceRequestsPerSec (by error code)",
    source: "PartitionDO",
  },
  edgelog_fetch_errors_total: {
    type: "counter",
    labels: [...TP, "error_code"],
    help: "Read calls that failed, by edgelog error code",
    meaning: "kafka: BrokerTopicMetrics FailedFetchRequestsPerSec (by error code)",
    source: "PartitionDO",
  },
  messaging_client_operation_duration_seconds: {
    type: "histogram",
    labels: [...TP, "operation"],
    help: "Time inside the partition object from call to answer: operation=send (produce, until acked as acks asked) or receive (fetch, long-poll parking included); sees I/O waits only, see docs/observability.md#latency",
    meaning:
      "otel: messaging.client.operation.duration (operation.name send/receive); kafka: RequestMetrics TotalTimeMs",
    source: "PartitionDO",
  },
  edgelog_log_start_offset: {
    type: "gauge",
    labels: TP,
    help: "First offset still readable",
    meaning: "kafka: Log LogStartOffset",
    source: "PartitionDO report",
  },
  edgelog_high_watermark: {
    type: "gauge",
    labels: TP,
    help: "Offset after the last record readers may see",
    meaning: "kafka: Partition HighWatermark",
    source: "PartitionDO report",
  },
  edgelog_log_end_offset: {
    type: "gauge",
    labels: TP,
    help: "Offset the next record will get (above the high watermark while replicas copy)",
    meaning: "kafka: Log LogEndOffset",
    source: "PartitionDO report",
  },
  edgelog_last_stable_offset: {
    type: "gauge",
    labels: TP,
    help: "Last stable offset: read_committed readers see records below it (the first open transaction's first offset, or the high watermark)",
    meaning: "kafka: Partition LastStableOffset",
    source: "PartitionDO report",
  },
  edgelog_hot_bytes: {
    type: "gauge",
    labels: TP,
    help: "Record bytes held in the object's SQLite (the hot tier)",
    meaning: "kafka: Log Size (hot part)",
    source: "PartitionDO report",
  },
  edgelog_archived_bytes: {
    type: "gauge",
    labels: TP,
    help: "Record bytes in archived R2 segments",
    meaning: "kafka: Log Size (tiered part), RemoteLogSizeBytes",
    source: "PartitionDO report",
  },
  edgelog_segments: {
    type: "gauge",
    labels: TP,
    help: "Sealed segments (archived, or sealed in place on compacted topics)",
    meaning: "kafka: Log NumLogSegments",
    source: "PartitionDO report",
  },
  edgelog_storage_used_bytes: {
    type: "gauge",
    labels: TP,
    help: "Size of the object's SQLite database",
    meaning: "edgelog: Durable Object storage (sql.databaseSize)",
    source: "PartitionDO report",
  },
  edgelog_storage_limit_bytes: {
    type: "gauge",
    labels: TP,
    help: "Storage one Durable Object may hold (10 GB on SQLite-backed objects)",
    meaning: "edgelog: Durable Object storage limit",
    source: "PartitionDO report",
  },
  edgelog_waiters: {
    type: "gauge",
    labels: [...TP, "kind"],
    help: "Readers parked at the partition: kind=long_poll (fetch and SSE reads waiting at the tail) or websocket (live tails)",
    meaning: "kafka: DelayedFetchMetrics (purgatory size)",
    source: "PartitionDO report",
  },
  // ---- Replication (leader PartitionDO report). ----
  edgelog_replica_lag: {
    type: "gauge",
    labels: [...TP, "region"],
    help: "Offsets a follower copy is behind the leader's log end",
    meaning: "kafka: FetcherLagMetrics ConsumerLag (replica fetcher)",
    source: "PartitionDO report (leader)",
  },
  edgelog_isr_size: {
    type: "gauge",
    labels: TP,
    help: "In-sync replicas, the leader included",
    meaning: "kafka: Partition InSyncReplicasCount",
    source: "PartitionDO report (leader)",
  },
  edgelog_under_replicated_partitions: {
    type: "gauge",
    labels: ["topic"],
    help: "Partitions with fewer in-sync replicas than replicas",
    meaning: "kafka: ReplicaManager UnderReplicatedPartitions",
    source: "scrape, from partition reports",
  },
  edgelog_under_min_isr_partitions: {
    type: "gauge",
    labels: ["topic"],
    help: "Partitions with fewer in-sync replicas than min.insync.replicas",
    meaning: "kafka: ReplicaManager UnderMinIsrPartitionCount",
    source: "scrape, from partition reports",
  },
  // ---- Consumer groups (GroupCoordinatorDO, pushed to the groups aggregate). ----
  edgelog_group_committed_offset: {
    type: "gauge",
    labels: ["group", ...TP],
    help: "The group's committed offset",
    meaning: "kafka: kafka-consumer-groups CURRENT-OFFSET",
    source: "GroupCoordinatorDO report",
  },
  edgelog_group_lag: {
    type: "gauge",
    labels: ["group", ...TP],
    help: "High watermark minus committed offset",
    meaning: "kafka: consumer records-lag, kafka-consumer-groups LAG",
    source: "scrape: group report joined with the partition's report",
  },
  edgelog_group_state: {
    type: "gauge",
    labels: ["group", "state"],
    help: "1 for the group's current state (Empty, PreparingRebalance, CompletingRebalance, Stable)",
    meaning: "kafka: GroupMetadataManager NumGroups<State>",
    source: "GroupCoordinatorDO report",
  },
  edgelog_group_members: {
    type: "gauge",
    labels: ["group"],
    help: "Members in the group",
    meaning: "kafka: kafka-consumer-groups --members",
    source: "GroupCoordinatorDO report",
  },
  edgelog_group_rebalances_total: {
    type: "counter",
    labels: ["group"],
    help: "Generations the group moved through (each rebalance makes one)",
    meaning: "kafka: consumer-coordinator rebalance-total",
    source: "GroupCoordinatorDO report",
  },
  // ---- Mirrors (MirrorDO report). ----
  edgelog_mirror_lag: {
    type: "gauge",
    labels: ["mirror"],
    help: "Records the mirror has yet to copy (source high watermarks minus progress, summed)",
    meaning: "kafka: MirrorMaker 2 record-age / replication-latency (as a count)",
    source: "MirrorDO report",
  },
  edgelog_mirror_skipped_records_total: {
    type: "counter",
    labels: ["mirror"],
    help: "Source records the mirror could not copy because retention removed them first",
    meaning: "edgelog: mirror records_skipped",
    source: "MirrorDO report",
  },
  // ---- Router: requests, auth, quotas (buffered per isolate for at most a second, then added to the cluster aggregate). ----
  http_server_request_duration_seconds: {
    type: "histogram",
    labels: ["method", "route", "status"],
    help: "Time from the Worker's receiving a request to its answer's headers (sees I/O waits only, see docs/observability.md#latency)",
    meaning: "otel: http.server.request.duration; kafka: RequestMetrics TotalTimeMs",
    source: "router → cluster aggregate",
  },
  edgelog_auth_failures_total: {
    type: "counter",
    labels: ["error_code"],
    help: "Requests refused by authentication (UNAUTHENTICATED) or authorization (*_AUTHORIZATION_FAILED)",
    meaning: "kafka: SocketServer failed-authentication-total, authorizer denied requests",
    source: "router → cluster aggregate",
  },
  edgelog_throttled_requests_total: {
    type: "counter",
    labels: ["token", "quota"],
    help: "Requests refused with THROTTLING_QUOTA_EXCEEDED, per token and quota (produce or fetch)",
    meaning: "kafka: Produce/Fetch quota throttle count",
    source: "router → cluster aggregate",
  },
  edgelog_throttle_time_seconds_total: {
    type: "counter",
    labels: ["token", "quota"],
    help: "Retry-After seconds handed to throttled requests, per token and quota",
    meaning: "kafka: Produce/Fetch throttle-time",
    source: "router → cluster aggregate",
  },
  // ---- Objects and the scrape itself. ----
  edgelog_build_info: {
    type: "gauge",
    labels: ["version", "class"],
    help: "1, labelled with the running version, per object class",
    meaning: "kafka: app-info version",
    source: "scrape",
  },
  edgelog_object_start_time_seconds: {
    type: "gauge",
    labels: ["class"],
    help: "Unix time the most recently (re)started object of the class that reported started: uptime is time() minus this",
    meaning: "kafka: app-info start-time-ms; process_start_time_seconds",
    source: "reports (PartitionDO, GroupCoordinatorDO, MirrorDO) and MetricsDO itself",
  },
  edgelog_scrape_errors: {
    type: "gauge",
    labels: ["scope", "topic", "partition"],
    help: "1 for each part this scrape could not read: scope=partition (its last report was an error), topic (its aggregate failed), groups, cluster",
    meaning: "edgelog: scrape health",
    source: "scrape",
  },
  edgelog_scrape_object_calls: {
    type: "gauge",
    labels: [],
    help: "Object calls the last uncached scrape made: 2 + topics, whatever the partition count",
    meaning: "edgelog: scrape cost",
    source: "scrape",
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRIC_SPEC;

/** The family name OpenMetrics declares (`# TYPE`): a counter's name without `_total`. */
export function familyName(name: string, spec: MetricSpec, openMetrics: boolean): string {
  return openMetrics && spec.type === "counter" ? name.replace(/_total$/, "") : name;
}
