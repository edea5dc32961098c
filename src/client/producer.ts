// Producer: per-partition queues batched by lingerMs/batchBytes, keyed partitioning identical to
// the server's (murmur2), idempotent retries by default, and back-pressure on buffered bytes.

import { parseTraceparent, TRACEPARENT } from "../protocol/trace-context.js";
import type { ProduceReply, ProducerIdentity } from "../protocol/api.js";
import { MAX_RECORDS_PER_REQUEST, type ValueFormat } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import { partitionForKey } from "../protocol/murmur2.js";
import { tpKey } from "../protocol/topic-partition.js";
import { toBase64 } from "../util/base64.js";
import { utf8Encoder } from "../util/utf8.js";
import type { Instrumentation } from "./instrumentation.js";
import type { RetryOptions, Transport } from "./transport.js";
import type { ClientEvents } from "./events.js";
import { TopicMetadata } from "./metadata.js";
import { Transaction, TransactionManager, type TxnIdentity } from "./transaction.js";
import type { Message, RecordMetadata } from "./messages.js";

export type { Message, RecordMetadata };

export interface ProducerOptions {
  /** How long a record may wait for companions before its partition's batch is sent. Default 5 ms. */
  lingerMs?: number;
  /** A partition's batch is sent once this many bytes are queued. Default 1 MiB. */
  batchBytes?: number;
  /** send() waits while this many bytes are queued or in flight. Default 32 MiB. */
  maxBufferedBytes?: number;
  /** Exactly-once appends per partition across retries (Kafka's enable.idempotence). Default true. */
  idempotent?: boolean;
  /** How values are encoded; default json. */
  format?: ValueFormat;
  /** Kafka's acks: 1 (default) once the leader has the batch; "all" once every in-sync geo replica has it. */
  acks?: 1 | "all";
  /** How long a batch may keep retrying before its records fail (Kafka's delivery.timeout.ms). Default 120 s. */
  deliveryTimeoutMs?: number;
  /**
   * Kafka's transactional.id: the producer writes inside transactions (producer.transaction()), and
   * a new instance with the same id fences this one. Implies idempotence.
   */
  transactionalId?: string;
  /** How long a transaction may stay open before the server aborts it (transaction.timeout.ms). Default 60 s. */
  transactionTimeoutMs?: number;
  /** The transaction protocol: 2 (default; an epoch per transaction) or 1. */
  transactionVersion?: 1 | 2;
  retry?: Partial<Omit<RetryOptions, "maxElapsedMs">>;
  /**
   * W3C trace context on records (off by default): a function returning the current span's
   * `traceparent` (from your tracer) is asked once per record, and its answer is set as the record's
   * `traceparent` header unless the record has one; consumers read it back as `message.traceparent`.
   */
  traceparent?: () => string | null | undefined;
}

interface Pending {
  wire: WireRecord;
  size: number;
  topic: string;
  resolve(m: RecordMetadata): void;
  reject(e: unknown): void;
}

interface WireRecord {
  key?: string | null;
  key_b64?: string;
  value: unknown;
  headers?: Record<string, string | null>;
  timestamp?: number;
}

interface Queue {
  topic: string;
  partition: number;
  records: Pending[];
  bytes: number;
  timer?: ReturnType<typeof setTimeout>;
  /** The one request in flight for this partition (ordering and sequence numbers need one). */
  draining?: Promise<void>;
}

/** An idempotent producer id and epoch, with the next base sequence per topic partition (tpKey) under them. */
type ProducerId = TxnIdentity;

const enc = encodeURIComponent;

export class Producer {
  readonly #http: Transport;
  readonly #events: Instrumentation<ClientEvents>;
  readonly #meta: TopicMetadata;
  readonly #opts: Required<
    Omit<ProducerOptions, "retry" | "transactionalId" | "transactionTimeoutMs" | "transactionVersion">
  > & { retry: Partial<RetryOptions> };
  readonly #txn?: TransactionManager;
  readonly #queues = new Map<string, Queue>();
  readonly #sticky = new Map<string, number>();
  #buffered = 0;
  #spaceWaiters: (() => void)[] = [];
  #pid?: Promise<ProducerId>;
  #closed = false;

