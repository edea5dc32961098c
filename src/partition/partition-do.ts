// PartitionDO: one topic partition. A thin adapter from RPC to the log engine plus long-poll.

import { DurableObject } from "cloudflare:workers";
import { readSettings, type Env, type Settings } from "../env.js";
import { EdgelogError, fail, ok, type Result } from "../protocol/errors.js";
import type { TopicRef } from "../protocol/topic.js";
import { PartitionLog, type AppendedBatch, type OffsetAtTime, type ReadResult } from "../log/partition-log.js";
import { Waiters } from "./waiters.js";
import { errorReply, LiveTail, parseLiveRequest } from "./live.js";
import { HEADER_TOPIC_REF, LIVE_CLOSE } from "../protocol/constants.js";

/** Concurrent long-polls one partition holds before answering further ones empty at once. */
const MAX_WAITERS = 1000;
/** How often idle producers' state is swept while any is kept. */
const PRODUCER_SWEEP_MS = 3_600_000;

export interface ReadRequest {
  offset: number;
  maxBytes: number;
  maxRecords: number;
  /** Long-poll up to this long when `offset` is at the end of the log. */
  waitMs: number;
  /** Names the wait so cancelWait() can end it (multi-partition fetches). */
  pollId?: string;
}

export interface PartitionInfo {
  partition: number;
  log_start_offset: number;
  high_watermark: number;
  bytes: number;
  archived_bytes: number;
}

export type OffsetSpec = "earliest" | "latest" | number;

export class PartitionDO extends DurableObject<Env> {
  #log?: PartitionLog;
  #topicVersion?: number;
  #sweepArmed = false;
  readonly #waiters = new Waiters(MAX_WAITERS);
  readonly #settings: Settings;
  readonly #live = new LiveTail(() => this.ctx.getWebSockets(), (offset, opts) => {
    if (!this.#log) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "topic was deleted");
    return this.#log.read(offset, opts);
  });

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#settings = readSettings(env);
    void ctx.blockConcurrencyWhile(async () => {
      // A dropped partition keeps only its tombstone, so late writers cannot revive it.
      if (ctx.storage.kv.get("dropped") !== true) this.#log = PartitionLog.open(ctx.storage);
    });
  }

  async append(ref: TopicRef, batches: Uint8Array): Promise<Result<AppendedBatch[]>> {
    try {
      const log = this.#open(ref);
      const out = log.append(batches, {
        timestampType: ref.config["message.timestamp.type"],
        maxMessageBytes: ref.config["max.message.bytes"],
        now: Date.now(),
      });
      this.#waiters.notifyAll();
      this.#live.onAppend();
      if (!this.#sweepArmed && log.producerCount > 0) await this.#armSweep();
      return ok(out);
    } catch (e) {
      return fail(e);
    }
  }

  async read(ref: TopicRef, req: ReadRequest): Promise<Result<ReadResult>> {
    try {
      const log = this.#open(ref);
      const opts = { maxBytes: req.maxBytes, maxRecords: req.maxRecords };
      let result = log.read(req.offset, opts);
      if (result.batches.length === 0 && req.waitMs > 0 && req.offset === result.highWatermark) {
        const woken = await this.#waiters.wait(req.waitMs, req.pollId);
        if (woken) result = this.#open(ref).read(req.offset, opts);
      }
      return ok(result);
    } catch (e) {
      return fail(e);
    }
  }

  /** Long-polls parked on this partition right now (an operational gauge). */
  get pendingPolls(): number {
    return this.#waiters.size;
  }

  async cancelWait(pollId: string): Promise<void> {
    this.#waiters.cancel(pollId);
  }

  async offsets(ref: TopicRef, at: OffsetSpec): Promise<Result<OffsetAtTime>> {
    try {
      const log = this.#open(ref);
      if (at === "earliest") return ok({ offset: log.state.logStartOffset, timestamp: -1 });
      if (at === "latest") return ok({ offset: log.state.highWatermark, timestamp: -1 });
      return ok(log.offsetForTime(at));
    } catch (e) {
      return fail(e);
    }
  }

  async describe(ref: TopicRef): Promise<Result<PartitionInfo>> {
    try {
      const s = this.#open(ref).state;
      return ok({
        partition: ref.partition,
        log_start_offset: s.logStartOffset,
        high_watermark: s.highWatermark,
        bytes: s.hotBytes,
        archived_bytes: 0,
      });
    } catch (e) {
      return fail(e);
    }
  }

  /** A WebSocket upgrade forwarded by the router: a live subscriber on a hibernatable socket. */
  override async fetch(request: Request): Promise<Response> {
    try {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        throw new EdgelogError("INVALID_REQUEST", "the partition object only accepts WebSocket upgrades");
      }
      const req = parseLiveRequest(request, HEADER_TOPIC_REF);
      this.#open(req.ref as TopicRef).read(req.offset, { maxBytes: 1, maxRecords: 1 }); // refuses an out-of-range offset
      const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
      this.ctx.acceptWebSocket(server);
      this.#live.start(server, LiveTail.subscriber(req.offset, req.format, req.raw));
      return new Response(null, { status: 101, webSocket: client });
    } catch (e) {
      if (e instanceof EdgelogError) return errorReply(e);
      throw e;
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#live.onMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 carry no code to echo.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      /* already closed */
    }
  }

  override async alarm(): Promise<void> {
    const log = this.#log;
    if (!log) return;
    log.expireProducers(Date.now(), this.#settings.producerIdExpirationMs);
    this.#sweepArmed = false;
    if (log.producerCount > 0) await this.#armSweep();
  }

  /** Schedules the idle-producer sweep unless an earlier alarm is already due. */
  async #armSweep(): Promise<void> {
    this.#sweepArmed = true;
    const at = Date.now() + PRODUCER_SWEEP_MS;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** The topic was deleted: make the partition unreachable at once, then free its storage. */
  async drop(): Promise<void> {
    this.#log = undefined;
    this.#waiters.notifyAll();
    this.#live.closeAll(LIVE_CLOSE.GONE, "topic deleted");
    await this.ctx.storage.deleteAll();
    this.ctx.storage.kv.put("dropped", true);
  }

  #open(ref: TopicRef): PartitionLog {
    if (!this.#log) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${ref.name} was deleted`);
    }
    this.#remember(ref);
    return this.#log;
  }

  /** Keeps the newest topic config seen, for background work (alarm) that has no caller to ask. */
  #remember(ref: TopicRef): void {
    if (this.#topicVersion !== undefined && ref.version <= this.#topicVersion) return;
    const kv = this.ctx.storage.kv;
    const stored = kv.get<TopicRef>("topic");
    if (!stored || ref.version > stored.version) kv.put("topic", ref);
    this.#topicVersion = Math.max(ref.version, stored?.version ?? -1);
  }
}
