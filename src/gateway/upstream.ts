// The gateway's client of edgelog: one typed method per HTTP call the Kafka handlers make, over the
// SDK's transport (its one way of reaching edgelog and reading error replies). Never retries:
// Kafka clients retry on their own terms, from the codes the handlers answer (gateway/errors.ts).

import type {
  AlterTopicBody,
  BatchProduceReply,
  CommitOffsetsBody,
  CommittedOffsetsReply,
  CreateTopicBody,
  DeleteRecordsReply,
  LeaderEpochEnd,
  GroupDescription,
  GroupListPage,
  GroupSummary,
  HeartbeatBody,
  HeartbeatReply,
  MultiFetchBody,
  OffsetReply,
  ProducerIdentity,
  TokenInfo,
  TopicDescription,
  SaslSessionReply,
  ScramFinalReply,
  ScramFirstReply,
  TopicListPage,
  TopicReply,
  AbortedTransaction,
  EndTxnReply,
  InitTransactionReply,
  InitTransactionRequest,
  PartitionTransactions,
  TransactionDescription,
  TxnOffsetCommitRequest,
} from "../protocol/api.js";
import type { IsolationLevel, TransactionState } from "../protocol/constants.js";
import { CONTENT_TYPE_MULTI_FETCH, CONTENT_TYPE_RECORD_BATCH } from "../protocol/constants.js";
import { decodeMultiFetch, type MultiFetchEntry } from "../protocol/multi-fetch-frame.js";
import { everyPage } from "../protocol/paging.js";
import { Transport, type ClientOptions } from "../client/transport.js";

const enc = encodeURIComponent;

/** One partition of a multi-fetch: its offsets or error, and its raw batches. */
export type FetchedPartition = MultiFetchEntry & { batches?: Uint8Array; aborted_transactions?: AbortedTransaction[] };
const groupPath = (group: string) => `/v1/groups/${enc(group)}`;
const txnPath = (id: string) => `/v1/transactions/${enc(id)}`;

/** A transactional producer as the transaction routes name it: the decimal id and the epoch. */
export interface TxnProducer {
  id: string;
  epoch: number;
}

/** Failures are EdgelogError: edgelog's own code, or NETWORK_EXCEPTION when it could not be reached. */
export class Upstream {
  readonly #http: Transport;

  constructor(opts: Pick<ClientOptions, "url" | "token" | "fetch">) {
    this.#http = new Transport(opts);
  }

  get url(): string {
    return this.#http.url;
  }

  /** Every topic the gateway's token may describe, page by page. */
  listTopics(signal: AbortSignal): Promise<TopicReply[]> {
    return everyPage<TopicReply>("topics", (q) =>
      this.#http.request<TopicListPage>("GET", `/v1/topics${q}`, undefined, { signal }),
    );
  }

  createTopic(body: CreateTopicBody, signal: AbortSignal): Promise<TopicReply> {
    return this.#http.request("POST", "/v1/topics", body, { signal });
  }

  describeTopic(name: string, signal: AbortSignal): Promise<TopicDescription> {
    return this.#http.request("GET", `/v1/topics/${enc(name)}`, undefined, { signal });
  }

  /** Adds partitions or changes config (null resets a key to its default). */
  alterTopic(name: string, body: AlterTopicBody, signal: AbortSignal): Promise<TopicReply> {
    return this.#http.request("PATCH", `/v1/topics/${enc(name)}`, body, { signal });
  }

