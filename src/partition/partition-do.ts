// PartitionDO: one topic partition. A thin adapter from RPC to the log engine plus long-poll.

import { DurableObject } from "cloudflare:workers";
import { type Env } from "../env.js";
import { readSettings, type Settings } from "../settings.js";
import { EdgelogError, type Result } from "../protocol/errors.js";
import { rpc } from "../contracts/rpc.js";
import type { TopicRef } from "../protocol/topic.js";
import { PartitionLog } from "../log/partition-log.js";
import { Waiters } from "./waiters.js";
import { offsetForTimeTiered, readTiered } from "../archive/read.js";
import { deleteRecordsBefore } from "../archive/retention.js";
import { unsealedBytes } from "../archive/roll.js";
import { partitionPrefix, type SegmentStore } from "../archive/store.js";
import { AlarmScheduler, nextAlarm } from "./alarm.js";
import { backgroundSlice } from "./background.js";

import { LiveTail, parseLiveRequest } from "./live.js";
import { errorResponse } from "../protocol/error-reply.js";
import { HEADER_REPLICA_MISS, HEADER_TOPIC_REF, LIVE_CLOSE } from "../protocol/constants.js";
import type { Replicator } from "../replication/replicator.js";
import { partitionKv, type PartitionKv } from "./keys.js";
import { ReplicationHost } from "./replication-host.js";
import { StreamHost } from "./stream-host.js";
import { appendWithProgress, readProgress } from "./mirror-target.js";
import type {
  AppendedBatch,
  MirrorSlice,
  MirroredAppend,
  OffsetAtTime,
  PartitionRpc,
  ReadResult,
  ReplicaAck,
  ReplicaChunk,
} from "../contracts/partition.js";
import type {
  AppendStreamRequest,
  OffsetParam,
  StreamPosition,
  CreateStreamRequest,
  DeleteOutcome,
  ForkSource,
  StreamRead,
  StreamReply,
} from "../contracts/durable-streams.js";
import type { Acks, OffsetSpec, PartitionInfo, ReadRequest } from "../contracts/partition.js";

/** Concurrent long-polls one partition holds before answering further ones empty at once. */
const MAX_WAITERS = 1000;