  constructor(http: Transport, events: Instrumentation<ClientEvents>, meta: TopicMetadata, opts: ProducerOptions = {}) {
    this.#http = http;
    this.#events = events;
    this.#meta = meta;
    this.#opts = {
      acks: opts.acks ?? 1,
      lingerMs: opts.lingerMs ?? 5,
      batchBytes: opts.batchBytes ?? 1024 * 1024,
      maxBufferedBytes: opts.maxBufferedBytes ?? 32 * 1024 * 1024,
      idempotent: opts.idempotent ?? true,
      format: opts.format ?? "json",
      deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 120_000,
      retry: opts.retry ?? {},
      traceparent: opts.traceparent ?? (() => undefined),
    };
    const o = this.#opts;
    if (opts.transactionalId !== undefined) {
      if (opts.idempotent === false) {
        throw new EdgelogError("INVALID_REQUEST", "a transactional producer is idempotent: drop idempotent: false");
      }
      this.#txn = new TransactionManager(http, opts.transactionalId, {
        timeoutMs: opts.transactionTimeoutMs,
        version: opts.transactionVersion ?? 2,
      });
    }
    if (!(o.lingerMs >= 0)) throw new EdgelogError("INVALID_REQUEST", "lingerMs must be >= 0");
    if (!(o.batchBytes > 0)) throw new EdgelogError("INVALID_REQUEST", "batchBytes must be > 0");
    if (!(o.maxBufferedBytes >= o.batchBytes)) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `maxBufferedBytes (${o.maxBufferedBytes}) must be at least batchBytes (${o.batchBytes})`,
      );
    }
  }

  /** Kafka's initTransactions: takes the transactional id, fencing older instances. transaction() does it when needed. */
  async initTransactions(): Promise<void> {
    await this.#transactional().init();
  }

  /** Begins a transaction (kafkajs's producer.transaction()): send, sendOffsets, then commit or abort. */
  transaction(): Promise<Transaction> {
    return this.#transactional().begin(this);
  }

  #transactional(): TransactionManager {
    if (!this.#txn) throw new EdgelogError("INVALID_REQUEST", "transactions need a producer with a transactionalId");
    return this.#txn;
  }

  /** Bytes queued or in flight right now. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /**
   * Queues messages and resolves with their offsets once the server has them. Waits first
   * while the buffer is full: that wait is the back-pressure on a producer faster than the server.
   */
  async send(topic: string, messages: Message | Message[]): Promise<RecordMetadata[]> {
    if (this.#closed) throw new EdgelogError("INVALID_REQUEST", "producer is closed");
    this.#txn?.identity(); // a transactional producer sends inside an open transaction only
    const list = Array.isArray(messages) ? messages : [messages];
    let partitions = await this.#meta.partitions(topic);
    // A partition beyond the cached count may have been added since: describe the topic again once.
    const highest = list.reduce((n, m) => Math.max(n, m.partition ?? -1), -1);
    if (highest >= partitions) partitions = (await this.#meta.withPartition(topic, highest)).partition_count;
    const acks: Promise<RecordMetadata>[] = [];
    for (const m of list) {
      const wire = this.#wire(m);
      const size = approxSize(wire);
      while (this.#buffered > 0 && this.#buffered + size > this.#opts.maxBufferedBytes) {
        await new Promise<void>((r) => this.#spaceWaiters.push(r));
      }
      const partition = this.#partitionFor(topic, m, partitions);
      acks.push(
        new Promise<RecordMetadata>((resolve, reject) => {
          this.#enqueue({ wire, size, topic, resolve, reject }, partition);
        }),
      );
    }
    return Promise.all(acks);
  }

  /** Sends everything queued now and resolves when all of it is acknowledged (or has failed). */
  async flush(): Promise<void> {
    for (;;) {
      const busy = [...this.#queues.values()].filter((q) => q.records.length > 0 || q.draining);
      if (busy.length === 0) return;
      await Promise.all(busy.map((q) => this.#drain(q)));
    }
  }

  /** Flushes, then refuses further sends; a transaction still open is aborted. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#txn?.active?.abort();
  }

  #wire(m: Message): WireRecord {
    const w: WireRecord = { value: encodeValue(m.value, this.#opts.format) };
    if (m.key instanceof Uint8Array) w.key_b64 = toBase64(m.key);
    else if (m.key !== undefined) w.key = m.key;
    if (m.headers) w.headers = m.headers;
    const trace = this.#opts.traceparent();
    if (trace && parseTraceparent(trace) && w.headers?.[TRACEPARENT] === undefined)
      w.headers = { ...w.headers, [TRACEPARENT]: trace };
    if (m.timestamp !== undefined) w.timestamp = m.timestamp;
    return w;
  }

  #partitionFor(topic: string, m: Message, partitions: number): number {
    if (m.partition !== undefined) {
      if (!Number.isInteger(m.partition) || m.partition < 0 || m.partition >= partitions) {
        throw new EdgelogError(
          "UNKNOWN_TOPIC_OR_PARTITION",
          `topic ${topic} has partitions 0..${partitions - 1}; there is no partition ${m.partition}`,
        );
      }
      return m.partition;
    }
    if (m.key !== undefined && m.key !== null) {
      return partitionForKey(typeof m.key === "string" ? utf8Encoder.encode(m.key) : m.key, partitions);
    }
    // Kafka's sticky partitioner: null keys fill one partition's batch, then move on.
    let p = this.#sticky.get(topic);
    if (p === undefined || p >= partitions) {
      p = Math.floor(Math.random() * partitions);
      this.#sticky.set(topic, p);
    }
    return p;
  }

  #enqueue(rec: Pending, partition: number): void {
    const k = tpKey(rec.topic, partition);
    let q = this.#queues.get(k);
    if (!q) this.#queues.set(k, (q = { topic: rec.topic, partition, records: [], bytes: 0 }));
    q.records.push(rec);
    q.bytes += rec.size;
    this.#buffered += rec.size;
    if (q.draining) return; // the running drain takes it next
    if (q.bytes >= this.#opts.batchBytes || q.records.length >= MAX_RECORDS_PER_REQUEST) void this.#drain(q);
    else q.timer ??= setTimeout(() => void this.#drain(q), this.#opts.lingerMs);
  }

  /** Sends the queue's records, one request at a time, until it is empty. */
  #drain(q: Queue): Promise<void> {
    if (q.draining) return q.draining;
    clearTimeout(q.timer);
    q.timer = undefined;
    if (this.#sticky.get(q.topic) === q.partition) this.#sticky.delete(q.topic);
    q.draining = (async () => {
      while (q.records.length > 0) {
        const batch = this.#takeBatch(q);
        try {
          await this.#sendBatch(q, batch);
        } finally {
          const freed = batch.reduce((n, r) => n + r.size, 0);
          this.#buffered -= freed;
          for (const w of this.#spaceWaiters.splice(0)) w();
        }
      }
    })().finally(() => {
      q.draining = undefined;
    });
    return q.draining;
  }

  #takeBatch(q: Queue): Pending[] {
    let bytes = 0;
    let n = 0;
    while (
      n < q.records.length &&
      n < MAX_RECORDS_PER_REQUEST &&
      (n === 0 || bytes + q.records[n]!.size <= this.#opts.batchBytes)
    ) {
      bytes += q.records[n]!.size;
      n++;
    }
    q.bytes -= bytes;
    return q.records.splice(0, n);
  }

  async #sendBatch(q: Queue, batch: Pending[]): Promise<void> {
    const path = `/v1/topics/${enc(q.topic)}/partitions/${q.partition}/records`;
    const started = Date.now();
    const seqKey = tpKey(q.topic, q.partition);
    try {
      const txn = this.#txn;
      if (txn) await txn.beforeSend(q.topic, q.partition);
      const pid = txn ? txn.identity() : this.#opts.idempotent ? await this.#producerId() : undefined;
      const body: Record<string, unknown> = {
        records: batch.map((r) => r.wire),
        format: this.#opts.format,
        acks: this.#opts.acks,
      };
      if (pid) body.producer = { id: pid.id, epoch: pid.epoch, sequence: pid.sequences.get(seqKey) ?? 0 };
      if (pid && txn) (body.producer as Record<string, unknown>).transactional_id = txn.transactionalId;
      const attempt = () => this.#http.request<ProduceReply>("POST", path, body);
      const reply = await this.#retrying(attempt, pid !== undefined, q, batch.length);
      if (pid) pid.sequences.set(seqKey, (pid.sequences.get(seqKey) ?? 0) + batch.length);
      batch.forEach((r, i) => {
        const out = reply.records[i]!;
        r.resolve({ topic: q.topic, partition: q.partition, offset: out.offset!, timestamp: out.timestamp ?? -1 });
      });
      this.#events.emit("producer.request", () => ({
        topic: q.topic,
        partition: q.partition,
        records: batch.length,
        durationMs: Date.now() - started,
      }));
    } catch (e) {
      // A failed write dooms the transaction: it can only be aborted (its sequences are in doubt too).
      if (this.#txn) this.#txn.fail(e);
      else if (this.#opts.idempotent && ambiguous(e)) {
        // The outcome is unknown: a later batch under the same sequence could be taken for this
        // one's duplicate, so continue under a fresh producer id (as Kafka resets its producer id).
        this.#pid = undefined;
      }
      for (const r of batch) r.reject(e);
      this.#events.emit("producer.error", () => ({
        topic: q.topic,
        partition: q.partition,
        records: batch.length,
        error: e,
      }));
    }
  }

  #retrying<T>(attempt: () => Promise<T>, idempotent: boolean, q: Queue, records: number): Promise<T> {
    const started = Date.now();
    return this.#http.withRetry(attempt, {
      retry: { ...this.#opts.retry, maxElapsedMs: this.#opts.deliveryTimeoutMs },
      // Without idempotence only an answered retriable error is safe to repeat: a lost reply may hide a write.
      shouldRetry: idempotent ? undefined : (e) => e.code !== "NETWORK_EXCEPTION",
      onRetry: (error, n, delayMs) =>
        this.#events.emit("producer.retry", () => ({
          topic: q.topic,
          partition: q.partition,
          records,
          attempt: n,
          delayMs,
          error,
          elapsedMs: Date.now() - started,
        })),
    });
  }

  #producerId(): Promise<ProducerId> {
    this.#pid ??= this.#http
      .request<ProducerIdentity>("POST", "/v1/producers", {}, { retry: { maxElapsedMs: this.#opts.deliveryTimeoutMs } })
      .then((r) => ({ id: r.id, epoch: r.epoch, sequences: new Map() }))
      .catch((e) => {
        this.#pid = undefined;
        throw e;
      });
    return this.#pid;
  }
}

function encodeValue(value: unknown, format: ValueFormat): unknown {
  if (value === undefined || value === null) return null;
  if (format === "binary") {
    if (!(value instanceof Uint8Array))
      throw new EdgelogError("INVALID_RECORD", "with format binary, value must be a Uint8Array");
    return toBase64(value);
  }
  if (format === "string" && typeof value !== "string") {
    throw new EdgelogError("INVALID_RECORD", "with format string, value must be a string");
  }
  return value;
}

/** Bytes a record adds to a request, near enough for batching and the buffer bound. */
function approxSize(w: WireRecord): number {
  let n = 32 + (w.key?.length ?? 0) + (w.key_b64?.length ?? 0);
  n += typeof w.value === "string" ? w.value.length + 2 : JSON.stringify(w.value).length;
  if (w.headers) for (const [k, v] of Object.entries(w.headers)) n += k.length + (v?.length ?? 4) + 6;
  return n;
}

/** Whether a failed batch may have been written, or left the producer's sequence in doubt. */
function ambiguous(e: unknown): boolean {
  if (!(e instanceof EdgelogError)) return true;
  return (
    e.retriable ||
    e.code === "OUT_OF_ORDER_SEQUENCE_NUMBER" ||
    e.code === "INVALID_PRODUCER_EPOCH" ||
    e.code === "UNKNOWN_PRODUCER_ID"
  );
}
