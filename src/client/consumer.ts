// Consumer: a run() loop over POST /v1/fetch long-polls, either as a group member (membership by
// the heartbeat API, commits before giving a partition up) or plain, following chosen partitions.

import { parseTraceparent, TRACEPARENT, type TraceParent } from "../protocol/trace-context.js";
import type {
  CommittedOffsetsReply,
  FetchedRecord,
  HeartbeatReply,
  MultiFetchReply,
  OffsetReply,
} from "../protocol/api.js";
import type { IsolationLevel, ValueFormat } from "../protocol/constants.js";
import { fullJitter } from "../protocol/backoff.js";
import { EdgelogError } from "../protocol/errors.js";
import { fromTpKey, tpKey as key } from "../protocol/topic-partition.js";
import type { ClientEvents } from "./events.js";
import type { Instrumentation } from "./instrumentation.js";
import type { TopicMetadata } from "./metadata.js";
import { errorFromBody, sleep, type Transport } from "./transport.js";

export interface ConsumerOptions {
  /** Consumer group id; without one the consumer follows every partition of its topics (plain mode). */
  groupId?: string;
  /** Start from the log start when no offset is committed (else from the end). Default false. */
  fromBeginning?: boolean;
  /** Commit processed offsets every this many ms (0 turns auto-commit off). Default 5000. */
  autoCommitIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** How long a revoked partition may take to be committed and released before the group fences this member (default 300000). */
  rebalanceTimeoutMs?: number;
  assignor?: "range" | "roundrobin" | "sticky";
  /** Static membership id. */
  instanceId?: string;
  /** This consumer's name in the group's description (Kafka's client.id), sent when it joins; at most 255 characters. */
  clientId?: string;
  format?: ValueFormat;
  /** "registry": values framed for the schema registry arrive decoded to JSON (value_schema_id names the schema). */
  decode?: "registry";
  /** Geo-replicated topics: which copy serves fetches ("nearest" by default, "leader", or a region). */
  replica?: string;
  /**
   * Kafka's isolation.level. read_committed (the default, as librdkafka's and kafkajs's) reads up to
   * the last stable offset and never returns records of aborted transactions; read_uncommitted
   * reads everything up to the high watermark.
   */
  isolationLevel?: IsolationLevel;
  /** Long-poll time of one fetch. Default 1000 ms. */
  maxWaitMs?: number;
  maxBytes?: number;
  maxRecords?: number;
}

export interface ConsumedMessage extends FetchedRecord {
  topic: string;
  partition: number;
  /** The W3C trace context the producer attached (its `traceparent` header), when valid. */
  traceparent?: TraceParent;
}

export interface Batch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  highWatermark: number;
}

export interface RunOptions {
  eachBatch?: (batch: Batch) => Promise<void> | void;
  eachMessage?: (message: ConsumedMessage) => Promise<void> | void;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

interface Position {
  topic: string;
  partition: number;
  /** Next offset to fetch and hand to the application. */
  offset: number;
  /** Last offset committed (or learnt as committed), to skip redundant commits. */
  committed: number;
}

const enc = encodeURIComponent;

/** Backoff before fetching again after a partition's retriable error. */
const PARTITION_RETRY = { initialMs: 100, maxMs: 5_000 };

export class Consumer {
  readonly #http: Transport;
  readonly #events: Instrumentation<ClientEvents>;
  readonly #meta: TopicMetadata;
  readonly #opts: ConsumerOptions;
  readonly #topics = new Set<string>();
  /** Partitions this consumer owns (group) or follows (plain), by key. */
  readonly #positions = new Map<string, Position>();
  readonly #paused = new Set<string>();
  #memberId: string | null = null;
  #memberEpoch = 0;
  #heartbeatMs = 3_000;
  /** The coordinator's latest assignment for this member. */
  #target = new Set<string>();
  #running = false;
  #stopping = false;
  /** Fetch rounds in a row with a partition's retriable error: the backoff's attempt number. */
  #faults = 0;
  #loop?: Promise<void>;
  #abort = new AbortController();
  #lastCommit = Date.now();
  #heartbeatTimer?: ReturnType<typeof setTimeout>;
  #heartbeatNow?: () => void;
  #error?: unknown;