export class PartitionDO extends DurableObject<Env> implements PartitionRpc {
  #log?: PartitionLog;
  /** The newest topic ref seen (also kept in storage as "topic"). */
  #topic?: TopicRef;
  #maintaining = false;
  readonly #waiters = new Waiters(MAX_WAITERS);
  readonly #settings: Settings;
  readonly #kv: PartitionKv;
  readonly #alarm = new AlarmScheduler(this.ctx.storage);
  /** Where sealed segments go; replaceable by any SegmentStore (a metrics or fault-injecting wrapper). */
  segmentStore: SegmentStore;
  /** Geo-replication: the leader's replicator, or a follower's view of its leader. */
  replication!: ReplicationHost;
  readonly #streams = new StreamHost({
    storage: this.ctx.storage,
    open: (ref) => this.#open(ref),
    waiters: this.#waiters,
    appended: (log, ref) => this.#scheduleAfterAppend(log, ref),
  });
  readonly #live = new LiveTail(
    () => this.ctx.getWebSockets(),
    (offset, opts) => {
      if (!this.#log) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "topic was deleted");
      return readTiered(this.#log, this.segmentStore, offset, opts);
    },
  );

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#settings = readSettings(env);
    this.#kv = partitionKv(ctx.storage);
    this.segmentStore = env.ARCHIVE;
    // Live subscribers keep their connections alive without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    void ctx.blockConcurrencyWhile(async () => {
      // A dropped partition keeps only its tombstone, so late writers cannot revive it.
      if (this.#kv.get("dropped") !== true) this.#log = PartitionLog.open(ctx.storage);
      this.replication = new ReplicationHost({
        ctx,
        env,
        kv: this.#kv,
        log: () => this.#log,
        topic: () => this.#topic ?? this.#kv.get("topic"),
        onHighWatermark: () => this.#onHighWatermark(),
        wakeAt: (at) => this.#alarm.wakeBy(at),
      });
      await this.#alarm.load();
    });
  }

  async append(ref: TopicRef, batches: Uint8Array, acks: Acks = 1): Promise<Result<AppendedBatch[]>> {
    return rpc(async () => {
      const log = this.#open(ref);
      const replicator = this.replication.leader();
      if (acks === "all") replicator?.checkWritable();
      const out = log.append(batches, {
        timestampType: ref.config["message.timestamp.type"],
        maxMessageBytes: ref.config["max.message.bytes"],
        now: Date.now(),
        holdHighWatermark: replicator !== undefined,
      });
      await this.#afterAppend(log, ref, replicator);
      if (acks === "all" && replicator) await replicator.waitForReplicas(Math.max(...out.map((b) => b.lastOffset + 1)));
      return out;
    });
  }

  /** A mirror's slice, appended with the mirror's progress in one transaction (src/partition/mirror-target.ts). */
  async appendMirrored(ref: TopicRef, batches: Uint8Array, slice: MirrorSlice): Promise<Result<MirroredAppend>> {
    return rpc(async () => {
      const log = this.#open(ref);
      // Mirrored data replicates like any other: the high watermark waits for the in-sync copies.
      const replicator = this.replication.leader();
      const out = appendWithProgress(
        this.#kv,
        log,
        batches,
        {
          timestampType: ref.config["message.timestamp.type"],
          maxMessageBytes: ref.config["max.message.bytes"],
          now: Date.now(),
          holdHighWatermark: replicator !== undefined,
        },
        slice,
      );
      if (out.batches.length > 0) await this.#afterAppend(log, ref, replicator);
      return out;
    });
  }

  /** The next source offset mirror `mirror` will copy into this partition (null: none copied yet). */
  async mirrorProgress(ref: TopicRef, mirror: string): Promise<Result<number | null>> {
    return rpc(async () => {
      this.#open(ref);
      return readProgress(this.#kv, mirror);
    });
  }

  // ---- Geo-replication: the follower's side (src/replication). ----

  /** Applies a chunk the leader shipped (null: the leader asks where this copy ends). */
  async replicate(ref: TopicRef, chunk: ReplicaChunk | null): Promise<Result<ReplicaAck>> {
    return rpc(() => this.replication.apply(this.#open(ref), chunk));
  }

  /** A read served by this follower, or null when the copy cannot serve it (the router asks the leader). */
  async readReplica(ref: TopicRef, req: ReadRequest): Promise<Result<ReadResult | null>> {
    return rpc(async () => {
      const log = this.#open(ref);
      if (!(await this.replication.canServe(log, ref, req.offset))) return null;
      return await this.#read(ref, req);
    });
  }

  /** The topic no longer has a replica in this region: forget the copy (it never owns R2 objects). */
  async dropReplica(): Promise<Result<null>> {
    return rpc(async () => {
      this.#waiters.notifyAll();
      this.#live.closeAll(LIVE_CLOSE.GONE, "replica removed");
      this.#log = undefined;
      this.replication.forget();
      await this.ctx.storage.deleteAll();
      this.#alarm.cleared();
      this.#log = PartitionLog.open(this.ctx.storage);
      return null;
    });
  }

  /** New data became readable: wake long-polls and live subscribers. */
  #onHighWatermark(): void {
    this.#waiters.notifyAll();
    this.#live.onAppend();
  }

  /** What every append is followed by: new data becomes readable (at once, or once replicated), background work is scheduled. */
  async #afterAppend(log: PartitionLog, ref: TopicRef, replicator: Replicator | undefined): Promise<void> {
    if (replicator) replicator.afterAppend();
    else this.#onHighWatermark();
    await this.#scheduleAfterAppend(log, ref);
  }

  async read(ref: TopicRef, req: ReadRequest): Promise<Result<ReadResult>> {
    return rpc(async () => {
      this.#open(ref);
      // A leader whose replicas changed applies that before answering (the ISR decides what is readable).
      this.replication.leader();
      return await this.#read(ref, req);
    });
  }

  /** Reads up to the high watermark, parking at the tail for up to waitMs. */
  async #read(ref: TopicRef, req: ReadRequest): Promise<ReadResult> {
    const opts = { maxBytes: req.maxBytes, maxRecords: req.maxRecords };
    let result = await readTiered(this.#open(ref), this.segmentStore, req.offset, opts);
    if (result.batches.length === 0 && req.waitMs > 0 && req.offset >= result.highWatermark) {
      const woken = await this.#waiters.wait(req.waitMs, req.pollId);
      if (woken) result = await readTiered(this.#open(ref), this.segmentStore, req.offset, opts);
    }
    return result;
  }

  /** Long-polls parked on this partition right now (an operational gauge). */
  get pendingPolls(): number {
    return this.#waiters.size;
  }

  async cancelWait(pollId: string): Promise<Result<null>> {
    return rpc(() => {
      this.#waiters.cancel(pollId);
      return null;
    });
  }

  async offsets(ref: TopicRef, at: OffsetSpec): Promise<Result<OffsetAtTime>> {
    return rpc(async () => {
      const log = this.#open(ref);
      if (at === "earliest") return { offset: log.state.logStartOffset, timestamp: -1 };
      if (at === "latest") return { offset: log.state.highWatermark, timestamp: -1 };
      return await offsetForTimeTiered(log, this.segmentStore, at);
    });
  }

  /**
   * Kafka's DeleteRecords: records below `offset` (-1: the high watermark) become unreadable and
   * their storage is freed. Only for topics whose cleanup.policy includes delete, as Kafka.
   */
  async deleteRecords(ref: TopicRef, offset: number): Promise<Result<{ log_start_offset: number }>> {
    return rpc(async () => {
      const log = this.#open(ref);
      if (!ref.config["cleanup.policy"].includes("delete")) {
        throw new EdgelogError(
          "POLICY_VIOLATION",
          `records of topic ${ref.name} cannot be deleted: its cleanup.policy is ${ref.config["cleanup.policy"]}, not delete`,
        );
      }
      const { logStartOffset, highWatermark } = log.state;
      const target = offset === -1 ? highWatermark : offset;
      if (target < 0 || target > highWatermark) {
        throw new EdgelogError(
          "OFFSET_OUT_OF_RANGE",
          `offset ${offset} is beyond the high watermark ${highWatermark}; records can be deleted up to it`,
          { log_start_offset: logStartOffset, high_watermark: highWatermark },
        );
      }
      return { log_start_offset: await deleteRecordsBefore(log, this.segmentStore, target) };
    });
  }

  async describe(ref: TopicRef): Promise<Result<PartitionInfo>> {
    return rpc(async () => {
      const log = this.#open(ref);
      const replicator = this.replication.leader();
      const s = log.state;
      const totals = log.segments.totals();
      return {
        partition: ref.partition,
        log_start_offset: s.logStartOffset,
        high_watermark: s.highWatermark,
        log_end_offset: s.logEndOffset,
        bytes: s.hotBytes,
        archived_bytes: totals.archivedBytes,
        segments: totals.count,
        ...(replicator && replicator.regions.length > 0
          ? { isr: ["leader", ...replicator.isr], replicas: replicator.status() }
          : {}),
      };
    });
  }

  /** A WebSocket upgrade forwarded by the router: a live subscriber on a hibernatable socket. */
  override async fetch(request: Request): Promise<Response> {
    try {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        throw new EdgelogError("INVALID_REQUEST", "the partition object only accepts WebSocket upgrades");
      }
      const req = parseLiveRequest(request, HEADER_TOPIC_REF);
      const log = this.#open(req.ref as TopicRef);
      // A follower that cannot serve this offset says so, and the router asks the leader.
      if (
        request.headers.has(HEADER_REPLICA_MISS) &&
        !(await this.replication.canServe(log, req.ref as TopicRef, req.offset, false))
      ) {
        return new Response(null, { status: 204, headers: { [HEADER_REPLICA_MISS]: "1" } });
      }
      // Refuses an out-of-range offset before the upgrade; archived offsets are fine.
      await readTiered(log, this.segmentStore, req.offset, { maxBytes: 1, maxRecords: 1 });
      const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
      this.ctx.acceptWebSocket(server);
      this.#live.start(server, LiveTail.subscriber(req.offset, req.format, req.raw));
      return new Response(null, { status: 101, webSocket: client });
    } catch (e) {
      if (e instanceof EdgelogError) return errorResponse(e);
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

  /** The topic's config changed: remember it and let the alarm apply it (retention, segment sizes). */
  async configure(ref: TopicRef): Promise<Result<null>> {
    return rpc(async () => {
      this.#open(ref);
      this.replication.leader();
      await this.#alarm.wakeBy(Date.now());
      return null;
    });
  }

  // ---- Durable Streams: a stream is partition 0 of a `stream.<name>` topic (partition/stream-host.ts). ----

  async streamCreate(ref: TopicRef, req: CreateStreamRequest): Promise<Result<StreamReply>> {
    return rpc(() => this.#streams.create(ref, req));
  }

  async streamAppend(ref: TopicRef, req: AppendStreamRequest): Promise<Result<StreamReply>> {
    return rpc(() => this.#streams.append(ref, req));
  }

  async streamHead(ref: TopicRef): Promise<Result<StreamReply>> {
    return rpc(() => this.#streams.head(ref));
  }

  async streamRead(ref: TopicRef, from: OffsetParam, waitMs: number): Promise<Result<StreamRead>> {
    return rpc(() => this.#streams.read(ref, from, waitMs));
  }

  async streamDelete(ref: TopicRef): Promise<Result<DeleteOutcome>> {
    return rpc(() => this.#streams.delete(ref));
  }

  async streamReap(ref: TopicRef): Promise<Result<DeleteOutcome>> {
    return rpc(() => this.#streams.reap(ref));
  }

  async streamForkSource(ref: TopicRef, offset: StreamPosition | null, subOffset: number): Promise<Result<ForkSource>> {
    return rpc(() => this.#streams.forkSource(ref, offset, subOffset));
  }

  async streamAddFork(ref: TopicRef): Promise<Result<null>> {
    return rpc(() => this.#streams.addFork(ref));
  }

  async streamReleaseFork(ref: TopicRef): Promise<Result<DeleteOutcome>> {
    return rpc(() => this.#streams.releaseFork(ref));
  }

  /**
   * The topic was deleted: make the partition unreachable at once and free SQLite; its R2
   * objects are removed by the alarm (deleteAll also cleared any alarm, so it is set again).
   */
  async drop(): Promise<Result<null>> {
    return rpc(async () => {
      const ref = this.#kv.get("topic");
      if (ref) this.replication.dropAll(ref);
      this.#log = undefined;
      this.#waiters.notifyAll();
      this.#live.closeAll(LIVE_CLOSE.GONE, "topic deleted");
      await this.ctx.storage.deleteAll();
      this.#kv.put("dropped", true);
      this.#alarm.cleared();
      if (ref) {
        this.#kv.put("r2_cleanup", partitionPrefix(ref.id, ref.partition));
        await this.#alarm.wakeBy(Date.now());
      }
      return null;
    });
  }

  /** True while alarm() is doing background work (an operational gauge, like pendingPolls). */
  get maintaining(): boolean {
    return this.#maintaining;
  }

  override async alarm(): Promise<void> {
    this.#maintaining = true;
    try {
      await this.#background();
    } finally {
      this.#maintaining = false;
    }
  }

  async #background(): Promise<void> {
    this.#alarm.cleared();
    let next: number | null;
    try {
      next = await backgroundSlice(
        {
          kv: this.#kv,
          log: () => this.#log,
          segments: this.segmentStore,
          sql: this.ctx.storage.sql,
          replication: this.replication,
          producerIdExpirationMs: this.#settings.producerIdExpirationMs,
        },
        Date.now(),
      );
    } catch (e) {
      // Retried from the top: every step is safe to redo (see archive/roll.ts and retention.ts).
      const ref = this.#kv.get("topic");
      console.error(`partition ${ref?.name}/${ref?.partition}: background work failed, retrying`, e);
      next = nextAlarm({ after: "failure" }, Date.now());
    }
    await this.#alarm.wakeBy(next);
  }

  /** Background work an append makes due: a roll, the time deadlines, the producers' sweep. */
  async #scheduleAfterAppend(log: PartitionLog, ref: TopicRef): Promise<void> {
    const { hotBytes } = log.state;
    const unsealed = hotBytes >= ref.config["segment.bytes"] ? unsealedBytes(log) : 0;
    const state = { alarmAt: this.#alarm.at, hotBytes, unsealedBytes: unsealed, hasProducers: log.hasProducers };
    await this.#alarm.wakeBy(nextAlarm({ after: "append", config: ref.config, ...state }, Date.now()));
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
    if (this.#topic !== undefined && ref.version <= this.#topic.version) return;
    const kv = this.#kv;
    const stored = kv.get("topic");
    if (!stored || ref.version > stored.version) kv.put("topic", ref);
    this.#topic = !stored || ref.version > stored.version ? ref : stored;
  }
}