  /** Kafka's OffsetForLeaderEpoch, answered by the partition's leader. */
  offsetForLeaderEpoch(topic: string, partition: number, epoch: number, signal: AbortSignal): Promise<LeaderEpochEnd> {
    return this.#http.request(
      "GET",
      `/v1/topics/${enc(topic)}/partitions/${partition}/offset-for-leader-epoch?epoch=${epoch}`,
      undefined,
      { signal },
    );
  }

  /** Advances a partition's log start offset to `offset` (Kafka's DeleteRecords). */
  deleteRecords(topic: string, partition: number, offset: number, signal: AbortSignal): Promise<DeleteRecordsReply> {
    return this.#http.request(
      "POST",
      `/v1/topics/${enc(topic)}/partitions/${partition}/delete-records`,
      { before_offset: offset },
      { signal },
    );
  }

  async deleteTopic(name: string, signal: AbortSignal): Promise<void> {
    await this.#http.request("DELETE", `/v1/topics/${enc(name)}`, undefined, { signal });
  }

  /** Raw RecordBatch v2 bytes to one partition; `acksAll` waits for every in-sync replica (Kafka's acks=-1). */
  appendBatches(
    topic: string,
    partition: number,
    batches: Uint8Array,
    acksAll: boolean,
    signal: AbortSignal,
    transactionalId?: string,
  ): Promise<BatchProduceReply> {
    const query = new URLSearchParams();
    if (acksAll) query.set("acks", "all");
    // Kafka's Produce carries the transactional id beside the batches; the raw route takes it as a parameter.
    if (transactionalId !== undefined) query.set("transactional_id", transactionalId);
    const q = query.size > 0 ? `?${query}` : "";
    const path = `/v1/topics/${enc(topic)}/partitions/${partition}/records${q}`;
    return this.#http.request("POST", path, batches, {
      signal,
      headers: { "content-type": CONTENT_TYPE_RECORD_BATCH },
    });
  }

  /** Raw batches from many partitions in one long-poll: the binary multi-fetch reply, no base64 or JSON strings. */
  async fetchBatches(body: Omit<MultiFetchBody, "format">, signal: AbortSignal): Promise<FetchedPartition[]> {
    const bytes = await this.#http.bytes(
      "POST",
      "/v1/fetch",
      { ...body, format: "batches" },
      {
        signal,
        headers: { accept: CONTENT_TYPE_MULTI_FETCH },
      },
    );
    return decodeMultiFetch(bytes);
  }

  /** earliest, latest, or the first offset at or after a time (ms). */
  offset(
    topic: string,
    partition: number,
    at: string,
    signal: AbortSignal,
    isolation: IsolationLevel = "read_uncommitted",
  ): Promise<OffsetReply> {
    const q = isolation === "read_committed" ? "&isolation=read_committed" : "";
    return this.#http.request(
      "GET",
      `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}${q}`,
      undefined,
      { signal },
    );
  }

  /** A client's PLAIN sign-in, checked by edgelog: a session acting as its token. */
  saslPlain(username: string, password: string, signal: AbortSignal): Promise<SaslSessionReply> {
    return this.#http.request("POST", "/v1/sasl/plain", { username, password }, { signal });
  }

  scramFirst(
    mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512",
    clientFirst: string,
    signal: AbortSignal,
  ): Promise<ScramFirstReply> {
    return this.#http.request("POST", "/v1/sasl/scram/first", { mechanism, client_first: clientFirst }, { signal });
  }

  scramFinal(exchange: string, clientFinal: string, signal: AbortSignal): Promise<ScramFinalReply> {
    return this.#http.request("POST", "/v1/sasl/scram/final", { exchange, client_final: clientFinal }, { signal });
  }

  /** A new producer id, or `id` again with its epoch bumped (fencing older holders). */
  initProducerId(signal: AbortSignal, id?: string): Promise<ProducerIdentity> {
    return this.#http.request("POST", "/v1/producers", id === undefined ? {} : { id }, { signal });
  }

  heartbeat(group: string, body: HeartbeatBody, signal: AbortSignal): Promise<HeartbeatReply> {
    return this.#http.request("POST", `${groupPath(group)}/heartbeat`, body, { signal });
  }

  async leaveGroup(group: string, memberId: string, signal: AbortSignal): Promise<void> {
    await this.#http.request("DELETE", `${groupPath(group)}/members/${enc(memberId)}`, undefined, { signal });
  }

  async commitOffsets(group: string, body: CommitOffsetsBody, signal: AbortSignal): Promise<void> {
    await this.#http.request("POST", `${groupPath(group)}/offsets`, body, { signal });
  }

  /** `requireStable`: UNSTABLE_OFFSET_COMMIT (its `partitions` beside it) while a transaction holds pending offsets. */
  committedOffsets(group: string, signal: AbortSignal, requireStable = false): Promise<CommittedOffsetsReply> {
    const q = requireStable ? "?require_stable=true" : "";
    return this.#http.request("GET", `${groupPath(group)}/offsets${q}`, undefined, { signal });
  }

  /** Every group the gateway's token may describe, page by page. */
  listGroups(signal: AbortSignal): Promise<GroupSummary[]> {
    return everyPage<GroupSummary>("groups", (q) =>
      this.#http.request<GroupListPage>("GET", `/v1/groups${q}`, undefined, { signal }),
    );
  }

  describeGroup(group: string, signal: AbortSignal): Promise<GroupDescription> {
    return this.#http.request("GET", groupPath(group), undefined, { signal });
  }

  async deleteGroup(group: string, signal: AbortSignal): Promise<void> {
    await this.#http.request("DELETE", groupPath(group), undefined, { signal });
  }

  /** Forgets a group's committed offset for one partition (Kafka's OffsetDelete). */
  async deleteOffset(group: string, topic: string, partition: number, signal: AbortSignal): Promise<void> {
    await this.#http.request("DELETE", `${groupPath(group)}/offsets/${enc(topic)}/partitions/${partition}`, undefined, {
      signal,
    });
  }

  /** Takes a transactional id (InitProducerId with one), fencing older holders. */
  initTransaction(id: string, body: InitTransactionRequest, signal: AbortSignal): Promise<InitTransactionReply> {
    return this.#http.request("POST", `${txnPath(id)}/init`, body, { signal });
  }

  /** Registers partitions with the open transaction (AddPartitionsToTxn), all or nothing. */
  async addPartitionsToTxn(
    id: string,
    producer: TxnProducer,
    topics: { topic: string; partitions: number[] }[],
    signal: AbortSignal,
  ): Promise<void> {
    await this.#http.request("POST", `${txnPath(id)}/partitions`, { producer, topics }, { signal });
  }

  /** Registers a group's offsets with the open transaction (AddOffsetsToTxn). */
  async addOffsetsToTxn(id: string, producer: TxnProducer, group: string, signal: AbortSignal): Promise<void> {
    await this.#http.request("POST", `${txnPath(id)}/groups`, { producer, group_id: group }, { signal });
  }

  /** Offsets committed inside the transaction (TxnOffsetCommit), pending until it ends. */
  async txnOffsetCommit(id: string, body: TxnOffsetCommitRequest, signal: AbortSignal): Promise<void> {
    await this.#http.request("POST", `${txnPath(id)}/offsets`, body, { signal });
  }

  /** Commits or aborts (EndTxn). */
  endTxn(id: string, producer: TxnProducer, commit: boolean, signal: AbortSignal): Promise<EndTxnReply> {
    return this.#http.request("POST", `${txnPath(id)}/${commit ? "commit" : "abort"}`, { producer }, { signal });
  }

  describeTransaction(id: string, signal: AbortSignal): Promise<TransactionDescription> {
    return this.#http.request("GET", txnPath(id), undefined, { signal });
  }

  /** Every transactional id the token may describe, in the states asked (all when none are), page by page. */
  listTransactions(
    filter: { states: TransactionState[]; producerId?: string },
    signal: AbortSignal,
  ): Promise<{ transactional_id: string; state: TransactionState; producer_id: string }[]> {
    const base = new URLSearchParams();
    if (filter.states.length > 0) base.set("state", filter.states.join(","));
    if (filter.producerId !== undefined) base.set("producer_id", filter.producerId);
    return everyPage("transactions", (q) => {
      const query = new URLSearchParams(q.replace(/^\?/, ""));
      for (const [k, v] of base) query.set(k, v);
      return this.#http.request("GET", `/v1/transactions?${query}`, undefined, { signal });
    });
  }

  /** A partition's open transactions (DescribeProducers). */
  partitionTransactions(topic: string, partition: number, signal: AbortSignal): Promise<PartitionTransactions> {
    return this.#http.request("GET", `/v1/topics/${enc(topic)}/partitions/${partition}/transactions`, undefined, {
      signal,
    });
  }

  async listTokens(signal: AbortSignal): Promise<TokenInfo[]> {
    return (await this.#http.request<{ tokens: TokenInfo[] }>("GET", "/v1/tokens", undefined, { signal })).tokens;
  }

  /** Whether edgelog checks tokens at all (GET /healthz). */
  async authRequired(signal: AbortSignal): Promise<boolean> {
    return (await this.#http.request<{ auth: string }>("GET", "/healthz", undefined, { signal })).auth === "required";
  }
}
