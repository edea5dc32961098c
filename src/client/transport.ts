// The one client of edgelog's HTTP API (the SDK's, the Kafka gateway's upstream, a mirror's source):
// base URL and token, error replies turned into EdgelogError, and retries of retriable failures
// with exponential backoff, full jitter and Retry-After.

import { fullJitter } from "../protocol/backoff.js";
import { EdgelogError, ERRORS, isErrorCode, type ErrorCode, type ErrorSpec } from "../protocol/errors.js";

export const DEFAULT_URL = "http://127.0.0.1:8787";

export interface RetryOptions {
  /** Give up once this much time has passed since the first attempt. */
  maxElapsedMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxElapsedMs: 30_000, initialBackoffMs: 100, maxBackoffMs: 5_000 };

export interface ClientOptions {
  /** Server base URL; default http://127.0.0.1:8787. */
  url?: string;
  /** Bearer token. */
  token?: string;
  /** Injected fetch (tests, custom agents); default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Injected WebSocket constructor for live tails; default globalThis.WebSocket when present. */
  WebSocket?: typeof WebSocket;
  retry?: Partial<RetryOptions>;
}

export interface RequestOptions {
  /** Retry retriable failures (only for requests that are safe to repeat). */
  retry?: boolean | Partial<RetryOptions>;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Narrows which retriable errors are retried. */
  shouldRetry?: (error: EdgelogError) => boolean;
  /** Called before each retry, with the error that caused it. */
  onRetry?: (error: EdgelogError, attempt: number, delayMs: number) => void;
}

export class Transport {
  readonly url: string;
  readonly token?: string;
  readonly retry: RetryOptions;
  readonly #fetch: typeof fetch;
  readonly WebSocket?: typeof WebSocket;

  constructor(opts: ClientOptions = {}) {
    const url = opts.url ?? DEFAULT_URL;
    try {
      new URL(url);
    } catch {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `server URL ${JSON.stringify(url)} is not a URL; use e.g. ${DEFAULT_URL}`,
      );
    }
    this.url = url.replace(/\/+$/, "");
    this.token = opts.token;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.WebSocket = opts.WebSocket ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}`, ...extra } : extra;
  }

  /** One HTTP exchange, no retries: the raw Response on 2xx, an EdgelogError otherwise. */
  async raw(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<Response> {
    const headers = this.headers(opts.headers);
    let payload: BodyInit | undefined;
    if (body instanceof Uint8Array) payload = body as unknown as BodyInit;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] ??= "application/json";
    }
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}${path}`, { method, headers, body: payload, signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new EdgelogError("NETWORK_EXCEPTION", `cannot reach ${this.url}: ${causeOf(e)}`);
    }
    if (res.ok) return res;
    throw await errorFromResponse(res);
  }

  /** A JSON request; retried when `retry` is set and the failure is retriable. */
  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const { status, text } = await this.text(method, path, body, opts);
    if (status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new EdgelogError(
        "UNKNOWN_SERVER_ERROR",
        `${this.url} answered ${method} ${path} with HTTP ${status} and a body that is not JSON; is it an edgelog server?`,
        { status },
      );
    }
  }

  /** An exchange and its whole body as text; retried as request() is. */
  text(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<{ status: number; text: string }> {
    return this.withRetry(async () => {
      const res = await this.raw(method, path, body, opts);
      return { status: res.status, text: await this.#whole(res, () => res.text(), method, path, opts) };
    }, opts);
  }

  /** An exchange and its whole body as bytes; retried as request() is. */
  bytes(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<Uint8Array> {
    return this.withRetry(async () => {
      const res = await this.raw(method, path, body, opts);
      return new Uint8Array(await this.#whole(res, () => res.arrayBuffer(), method, path, opts));
    }, opts);
  }

  /**
   * Reads a body to its end. A reply cut short ("terminated", ECONNRESET: the server died or the
   * connection dropped mid-body) is a NETWORK_EXCEPTION, as a connection that failed before the
   * status line: retriable, retried where the call is safe to repeat, and with no status, since
   * whether a write it carried took effect is unknown.
   */
  async #whole<T>(
    res: Response,
    read: () => Promise<T>,
    method: string,
    path: string,
    opts: RequestOptions,
  ): Promise<T> {
    try {
      return await read();
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new EdgelogError(
        "NETWORK_EXCEPTION",
        `${this.url} cut its HTTP ${res.status} reply to ${method} ${path} short: ${causeOf(e)}`,
      );
    }
  }

  async withRetry<T>(attempt: () => Promise<T>, opts: RequestOptions = {}): Promise<T> {
    if (!opts.retry) return attempt();
    const policy = opts.retry === true ? this.retry : { ...this.retry, ...opts.retry };
    const started = Date.now();
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof EdgelogError) || !e.retriable || opts.signal?.aborted) throw e;
        if (opts.shouldRetry && !opts.shouldRetry(e)) throw e;
        const delay = backoff(n, policy, e.retryAfter);
        if (Date.now() - started + delay > policy.maxElapsedMs) throw e;
        opts.onRetry?.(e, n + 1, delay);
        await sleep(delay, opts.signal);
      }
    }
  }
}