  constructor(http: Transport, events: Instrumentation<ClientEvents>, meta: TopicMetadata, opts: ConsumerOptions = {}) {
    this.#http = http;
    this.#events = events;
    this.#meta = meta;
    this.#opts = opts;
    if (opts.sessionTimeoutMs !== undefined && opts.sessionTimeoutMs < 1000) {
      throw new EdgelogError("INVALID_SESSION_TIMEOUT", "sessionTimeoutMs must be at least 1000 ms");
    }
  }

  /** Topics to consume: all their partitions (plain mode) or the group's share of them. */
  subscribe(topics: string | string[]): void {
    if (this.#running) throw new EdgelogError("INVALID_REQUEST", "subscribe before run()");
    for (const t of Array.isArray(topics) ? topics : [topics]) this.#topics.add(t);
  }

  /** Plain mode only: follow exactly these partitions, from these offsets (else by fromBeginning). */
  assign(partitions: { topic: string; partition: number; offset?: number }[]): void {
    if (this.#opts.groupId) throw new EdgelogError("INVALID_REQUEST", "assign() is for consumers without a groupId");
    this.#assigned = partitions;
  }
  #assigned?: { topic: string; partition: number; offset?: number }[];

  /** Java's groupMetadata(): what fences offsets committed through a transaction (transaction.sendOffsets). */
  groupMetadata(): { groupId: string; memberId: string | null; memberEpoch: number } {
    if (!this.#opts.groupId)
      throw new EdgelogError("INVALID_REQUEST", "groupMetadata() is for consumers with a groupId");
    return { groupId: this.#opts.groupId, memberId: this.#memberId, memberEpoch: this.#memberEpoch };
  }

  get #isolation(): IsolationLevel {
    return this.#opts.isolationLevel ?? "read_committed";
  }

  /** The partitions held right now. */
  assignment(): { topic: string; partition: number }[] {
    return [...this.#positions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /** The next offset to be handed over, per held partition. */
  positions(): TopicPartitionOffset[] {
    return [...this.#positions.values()].map(({ topic, partition, offset }) => ({ topic, partition, offset }));
  }

  /** Continue from `offset` on a held partition. */
  seek(topic: string, partition: number, offset: number): void {
    const p = this.#positions.get(key(topic, partition));
    if (!p) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `not consuming ${topic}/${partition}`);
    p.offset = offset;
  }

  pause(parts: { topic: string; partition: number }[]): void {
    for (const p of parts) this.#paused.add(key(p.topic, p.partition));
  }

  resume(parts: { topic: string; partition: number }[]): void {
    for (const p of parts) this.#paused.delete(key(p.topic, p.partition));
  }

  /**
   * Starts the loop and resolves once the consumer holds its first assignment (plain mode: at
   * once). Handlers run one batch at a time; a throwing handler stops the loop (see stop()).
   */
  async run(handlers: RunOptions): Promise<void> {
    if (this.#running) throw new EdgelogError("INVALID_REQUEST", "run() was already called");
    if (!handlers.eachBatch && !handlers.eachMessage)
      throw new EdgelogError("INVALID_REQUEST", "run() needs eachBatch or eachMessage");
    if (this.#topics.size === 0 && !this.#assigned)
      throw new EdgelogError("INVALID_REQUEST", "subscribe() to a topic first");
    this.#running = true;
    if (this.#opts.groupId) await this.#heartbeat();
    else await this.#followPlain();
    this.#loop = this.#fetchLoop(handlers).catch((e) => {
      this.#error = e;
      this.#events.emit("consumer.error", () => ({ error: e }));
    });
    if (this.#opts.groupId) this.#scheduleHeartbeat();
  }

  /** Resolves when the loop ends; rejects with the error that ended it. */
  async done(): Promise<void> {
    await this.#loop;
    if (this.#error) throw this.#error;
  }

  /** Commits what was processed (all held partitions, or the given offsets). */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    const list = offsets ?? [...this.#positions.values()].filter((p) => p.offset !== p.committed);
    if (list.length === 0 || !this.#opts.groupId) return;
    const body = {
      member_id: this.#memberId,
      member_epoch: this.#memberEpoch,
      offsets: list.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    };
    await this.#http.request("POST", `/v1/groups/${enc(this.#opts.groupId)}/offsets`, body, { retry: true });
    for (const o of list) {
      const p = this.#positions.get(key(o.topic, o.partition));
      if (p) p.committed = o.offset;
    }
    this.#lastCommit = Date.now();
    this.#events.emit("consumer.commit", () => ({ group: this.#opts.groupId!, offsets: body.offsets }));
  }

  /** Stops fetching, commits, leaves the group. Partitions are handed over without loss. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#stopping = true;
    this.#abort.abort(new EdgelogError("REQUEST_TIMED_OUT", "consumer stopped"));
    clearTimeout(this.#heartbeatTimer);
    await this.#loop;
    this.#running = false;
    if (!this.#opts.groupId) return;
    try {
      if (this.#autoCommit) await this.commit();
    } finally {
      if (this.#memberId) {
        await this.#http
          .request("DELETE", `/v1/groups/${enc(this.#opts.groupId)}/members/${enc(this.#memberId)}`)
          .catch(() => undefined);
      }
      this.#positions.clear();
      this.#memberId = null;
      this.#memberEpoch = 0;
    }
  }

  get #autoCommit(): boolean {
    return (this.#opts.autoCommitIntervalMs ?? 5_000) > 0;
  }

  async #followPlain(): Promise<void> {
    const wanted =
      this.#assigned ??
      (
        await Promise.all(
          [...this.#topics].map(async (topic) => {
            const n = await this.#meta.partitions(topic);
            return Array.from({ length: n }, (_, partition) => ({
              topic,
              partition,
              offset: undefined as number | undefined,
            }));
          }),
        )
      ).flat();
    for (const w of wanted) {
      const offset = w.offset ?? (await this.#startOffset(w.topic, w.partition));
      this.#positions.set(key(w.topic, w.partition), {
        topic: w.topic,
        partition: w.partition,
        offset,
        committed: offset,
      });
    }
  }

  async #startOffset(topic: string, partition: number): Promise<number> {
    const at = this.#opts.fromBeginning ? "earliest" : "latest";
    const r = await this.#http.request<OffsetReply>(
      "GET",
      `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}&isolation=${this.#isolation}`,
      undefined,
      { retry: true },
    );
    return r.offset;
  }

  async #fetchLoop(handlers: RunOptions): Promise<void> {
    while (!this.#stopping) {
      if (this.#opts.groupId) await this.#reconcile();
      if (
        this.#autoCommit &&
        this.#opts.groupId &&
        Date.now() - this.#lastCommit >= (this.#opts.autoCommitIntervalMs ?? 5_000)
      ) {
        await this.commit();
      }
      const active = [...this.#positions.values()].filter((p) => !this.#paused.has(key(p.topic, p.partition)));
      if (active.length === 0) {
        await this.#idle();
        continue;
      }
      const started = Date.now();
      const fetchedFrom = new Map(active.map((p) => [key(p.topic, p.partition), p.offset]));
      let reply: MultiFetchReply;
      try {
        reply = await this.#http.request<MultiFetchReply>(
          "POST",
          "/v1/fetch",
          {
            partitions: active.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
            wait_ms: this.#opts.maxWaitMs ?? 1_000,
            format: this.#opts.format ?? "json",
            isolation: this.#isolation,
            ...(this.#opts.decode ? { decode: this.#opts.decode } : {}),
            ...(this.#opts.maxBytes ? { max_bytes: this.#opts.maxBytes } : {}),
            ...(this.#opts.maxRecords ? { max_records: this.#opts.maxRecords } : {}),
            ...(this.#opts.replica ? { replica: this.#opts.replica } : {}),
          },
          { retry: true, signal: this.#abort.signal },
        );
      } catch (e) {
        if (this.#stopping) return;
        throw e;
      }
      let count = 0;
      let faulted: EdgelogError | undefined;
      for (const part of reply.partitions) {
        const k = key(part.topic, part.partition);
        const p = this.#positions.get(k);
        const asked = fetchedFrom.get(k);
        // Revoked, paused or seeked while the fetch was out: these records are not to be handed over.
        if (!p || asked === undefined || p.offset !== asked || this.#paused.has(k) || this.#stopping) continue;
        if (part.error) {
          if (part.error.code === "OFFSET_OUT_OF_RANGE") {
            p.offset = this.#opts.fromBeginning ? (part.log_start_offset ?? 0) : (part.high_watermark ?? p.offset);
            continue;
          }
          const error = errorFromBody(part.error);
          // One partition's transient fault (its object overloaded or restarting) is retried at the
          // same position, as Kafka's consumers do; only a lasting error ends the loop.
          if (!error.retriable) throw error;
          faulted = error;
          continue;
        }
        const records = part.records ?? [];
        if (records.length === 0) {
          // Batches compaction emptied still move the position on.
          if (part.next_offset !== undefined && part.next_offset > p.offset) p.offset = part.next_offset;
          continue;
        }
        const messages = records.map((r) => withTrace({ ...r, topic: part.topic, partition: part.partition }));
        if (handlers.eachBatch) {
          await handlers.eachBatch({
            topic: part.topic,
            partition: part.partition,
            messages,
            highWatermark: part.high_watermark ?? -1,
          });
          count += messages.length;
          // A seek inside the handler wins over the fetched position.
          if (p.offset === asked) p.offset = part.next_offset ?? records.at(-1)!.offset + 1;
        } else {
          let whole = true;
          for (const m of messages) {
            const before = p.offset;
            await handlers.eachMessage!(m);
            count++;
            // A seek inside the handler makes the rest of this batch stale.
            if (p.offset !== before) {
              whole = false;
              break;
            }
            p.offset = m.offset + 1;
            if (this.#stopping || this.#paused.has(k)) {
              whole = false;
              break;
            }
          }
          if (whole && part.next_offset !== undefined) p.offset = Math.max(p.offset, part.next_offset);
        }
      }
      this.#events.emit("consumer.fetch", () => ({
        partitions: active.length,
        records: count,
        durationMs: Date.now() - started,
      }));
      if (faulted) {
        this.#events.emit("consumer.error", () => ({ error: faulted }));
        await sleep(fullJitter(this.#faults++, PARTITION_RETRY), this.#abort.signal).catch(() => undefined);
      } else {
        this.#faults = 0;
      }
    }
  }

  /** Nothing to fetch: wait for the next heartbeat (group) or a short while (all paused). */
  async #idle(): Promise<void> {
    if (this.#opts.groupId) {
      await new Promise<void>((r) => {
        this.#heartbeatNow = r;
        setTimeout(r, Math.min(this.#heartbeatMs, 1_000));
      });
    } else {
      await sleep(100, this.#abort.signal).catch(() => undefined);
    }
  }

  /** Applies the coordinator's assignment: revoked partitions are committed, then released. */
  async #reconcile(): Promise<void> {
    const revoked = [...this.#positions.keys()].filter((k) => !this.#target.has(k));
    const added = [...this.#target].filter((k) => !this.#positions.has(k));
    if (revoked.length === 0 && added.length === 0) return;
    if (revoked.length > 0) {
      const offsets = revoked.map((k) => this.#positions.get(k)!).filter((p) => p.offset !== p.committed);
      if (this.#autoCommit && offsets.length > 0) await this.commit(offsets);
      for (const k of revoked) this.#positions.delete(k);
    }
    if (added.length > 0) {
      // read_committed also waits out offsets a transaction has yet to commit (Kafka's RequireStable,
      // KIP-447): the answer is UNSTABLE_OFFSET_COMMIT, retried, until that transaction ends.
      const stable = this.#isolation === "read_committed" ? "?require_stable=true" : "";
      const committed = await this.#http.request<CommittedOffsetsReply>(
        "GET",
        `/v1/groups/${enc(this.#opts.groupId!)}/offsets${stable}`,
        undefined,
        { retry: { maxElapsedMs: 120_000 } },
      );
      // Resolve every new position before taking any: a reader of positions() between two of
      // these awaits would see a partial assignment (the CLI's end-of-log check finished early).
      const taken: [string, Position][] = [];
      for (const k of added) {
        const { topic, partition } = fromTpKey(k);
        const c = committed.offsets.find((o) => o.topic === topic && o.partition === partition);
        const offset = c ? c.offset : await this.#startOffset(topic, partition);
        taken.push([k, { topic, partition, offset, committed: c ? c.offset : -1 }]);
      }
      for (const [k, position] of taken) this.#positions.set(k, position);
    }
    this.#events.emit("consumer.assign", () => ({
      group: this.#opts.groupId!,
      assigned: added.map(fromTpKey),
      revoked: revoked.map(fromTpKey),
    }));
    // Tell the coordinator at once what was released, so the next owner need not wait a heartbeat.
    if (revoked.length > 0) await this.#heartbeat();
  }

  #scheduleHeartbeat(): void {
    if (this.#stopping) return;
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeat().then(
        () => this.#scheduleHeartbeat(),
        (e) => {
          this.#events.emit("consumer.error", () => ({ error: e }));
          this.#scheduleHeartbeat();
        },
      );
    }, this.#heartbeatMs);
  }

  #beating?: Promise<void>;

  #heartbeat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  async #beat(): Promise<void> {
    const group = this.#opts.groupId!;
    const owned = new Map<string, number[]>();
    for (const p of this.#positions.values())
      (owned.get(p.topic) ?? owned.set(p.topic, []).get(p.topic)!).push(p.partition);
    const body: Record<string, unknown> = {
      member_id: this.#memberId,
      member_epoch: this.#memberEpoch,
      topics: [...this.#topics],
      owned: [...owned].map(([topic, partitions]) => ({ topic, partitions })),
    };
    if (this.#opts.instanceId) body.instance_id = this.#opts.instanceId;
    // The coordinator keeps it for the membership: sent when joining only.
    if (this.#opts.clientId !== undefined && this.#memberEpoch === 0) body.client_id = this.#opts.clientId;
    if (this.#opts.sessionTimeoutMs) body.session_timeout_ms = this.#opts.sessionTimeoutMs;
    if (this.#opts.rebalanceTimeoutMs) body.rebalance_timeout_ms = this.#opts.rebalanceTimeoutMs;
    if (this.#opts.assignor) body.assignor = this.#opts.assignor;
    let reply: HeartbeatReply;
    try {
      reply = await this.#http.request("POST", `/v1/groups/${enc(group)}/heartbeat`, body, { retry: true });
    } catch (e) {
      if (e instanceof EdgelogError && (e.code === "UNKNOWN_MEMBER_ID" || e.code === "FENCED_MEMBER_EPOCH")) {
        // Fenced: what we held may already be someone else's. Drop it uncommitted and rejoin.
        this.#positions.clear();
        this.#memberId = null;
        this.#memberEpoch = 0;
        return this.#beat();
      }
      throw e;
    }
    this.#memberId = reply.member_id;
    this.#memberEpoch = reply.member_epoch;
    this.#heartbeatMs = reply.heartbeat_interval_ms;
    this.#target = new Set(reply.assignment.flatMap((a) => a.partitions.map((p) => key(a.topic, p))));
    this.#events.emit("consumer.heartbeat", () => ({
      group,
      memberId: reply.member_id,
      memberEpoch: reply.member_epoch,
      assignment: reply.assignment,
    }));
    this.#heartbeatNow?.();
  }
}

/** Exposes a record's traceparent header, parsed, so a consumer can continue the producer's trace. */
function withTrace(m: ConsumedMessage): ConsumedMessage {
  const header = m.headers?.[TRACEPARENT];
  const trace = typeof header === "string" ? parseTraceparent(header) : null;
  return trace ? { ...m, traceparent: trace } : m;
}
