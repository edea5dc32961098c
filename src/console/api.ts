// The console's client of the public HTTP API, over the SDK's transport (src/client): the same
// error decoding (code, message, retriable) and retries of safe requests that every client gets.
// Types come from the API's schemas (type-only imports: no server code and no zod ship).

import type { z } from "zod";
import type {
  CreatedTokenSchema,
  CreateTokenSchema,
  DescribeTopicSchema,
  GroupListSchema,
  GroupSchema,
  MirrorListSchema,
  ProduceReplySchema,
  ProduceRecordSchema,
  TokenInfoSchema,
  TopicListSchema,
  TopicSchema,
} from "../protocol/api.js";
import { Transport } from "../client/transport.js";
import type { BinaryFetchedRecord } from "./records/model.js";

export type Topic = z.infer<typeof TopicSchema>;
export type TopicDescription = z.infer<typeof DescribeTopicSchema>;
export type TopicList = z.infer<typeof TopicListSchema>;
export type Group = z.infer<typeof GroupSchema>;
export type GroupList = z.infer<typeof GroupListSchema>;
export type TokenInfo = z.infer<typeof TokenInfoSchema>;
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;
export type CreateTokenRequest = z.input<typeof CreateTokenSchema>;
export type Mirror = z.infer<typeof MirrorListSchema>["mirrors"][number];
export type ProduceRecord = z.input<typeof ProduceRecordSchema>;
export type ProduceReply = z.infer<typeof ProduceReplySchema>;
export type ResetTo = "earliest" | "latest" | { timestamp: number } | { offset: number };

export interface RecordsPage {
  records: BinaryFetchedRecord[];
  next_offset: number;
  high_watermark: number;
  log_start_offset: number;
}

const enc = encodeURIComponent;

export class Api {
  readonly http: Transport;

  constructor(token: string | undefined, origin = globalThis.location.origin) {
    // Safe requests are retried on retriable errors for a few seconds at most: a person is waiting.
    this.http = new Transport({ url: origin, token, retry: { maxElapsedMs: 4_000 } });
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.http.request<T>("GET", path, undefined, { retry: true, signal });
  }

  send<T>(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    return this.http.request<T>(method, path, body);
  }

  health(): Promise<{ ok: boolean; auth: "required" | "off" }> {
    return this.get("/healthz");
  }

  /** The API's route paths, from its OpenAPI document: screens show only when their routes exist. */
  async routes(): Promise<Set<string>> {
    const doc = await this.get<{ paths: Record<string, unknown> }>("/v1/openapi.json");
    return new Set(Object.keys(doc.paths));
  }

  topicsPage(after: string | null, limit: number): Promise<TopicList> {
    return this.get(`/v1/topics?limit=${limit}${after === null ? "" : `&after=${enc(after)}`}`);
  }

  describeTopic(name: string, signal?: AbortSignal): Promise<TopicDescription> {
    return this.get(`/v1/topics/${enc(name)}`, signal);
  }

  createTopic(body: { name: string; partitions?: number; config?: Record<string, unknown> }): Promise<Topic> {
    return this.send("POST", "/v1/topics", body);
  }

  alterTopic(name: string, body: { partitions?: number; config?: Record<string, unknown> }): Promise<Topic> {
    return this.send("PATCH", `/v1/topics/${enc(name)}`, body);
  }

  deleteTopic(name: string): Promise<void> {
    return this.send("DELETE", `/v1/topics/${enc(name)}`);
  }

  /** Records as raw bytes (format=binary): every view and filter decodes them itself, losslessly. */
  records(topic: string, partition: number, offset: number, max: number, signal?: AbortSignal): Promise<RecordsPage> {
    return this.get(
      `/v1/topics/${enc(topic)}/partitions/${partition}/records?offset=${offset}&max_records=${max}&format=binary`,
      signal,
    );
  }

  /** earliest (log start), latest (high watermark), or the first offset at or after a time in ms. */
  async offsetAt(topic: string, partition: number, at: "earliest" | "latest" | number): Promise<number> {
    const r = await this.get<{ offset: number }>(`/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}`);
    return r.offset;
  }

  produce(
    topic: string,
    records: ProduceRecord[],
    format: "json" | "string" | "binary",
    partition?: number,
  ): Promise<ProduceReply> {
    const path =
      partition === undefined
        ? `/v1/topics/${enc(topic)}/records`
        : `/v1/topics/${enc(topic)}/partitions/${partition}/records`;
    return this.send("POST", path, { records, format });
  }

  groupsPage(after: string | null, limit = 100): Promise<GroupList> {
    return this.get(`/v1/groups?limit=${limit}${after === null ? "" : `&after=${enc(after)}`}`);
  }

  describeGroup(group: string, signal?: AbortSignal): Promise<Group> {
    return this.get(`/v1/groups/${enc(group)}`, signal);
  }

  async resetOffsets(group: string, to: ResetTo, topics?: string[]) {
    return this.send<{ offsets: { topic: string; partition: number; offset: number }[] }>(
      "POST",
      `/v1/groups/${enc(group)}/offsets/reset`,
      { to, ...(topics ? { topics } : {}) },
    );
  }

  deleteGroup(group: string): Promise<void> {
    return this.send("DELETE", `/v1/groups/${enc(group)}`);
  }

  async tokens(): Promise<TokenInfo[]> {
    return (await this.get<{ tokens: TokenInfo[] }>("/v1/tokens")).tokens;
  }

  createToken(body: CreateTokenRequest): Promise<CreatedToken> {
    return this.send("POST", "/v1/tokens", body);
  }

  revokeToken(id: string): Promise<void> {
    return this.send("DELETE", `/v1/tokens/${enc(id)}`);
  }

  async mirrors(): Promise<Mirror[]> {
    return (await this.get<{ mirrors: Mirror[] }>("/v1/mirrors")).mirrors;
  }
}

/** Runs `fn` over items, at most `limit` at a time (a browser holds ~6 connections per origin). */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