/** Full jitter (a uniform wait up to the exponential bound), but never sooner than Retry-After. */
export function backoff(
  attempt: number,
  policy: RetryOptions,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const jittered = fullJitter(attempt, { initialMs: policy.initialBackoffMs, maxMs: policy.maxBackoffMs }, random);
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

/** An error reply as an EdgelogError: its body's code and message, its status and Retry-After. */
export async function errorFromResponse(res: Response): Promise<EdgelogError> {
  const retryAfter = Number(res.headers.get("retry-after") ?? "NaN");
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await res.json();
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as typeof body;
  } catch {
    /* not JSON: a proxy or a non-edgelog server */
  }
  const { error, ...extra } = body;
  // The schema registry answers in Confluent's shape: {"error_code": 40401, "message": "..."}.
  const registry =
    typeof body.error_code === "number"
      ? { code: registryErrorCode(body.error_code), message: body.message }
      : undefined;
  return errorFromBody(error ?? registry, {
    // A code this client does not know, or no edgelog body at all: judged by the status.
    fallback: statusFallback(res.status),
    extra: { ...extra, status: res.status },
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    message: `HTTP ${res.status} ${res.statusText}`,
  });
}

/**
 * The `error` of any reply (a whole reply's, a multi-fetch partition's, a live stream's event) as an
 * EdgelogError. A code this client does not know becomes `fallback`, its name kept in the message.
 */
export function errorFromBody(
  error: unknown,
  opts: { fallback?: ErrorCode; extra?: Record<string, unknown>; retryAfter?: number; message?: string } = {},
): EdgelogError {
  const e = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === "string" ? e.message : (opts.message ?? "no error message");
  if (isErrorCode(e.code)) return new EdgelogError(e.code, message, opts.extra, opts.retryAfter);
  return new EdgelogError(
    opts.fallback ?? "UNKNOWN_SERVER_ERROR",
    typeof e.code === "string" ? `${e.code}: ${message}` : message,
    opts.extra,
    opts.retryAfter,
  );
}

function registryErrorCode(n: number): ErrorCode | undefined {
  return (Object.keys(ERRORS) as ErrorCode[]).find((k) => (ERRORS[k] as ErrorSpec).registry === n);
}

/** The HTTP status an error reply came with (undefined when no reply came: unreachable, aborted). */
export function replyStatus(e: unknown): number | undefined {
  const status = e instanceof EdgelogError ? e.extra?.status : undefined;
  return typeof status === "number" ? status : undefined;
}

/** The code for an error reply without one this client knows (a proxy's page, a newer server's code). */
function statusFallback(status: number): ErrorCode {
  if (status === 429) return "THROTTLING_QUOTA_EXCEEDED";
  // A gateway or proxy in front of edgelog got no answer from it: whether a write happened is unknown.
  if (status >= 502 && status <= 504) return "NETWORK_EXCEPTION";
  if (status === 404) return "ROUTE_NOT_FOUND";
  return "UNKNOWN_SERVER_ERROR";
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function causeOf(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}
