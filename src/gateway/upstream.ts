// The gateway's HTTP client for edgelog's API, and the mapping of its errors to Kafka error codes.

import { CONTENT_TYPE_RECORD_BATCH } from "../protocol/constants.js";
import { ERRORS, isErrorCode } from "../protocol/errors.js";

/** edgelog answered with an error body. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** edgelog could not be reached (refused, reset, or not an edgelog reply). */
export class UpstreamDown extends Error {
  override readonly name = "UpstreamDown";
}

export const KAFKA = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  COORDINATOR_NOT_AVAILABLE: 15,
  INVALID_TOPIC_EXCEPTION: 17,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  INVALID_PARTITIONS: 37,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  MEMBER_ID_REQUIRED: 79,
} as const;

/**
 * The Kafka error code for a failed upstream call. `unavailable` is what a client should hear when
 * edgelog is unreachable: a retriable code that sends it back to metadata or the coordinator lookup.
 */
export function kafkaCode(e: unknown, unavailable: number): number {
  if (e instanceof UpstreamDown) return unavailable;
  if (!(e instanceof UpstreamError)) return KAFKA.UNKNOWN_SERVER_ERROR;
  switch (e.code) {
    // KIP-848 epoch errors never reach classic clients: they rejoin on ILLEGAL_GENERATION.
    case "STALE_MEMBER_EPOCH":
    case "FENCED_MEMBER_EPOCH":
      return KAFKA.ILLEGAL_GENERATION;
    // A member-less commit into a group with members: Kafka answers UNKNOWN_MEMBER_ID.
    case "NON_EMPTY_GROUP":
      return KAFKA.UNKNOWN_MEMBER_ID;
  }
  if (isErrorCode(e.code)) {
    const k = ERRORS[e.code].kafka;
    if (k !== -1) return k;
  }
  return e.status === 503 ? unavailable : KAFKA.UNKNOWN_SERVER_ERROR;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface UpstreamOptions {
  url: string;
  token?: string;
}

export class Upstream {
  readonly #base: string;
  readonly #headers: Record<string, string>;

  constructor(opts: UpstreamOptions) {
    this.#base = opts.url.replace(/\/+$/, "");
    this.#headers = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  }

  /** A JSON call; resolves to the parsed body (undefined for 204), throws UpstreamError / UpstreamDown. */
  async json<T = any>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { ...this.#headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    return this.#send<T>(method, path, {
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  }

  /** Appends raw RecordBatch v2 bytes to one partition. */
  /** Raw batches to one partition; `acksAll` waits for every in-sync replica (Kafka's acks=-1). */
  async appendBatches<T = any>(
    topic: string,
    partition: number,
    batches: Uint8Array,
    signal?: AbortSignal,
    acksAll = false,
  ): Promise<T> {
    const acks = acksAll ? "?acks=all" : "";
    return this.#send<T>("POST", `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records${acks}`, {
      headers: { ...this.#headers, "content-type": CONTENT_TYPE_RECORD_BATCH },
      body: batches,
      signal,
    });
  }

  async #send<T>(
    method: string,
    path: string,
    init: { headers: Record<string, string>; body?: BodyInit; signal?: AbortSignal },
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, { method, ...init });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new UpstreamDown(
        `edgelog at ${this.#base} is unreachable: ${errorMessage((e as { cause?: unknown }).cause ?? e)}`,
      );
    }
    const text = await res.text();
    if (res.status === 204) return undefined as T;
    let parsed: any;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new UpstreamDown(`${method} ${path}: HTTP ${res.status} with a non-JSON body`);
    }
    if (res.ok) return parsed as T;
    const err = parsed?.error;
    if (!err || typeof err.code !== "string")
      throw new UpstreamDown(`${method} ${path}: HTTP ${res.status} without an error body`);
    throw new UpstreamError(res.status, err.code, err.message ?? err.code, parsed);
  }
}
