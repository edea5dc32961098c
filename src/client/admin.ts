// Admin: topics, consumer groups, offsets and lag, over the HTTP API.

import type {
  CommittedOffsetsReply,
  GroupDescription,
  GroupListPage,
  GroupSummary,
  OffsetReply,
  PartitionInfo,
  ResetOffsetsReply,
  TopicDescription,
  TopicListPage,
  TopicReply,
  AbortedPartitionTransactionSchema,
  PartitionTransactions,
  TransactionDescription,
  TransactionListSchema,
} from "../protocol/api.js";
import type { IsolationLevel } from "../protocol/constants.js";
import type { z } from "zod";
import { everyPage } from "../protocol/paging.js";
import type { Transport } from "./transport.js";

// The reply shapes are the server's own schemas (protocol/api.ts), so they cannot drift from it.
export type TopicInfo = TopicReply;
export type PartitionState = PartitionInfo;
export type { GroupDescription, GroupSummary, TopicDescription };
export type CommittedOffset = CommittedOffsetsReply["offsets"][number];
export type TransactionListing = z.infer<typeof TransactionListSchema>["transactions"][number];
export type AbortedPartitionTransaction = z.infer<typeof AbortedPartitionTransactionSchema>;

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing for the partition. */
  committed: number;
  high_watermark: number;
  lag: number;
}

export type OffsetSpec = "earliest" | "latest" | number;

const enc = encodeURIComponent;

export class Admin {
  constructor(private readonly http: Transport) {}

  createTopic(name: string, opts: { partitions?: number; config?: Record<string, unknown> } = {}): Promise<TopicInfo> {
    return this.http.request("POST", "/v1/topics", { name, ...opts });
  }

  /** Every topic the token may describe, following the server's pages. */
  listTopics(): Promise<TopicInfo[]> {
    return everyPage<TopicInfo>("topics", (q) =>
      this.http.request<TopicListPage>("GET", `/v1/topics${q}`, undefined, { retry: true }),
    );
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.http.request("GET", `/v1/topics/${enc(name)}`, undefined, { retry: true });
  }

  alterTopic(name: string, change: { partitions?: number; config?: Record<string, unknown> }): Promise<TopicInfo> {
    return this.http.request("PATCH", `/v1/topics/${enc(name)}`, change);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.http.request("DELETE", `/v1/topics/${enc(name)}`);
  }

  /**
   * earliest = log start, latest = high watermark (read_committed: the last stable offset), a number
   * = the first offset at or after that time (ms).
   */
  offset(
    topic: string,
    partition: number,
    at: OffsetSpec = "latest",
    isolation: IsolationLevel = "read_uncommitted",
  ): Promise<OffsetReply> {
    return this.http.request(
      "GET",
      `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}&isolation=${isolation}`,
      undefined,
      { retry: true },
    );
  }

  /** Every group, following the server's pages. */
  listGroups(): Promise<GroupSummary[]> {
    return everyPage<GroupSummary>("groups", (q) =>
      this.http.request<GroupListPage>("GET", `/v1/groups${q}`, undefined, { retry: true }),
    );
  }

  describeGroup(group: string): Promise<GroupDescription> {
    return this.http.request("GET", `/v1/groups/${enc(group)}`, undefined, { retry: true });
  }
  /** The Prometheus scrape (GET /metrics, text format): needs describe on the cluster. */
  async metrics(): Promise<string> {
    return (await this.http.text("GET", "/metrics", undefined, { retry: true })).text;
  }

  async deleteGroup(group: string): Promise<void> {
    await this.http.request("DELETE", `/v1/groups/${enc(group)}`);
  }

  async groupOffsets(group: string): Promise<CommittedOffset[]> {
    const r = await this.http.request<CommittedOffsetsReply>("GET", `/v1/groups/${enc(group)}/offsets`, undefined, {
      retry: true,
    });
    return r.offsets;
  }

  /** Moves an empty group's committed offsets: to earliest, latest, a time (ms) or an offset. */
  async resetOffsets(
    group: string,
    to: "earliest" | "latest" | { timestamp: number } | { offset: number },
    topics?: string[],
  ): Promise<ResetOffsetsReply["offsets"]> {
    const r = await this.http.request<ResetOffsetsReply>("POST", `/v1/groups/${enc(group)}/offsets/reset`, {
      to,
      ...(topics ? { topics } : {}),
    });
    return r.offsets;
  }

  /**
   * Per partition of the group's committed topics (or the given ones): committed offset, high
   * watermark, lag (read_committed: to the last stable offset).
   */
  async lag(group: string, topics?: string[], isolation: IsolationLevel = "read_uncommitted"): Promise<PartitionLag[]> {
    const committed = await this.groupOffsets(group);
    const names = topics ?? [...new Set(committed.map((c) => c.topic))];
    const out: PartitionLag[] = [];
    for (const topic of names) {
      const d = await this.describeTopic(topic);
      for (const p of d.partitions) {
        const c = committed.find((x) => x.topic === topic && x.partition === p.partition);
        const from = c ? c.offset : p.log_start_offset;
        const end = isolation === "read_committed" ? p.last_stable_offset : p.high_watermark;
        out.push({
          topic,
          partition: p.partition,
          committed: c?.offset ?? -1,
          high_watermark: p.high_watermark,
          lag: Math.max(0, end - from),
        });
      }
    }
    return out;
  }

  /** Transactional ids and their state (kafka-transactions.sh list), following the server's pages. */
  listTransactions(filter: { states?: string[]; producerId?: string } = {}): Promise<TransactionListing[]> {
    const extra =
      (filter.states?.length ? `&state=${enc(filter.states.join(","))}` : "") +
      (filter.producerId ? `&producer_id=${enc(filter.producerId)}` : "");
    return everyPage<TransactionListing>("transactions", (q) =>
      this.http.request("GET", `/v1/transactions${q}${extra}`, undefined, { retry: true }),
    );
  }

  describeTransaction(transactionalId: string): Promise<TransactionDescription> {
    return this.http.request("GET", `/v1/transactions/${enc(transactionalId)}`, undefined, { retry: true });
  }

  /** A partition's open transactions (kafka-transactions.sh describe-producers / find-hanging). */
  partitionTransactions(topic: string, partition: number): Promise<PartitionTransactions> {
    return this.http.request("GET", `/v1/topics/${enc(topic)}/partitions/${partition}/transactions`, undefined, {
      retry: true,
    });
  }

  /** Writes an abort marker for a hanging transaction on one partition (kafka-transactions.sh abort). */
  abortTransaction(
    topic: string,
    partition: number,
    which: { producerId: string } | { startOffset: number },
  ): Promise<AbortedPartitionTransaction> {
    const body = "producerId" in which ? { producer_id: which.producerId } : { start_offset: which.startOffset };
    return this.http.request("POST", `/v1/topics/${enc(topic)}/partitions/${partition}/transactions/abort`, body);
  }
}
