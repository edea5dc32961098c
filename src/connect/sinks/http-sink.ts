// http-sink: POSTs batches of records (JSON lines or a JSON array of envelopes) to an allowed URL.
// 5xx, 408, 429, timeouts and refused connections are retried with doubling backoff (Retry-After
// first); other 4xx isolate the records the endpoint refuses, which become errant (DLQ or FAILED).

import type { CommitOffsets, PartitionOffset, TopicPartition } from "../../host/runner.js";
import { hostAllowed } from "../allowlist.js";
import type { ConfigValue } from "../config.js";
import { ConnectTaskFailure } from "../errors.js";
import { envelope, type ErrantReporter, type SinkRecord, type SinkTask } from "./task.js";

export interface HttpSinkDeps {
  values: Record<string, ConfigValue>;
  allowedHosts: readonly string[];
  report: ErrantReporter;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** errors.retry.delay.max.ms: the longest wait between attempts. */
  maxDelayMs: number;
}

/** The outcome of one request. */
type Outcome = { ok: true } | { ok: false; retriable: boolean; status: number; message: string; retryAfterMs?: number };

/** Retry-After as seconds or an HTTP date, in ms from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const RETRIABLE_STATUS = (s: number) => s >= 500 || s === 408 || s === 429;

export class HttpSink implements SinkTask {
  readonly #d: HttpSinkDeps;
  readonly #buffers = new Map<string, SinkRecord[]>();
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #batchSize: number;
  readonly #asArray: boolean;

  constructor(d: HttpSinkDeps) {
    this.#d = d;
    this.#url = String(d.values["http.api.url"]);
    this.#batchSize = d.values["batch.max.size"] as number;
    this.#asArray = d.values["batch.json.as.array"] === true;
    this.#headers = { "content-type": this.#asArray ? "application/json" : "application/x-ndjson" };
    const raw = String(d.values.headers);
    if (raw !== "") {
      for (const h of raw.split(String(d.values["header.separator"]))) {
        const i = h.indexOf(":");
        this.#headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
      }
    }
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (const r of records) {
      const k = `${r.original.topic}\u0000${r.original.partition}`;
      const buf = this.#buffers.get(k) ?? this.#buffers.set(k, []).get(k)!;
      buf.push(r);
      if (buf.length >= this.#batchSize) await this.#deliver(buf.splice(0));
    }
  }

  async flush(_offsets: PartitionOffset[], _commit: CommitOffsets): Promise<void> {
    for (const buf of this.#buffers.values()) if (buf.length > 0) await this.#deliver(buf.splice(0));
  }

  close(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#buffers.delete(`${p.topic}\u0000${p.partition}`);
  }

  /** Sends `records` (one partition's, in order), retrying what is retriable and isolating refused records. */
  async #deliver(records: SinkRecord[]): Promise<void> {
    const outcome = await this.#sendWithRetries(records);
    if (outcome.ok) return;
    if (!outcome.retriable && records.length > 1) {
      // One bad record should not take its batch-mates down: halve until the refused ones are alone.
      const mid = Math.ceil(records.length / 2);
      await this.#deliver(records.slice(0, mid));
      await this.#deliver(records.slice(mid));
      return;
    }
    const error = new Error(`HTTP ${outcome.status || "request"} failed: ${outcome.message}`);
    for (const r of records) await this.#d.report(r, error);
  }

  async #sendWithRetries(records: SinkRecord[]): Promise<Outcome> {
    const retries = this.#d.values["max.retries"] as number;
    const backoff = this.#d.values["retry.backoff.ms"] as number;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#send(records);
      if (outcome.ok || !outcome.retriable || attempt >= retries) return outcome;
      const wait = Math.min(outcome.retryAfterMs ?? backoff * 2 ** attempt, this.#d.maxDelayMs);
      await this.#d.sleep(wait);
    }
  }

  async #send(records: SinkRecord[]): Promise<Outcome> {
    // Checked on every request: the operator may have narrowed the allowlist since the connector was created.
    const refused = hostAllowed(this.#url, this.#d.allowedHosts);
    if (refused) throw new ConnectTaskFailure(refused, "TASK_PUT");
    const elements = records.map(envelope);
    const body = this.#asArray ? JSON.stringify(elements) : `${elements.map((e) => JSON.stringify(e)).join("\n")}\n`;
    const headers = { ...this.#headers };
    const idem = String(this.#d.values["idempotency.key.header"]);
    if (idem !== "") {
      const first = records[0]!.original;
      headers[idem] = `${first.topic}/${first.partition}/${first.offset}-${records.at(-1)!.original.offset}`;
    }
    let res: Response;
    try {
      res = await this.#d.fetch(this.#url, {
        method: String(this.#d.values["request.method"]),
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#d.values["http.request.timeout.ms"] as number),
      });
    } catch (e) {
      return { ok: false, retriable: true, status: 0, message: (e as Error).message };
    }
    const text = await res.text().catch(() => "");
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const message = `${res.status} ${res.statusText} ${text.slice(0, 500)}`.trim();
    if (res.status >= 300 && res.status < 400)
      return { ok: false, retriable: false, status: res.status, message: `${message} (redirects are not followed)` };
    return {
      ok: false,
      retriable: RETRIABLE_STATUS(res.status),
      status: res.status,
      message,
      retryAfterMs: retryAfterMs(res.headers.get("retry-after")),
    };
  }
}
