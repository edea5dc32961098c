// PartitionDO: one topic partition. A thin adapter from its RPC contract (contracts/partition.ts)
// to the hosts that do the work: the log (log-host.ts), transactions (transactions-host.ts),
// geo-replication (replication-host.ts), Durable Streams (stream-host.ts), live WebSocket
// subscribers (live.ts) and the alarm's background work (background.ts, alarm.ts).

import { DurableObject } from "cloudflare:workers";
import { RangeCache } from "../archive/range-cache.js";
import { cachingStore, type SegmentStore } from "../archive/store.js";
import type * as DS from "../contracts/durable-streams.js";
import type * as P from "../contracts/partition.js";
import { rpc } from "../contracts/rpc.js";
import type { TxnMarker } from "../contracts/transactions.js";
import { txnCoordinatorObject } from "../objects.js";
import type { PartitionTransactions } from "../protocol/api.js";
import type { IsolationLevel } from "../protocol/constants.js";
import type { Env } from "../env.js";
import { HEADER_REPLICA_MISS, HEADER_TOPIC_REF, LIVE_CLOSE } from "../protocol/constants.js";
import { errorResponse } from "../protocol/error-reply.js";
import { EdgelogError, type Result } from "../protocol/errors.js";
import type { TopicRef } from "../protocol/topic.js";
import { readSettings } from "../settings.js";
import { AlarmScheduler } from "./alarm.js";
import { background, tombstone } from "./background.js";
import { partitionKv } from "./keys.js";
import { LiveTail, parseLiveRequest } from "./live.js";
import { LogHost } from "./log-host.js";
import { MetricsHost, metricsPort, type MetricsPort } from "./metrics-host.js";
import { electionVoters, followerLink, ReplicationHost, type FollowerLink } from "./replication-host.js";
import type { VoterStub } from "../leadership/authority.js";
import type { LeadershipRecord } from "../leadership/record.js";
import { StreamHost } from "./stream-host.js";
import { TxnHost } from "./transactions-host.js";
import { Waiters } from "./waiters.js";

/** Concurrent long-polls one partition holds before answering further ones empty at once. */
const MAX_WAITERS = 1000;

/** What the partition reaches outside itself; the platform's by default, a test's fault injector otherwise. */
export interface PartitionPorts {
  /** Where sealed segments go: the R2 bucket. */
  segments: SegmentStore;
  /** How a copy reaches the other copies: shipping, health checks, election news. */
  followers: FollowerLink;
  /** The topic's election voters. */
  voters?(ref: TopicRef): VoterStub[];
  /** Where its metrics report goes (the topic's aggregate). */
  metrics: MetricsPort;
  /** The cache of archived ranges (default: one of RANGE_CACHE_BYTES); tests pass theirs to look inside. */
  ranges?: RangeCache;
}

