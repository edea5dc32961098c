// The source side of a mirror: another edgelog deployment, reached over its public HTTP API.

import { errorFromBody, replyStatus, Transport } from "../client/transport.js";
import type { MultiFetchBody, MultiFetchReply, TopicDescription } from "../protocol/api.js";
import { EdgelogError } from "../protocol/errors.js";
import type { TopicConfig } from "../protocol/topic-config.js";
import { fromBase64 } from "../util/base64.js";
import type { AbortedTxn } from "../protocol/transactions.js";

export interface SourceTopic {
  id: string;
  name: string;
  partitions: number;
  config: Partial<TopicConfig>;
}

export type SourcePartition =
  | {
      partition: number;
      batches: Uint8Array;
      /** The source's aborted transactions overlapping `batches` (read_committed). */
      aborted: AbortedTxn[];
      highWatermark: number;
      logStartOffset: number;
    }
  | { partition: number; error: EdgelogError; highWatermark?: number; logStartOffset?: number };

export interface SourceEndpoint {
  url: string;
  token?: string;
}

/** Checks and normalises a source URL: http(s), no credentials, query or fragment; no trailing slash. */
export function parseSourceUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `source.url ${JSON.stringify(raw)} is not a URL; give the other deployment's base URL, e.g. https://edgelog.example.com`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new EdgelogError("INVALID_CONFIG", `source.url must be http or https, got ${u.protocol}`);
  }
  if (u.username || u.password || u.search || u.hash) {
    throw new EdgelogError(
      "INVALID_CONFIG",
      "source.url takes no credentials, query or fragment; put a token in source.token",
    );
  }
  return u.href.replace(/\/+$/, "");
}

/** Another deployment's API, through the client every edgelog client uses (client/transport.ts). */
export class SourceClient {
  readonly #http: Transport;

  constructor(endpoint: SourceEndpoint, fetch?: typeof globalThis.fetch) {
    this.#http = new Transport({ url: endpoint.url, token: endpoint.token, fetch });
  }

  get url(): string {
    return this.#http.url;
  }

  async describeTopic(topic: string): Promise<SourceTopic> {
    // Topic describe lists the partitions; their count is partition_count.
    const body = await this.#call<Partial<TopicDescription> | undefined>(
      "GET",
      `/v1/topics/${encodeURIComponent(topic)}`,
    );
    if (typeof body?.id !== "string" || !Number.isSafeInteger(body.partition_count)) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `${this.url} did not answer as an edgelog deployment (no topic id or partition count)`,
      );
    }
    return {
      id: body.id,
      name: body.name ?? topic,
      partitions: body.partition_count!,
      config: (body.config ?? {}) as Partial<TopicConfig>,
    };
  }

  /**
   * Raw batches from each partition at its offset (POST /v1/fetch, format batches, read_committed:
   * a mirror copies committed data only, so it reads no further than the source's LSO), long-polling
   * up to `waitMs` when every partition is caught up. A partition's own failure (its offset out
   * of range, say) comes back beside the others; a failure of the whole call is thrown.
   */
  async fetch(
    topic: string,
    positions: { partition: number; offset: number }[],
    waitMs: number,
    maxBytes: number,
  ): Promise<SourcePartition[]> {
    const reply = await this.#call<MultiFetchReply>("POST", "/v1/fetch", {
      partitions: positions.map((p) => ({ topic, partition: p.partition, offset: p.offset })),
      wait_ms: waitMs,
      max_bytes: maxBytes,
      format: "batches",
      isolation: "read_committed",
    } satisfies MultiFetchBody);
    return reply.partitions.map((p): SourcePartition => {
      if (p.error) {
        const e = errorFromBody(p.error);
        return {
          partition: p.partition,
          error: new EdgelogError(e.code, `source: ${e.message}`),
          highWatermark: p.high_watermark,
          logStartOffset: p.log_start_offset,
        };
      }
      const batches = fromBase64(p.batches_b64 ?? "");
      if (batches === null)
        throw new EdgelogError(
          "CORRUPT_MESSAGE",
          `source ${this.url} sent partition ${p.partition}'s batches as invalid base64`,
        );
      return {
        partition: p.partition,
        batches,
        aborted: (p.aborted_transactions ?? []).map((a) => ({
          producerId: Number(a.producer_id),
          firstOffset: a.first_offset,
        })),
        highWatermark: p.high_watermark!,
        logStartOffset: p.log_start_offset!,
      };
    });
  }

  /**
   * One call, its failure told in this deployment's words. Only the status and the error code are
   * passed on, never the reply's text: the caller picks the URL, and echoing what it answered
   * would let them read services this deployment reaches.
   */
  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.#http.request<T>(method, path, body);
    } catch (e) {
      if (!(e instanceof EdgelogError)) throw e;
      const status = replyStatus(e);
      if (status === undefined) {
        throw new EdgelogError("NETWORK_EXCEPTION", `source unreachable: ${e.message}`);
      }
      if (status < 300) {
        throw new EdgelogError(
          "INVALID_CONFIG",
          `source ${this.url} answered ${method} ${path} with HTTP ${status} and no edgelog JSON`,
        );
      }
      throw new EdgelogError(e.code, `source ${this.url} answered ${method} ${path} with HTTP ${status} ${e.code}`);
    }
  }
}