export class PartitionDO extends DurableObject<Env> implements P.PartitionRpc {
  // Parsed here so a misconfigured variable fails the object's calls, not only its alarm.
  readonly #settings = readSettings(this.env);
  readonly #kv = partitionKv(this.ctx.storage);
  readonly #waiters = new Waiters(MAX_WAITERS);
  readonly #alarm = new AlarmScheduler(this.ctx.storage);
  readonly #segments: SegmentStore;
  /** Archived ranges read lately (archived segments are immutable; puts and deletes drop theirs). */
  readonly #ranges: RangeCache;
  #log!: LogHost;
  #replication!: ReplicationHost;
  readonly #txns = new TxnHost((transactionalId) => txnCoordinatorObject(this.env, transactionalId));
  #metrics!: MetricsHost;
  readonly #streams = new StreamHost({
    storage: this.ctx.storage,
    open: (ref) => this.#log.open(ref),
    waiters: this.#waiters,
    appended: (log, ref) => this.#log.appended(log, ref),
  });
  readonly #live = new LiveTail(
    () => this.ctx.getWebSockets(),
    (offset, opts) => this.#log.readLive(offset, opts),
  );

  constructor(ctx: DurableObjectState, env: Env, ports?: PartitionPorts) {
    super(ctx, env);
    this.#ranges = ports?.ranges ?? new RangeCache();
    this.#segments = cachingStore(ports?.segments ?? env.ARCHIVE, this.#ranges);
    // New data became readable: wake long-polls and live subscribers.
    const onHighWatermark = () => void (this.#waiters.notifyAll(), this.#live.onAppend());
    // Live subscribers keep their connections alive without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    void ctx.blockConcurrencyWhile(async () => {
      this.#log = new LogHost({
        storage: ctx.storage,
        kv: this.#kv,
        segments: this.#segments,
        waiters: this.#waiters,
        alarm: this.#alarm,
        replication: () => this.#replication,
        txns: this.#txns,
        onHighWatermark,
        onAppended: (batches, out) => this.#metrics.appended(batches, out),
        benchTrace: this.#settings.benchTrace,
      });
      this.#replication = new ReplicationHost({
        ctx,
        env,
        kv: this.#kv,
        followers: ports?.followers ?? followerLink(env),
        voters: (ref) => ports?.voters?.(ref) ?? electionVoters(env, ref),
        log: () => this.#log.log,
        topic: () => this.#log.topic,
        onHighWatermark,
        wakeAt: (at) => this.#alarm.wakeBy(at),
      });
      this.#metrics = new MetricsHost({
        kv: this.#kv,
        port: ports?.metrics ?? metricsPort(env, ctx.storage),
        analytics: env.ANALYTICS,
        settings: this.#settings.metrics,
        info: () => {
          const ref = this.#log.topic;
          return ref && this.#log.log ? { ref, info: this.#log.describe(ref) } : undefined;
        },
        waiting: () => ({ longPolls: this.#waiters.size, websockets: ctx.getWebSockets().length }),
        wakeBy: (at) => this.#alarm.wakeBy(at),
        isFollower: () => this.#replication.isFollower,
      });
      await this.#alarm.load();
    });
  }

  async append(
    ref: TopicRef,
    batches: Uint8Array,
    acks: P.Acks = 1,
    txn?: P.TxnAppend,
  ): Promise<Result<P.AppendedBatch[]>> {
    return this.#metrics.produce(() => rpc(() => this.#log.append(ref, batches, acks, txn)));
  }

  // ---- Transactions (transactions-host.ts): the coordinator's markers, open transactions. ----

  async writeTxnMarker(ref: TopicRef, marker: TxnMarker): Promise<Result<{ written: boolean }>> {
    return rpc(() => this.#log.writeTxnMarker(ref, marker));
  }

  async transactions(ref: TopicRef): Promise<Result<PartitionTransactions>> {
    return rpc(() => this.#txns.view(this.#log.open(ref), ref.partition, Date.now()));
  }

  async abortTransaction(
    ref: TopicRef,
    which: { producerId: number } | { startOffset: number },
  ): Promise<Result<P.AbortedHere>> {
    return rpc(() => this.#log.abortTransaction(ref, which));
  }

  async ends(ref: TopicRef): Promise<Result<P.LogEnds>> {
    return rpc(() => this.#log.ends(ref));
  }

  async appendMirrored(ref: TopicRef, batches: Uint8Array, slice: P.MirrorSlice): Promise<Result<P.MirroredAppend>> {
    return this.#metrics.produce(() => rpc(() => this.#log.appendMirrored(ref, batches, slice)));
  }

  async mirrorProgress(ref: TopicRef, mirror: string): Promise<Result<number | null>> {
    return rpc(() => this.#log.mirrorProgress(ref, mirror));
  }

  async read(ref: TopicRef, req: P.ReadRequest): Promise<Result<P.ReadResult>> {
    return this.#metrics.read(() => rpc(() => this.#log.read(ref, req)));
  }

  async cancelWait(pollId: string): Promise<Result<null>> {
    return rpc(() => this.#log.cancelWait(pollId));
  }

  async offsets(ref: TopicRef, at: P.OffsetSpec, isolation?: IsolationLevel): Promise<Result<P.OffsetAtTime>> {
    return rpc(() => this.#log.offsets(ref, at, isolation));
  }

  async describe(ref: TopicRef): Promise<Result<P.PartitionInfo>> {
    return rpc(() => this.#log.describe(ref));
  }

  async deleteRecords(ref: TopicRef, offset: number): Promise<Result<{ log_start_offset: number }>> {
    return rpc(() => this.#log.deleteRecords(ref, offset));
  }

  async configure(ref: TopicRef): Promise<Result<null>> {
    return rpc(() => this.#log.configure(ref));
  }

  /** The topic was deleted: unreachable at once, SQLite freed; the alarm removes its R2 objects. */
  async drop(): Promise<Result<null>> {
    return rpc(async () => {
      const ref = this.#kv.get("topic");
      if (ref) this.#replication.dropAll(ref);
      await this.#wipe("topic deleted");
      await this.#alarm.wakeBy(tombstone(this.#kv, ref));
      return null;
    });
  }

  // ---- Geo-replication: a follower copy's side (replication-host.ts). ----

  async replicate(ref: TopicRef, chunk: P.ReplicaChunk | null): Promise<Result<P.ReplicaAck>> {
    return rpc(async () => {
      const ack = this.#replication.apply(this.#log.open(ref), chunk);
      // The copy's health check of its leader runs from the alarm (a no-op while one is due sooner).
      await this.#alarm.wakeBy(Date.now() + ref.config["replica.lag.time.max.ms"]);
      return ack;
    });
  }

  async readReplica(ref: TopicRef, req: P.ReadRequest): Promise<Result<P.ReadResult | null>> {
    return rpc(() => this.#log.readReplica(ref, req));
  }

  /** The topic no longer has a replica in this region: forget the copy (it never owns R2 objects). */
  async dropReplica(): Promise<Result<null>> {
    return rpc(async () => {
      await this.#wipe("replica removed");
      this.#log.close(true);
      return null;
    });
  }

  // ---- Leader failover: every copy's side (replication-host.ts). ----

  async adopt(ref: TopicRef, self: string, record: LeadershipRecord): Promise<Result<P.LeaderView>> {
    return rpc(async () => {
      const view = this.#replication.adopt(this.#log.open(ref), self, record);
      // A follower now watches its new leader's health from its alarm.
      await this.#alarm.wakeBy(Date.now() + ref.config["replica.lag.time.max.ms"]);
      return view;
    });
  }

  async ping(): Promise<Result<P.LeaderView>> {
    return rpc(() => this.#replication.view);
  }

  async suspectLeader(ref: TopicRef): Promise<Result<null>> {
    return rpc(async () => {
      this.#log.open(ref);
      await this.#replication.suspectLeader(ref);
      return null;
    });
  }

  async endOffsetForEpoch(ref: TopicRef, epoch: number): Promise<Result<{ leader_epoch: number; end_offset: number }>> {
    return rpc(() => {
      const end = this.#log.open(ref).endOffsetForEpoch(epoch);
      return { leader_epoch: end.epoch, end_offset: end.endOffset };
    });
  }

  // ---- Durable Streams: a stream is partition 0 of a `stream.<name>` topic (stream-host.ts). ----

  async streamCreate(ref: TopicRef, req: DS.CreateStreamRequest): Promise<Result<DS.StreamReply>> {
    return rpc(() => this.#streams.create(ref, req));
  }

  async streamAppend(ref: TopicRef, req: DS.AppendStreamRequest): Promise<Result<DS.StreamReply>> {
    return rpc(() => this.#streams.append(ref, req));
  }

  async streamHead(ref: TopicRef): Promise<Result<DS.StreamReply>> {
    return rpc(() => this.#streams.head(ref));
  }

  async streamRead(ref: TopicRef, from: DS.OffsetParam, waitMs: number): Promise<Result<DS.StreamRead>> {
    return rpc(() => this.#streams.read(ref, from, waitMs));
  }

  async streamDelete(ref: TopicRef): Promise<Result<DS.DeleteOutcome>> {
    return rpc(() => this.#streams.delete(ref));
  }

  async streamReap(ref: TopicRef): Promise<Result<DS.DeleteOutcome>> {
    return rpc(() => this.#streams.reap(ref));
  }

  async streamForkSource(
    ref: TopicRef,
    offset: DS.StreamPosition | null,
    subOffset: number,
  ): Promise<Result<DS.ForkSource>> {
    return rpc(() => this.#streams.forkSource(ref, offset, subOffset));
  }

  async streamAddFork(ref: TopicRef): Promise<Result<null>> {
    return rpc(() => this.#streams.addFork(ref));
  }

  async streamReleaseFork(ref: TopicRef): Promise<Result<DS.DeleteOutcome>> {
    return rpc(() => this.#streams.releaseFork(ref));
  }

  // ---- Live subscribers (live.ts): a WebSocket upgrade the router forwards, on a hibernatable socket. ----

  override async fetch(request: Request): Promise<Response> {
    try {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        throw new EdgelogError("INVALID_REQUEST", "the partition object only accepts WebSocket upgrades");
      }
      const req = parseLiveRequest(request, HEADER_TOPIC_REF);
      // A follower that cannot serve this offset says so, and the router asks the leader.
      if (!(await this.#log.liveFrom(req.ref as TopicRef, req.offset, request.headers.has(HEADER_REPLICA_MISS)))) {
        return new Response(null, { status: 204, headers: { [HEADER_REPLICA_MISS]: "1" } });
      }
      const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
      this.ctx.acceptWebSocket(server);
      this.#live.start(server, LiveTail.subscriber(req.offset, req.format, req.raw, req.isolation));
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

  // ---- Background work (background.ts), one slice per alarm; alarm.ts decides when. ----

  override async alarm(): Promise<void> {
    this.#alarm.cleared();
    // Metrics first: a push is what most alarms of an active partition are for (metrics-host.ts).
    await this.#metrics.push();
    const { producerIdExpirationMs } = this.#settings;
    const parts = { kv: this.#kv, log: () => this.#log.log, segments: this.#segments, sql: this.ctx.storage.sql };
    await this.#alarm.wakeBy(await background({ ...parts, replication: this.#replication, producerIdExpirationMs }));
    await this.#metrics.scheduleNext();
  }

  /** Ends every wait and subscriber, then deletes all storage (the alarm with it). */
  async #wipe(reason: string): Promise<void> {
    this.#log.close();
    this.#ranges.clear();
    this.#waiters.notifyAll();
    this.#live.closeAll(LIVE_CLOSE.GONE, reason);
    await this.ctx.storage.deleteAll();
    // After the delete: nothing may read the old roles back meanwhile.
    this.#replication.forget();
    this.#alarm.cleared();
  }
}
