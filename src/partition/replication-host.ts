// A partition object's part in geo-replication, so PartitionDO stays an adapter. Every copy knows
// its name (HOME or its region) and whom it takes for the leader in which epoch. The leading copy
// owns the Replicator built from the topic's config and records its in-sync set with the topic's
// election authority; a following copy applies the leader's chunks, watches the leader's health
// and, when the leader fails, asks the authority to elect a new one (leader failover).

import type { Env } from "../env.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { TopicRef } from "../protocol/topic.js";
import type { PartitionLog } from "../log/partition-log.js";
import { Replicator } from "../replication/replicator.js";
import { RewriteQueue } from "../replication/rewrites.js";
import type { PartitionKeys, PartitionKv } from "./keys.js";
import { applyChunk, canServe } from "../replication/follower.js";
import type { LeaderView, ReplicaAck, ReplicaChunk } from "../contracts/partition.js";
import { electionObject, partitionObject } from "../objects.js";
import { Authority, electAndTell, type VoterStub } from "../leadership/authority.js";
import { HOME, INITIAL, replicasOf, voterRegions, type LeadershipRecord } from "../leadership/record.js";

/**
 * How a copy reaches the other copies of its partition: a port, so tests can cut a region off,
 * slow it, or split the network between two copies.
 */
export interface FollowerLink {
  /** The leader ships a chunk to copy `region` (HOME: the home copy). */
  replicate(ref: TopicRef, region: string, chunk: ReplicaChunk | null): Promise<ReplicaAck>;
  /** A health check from copy `from` to copy `to`: whom `to` takes for the leader. */
  ping(ref: TopicRef, from: string, to: string): Promise<LeaderView>;
  /** Tells copy `to` what the authority recorded. */
  adopt(ref: TopicRef, to: string, record: LeadershipRecord): Promise<LeaderView>;
}

/** The copy `name` (HOME or a region) of a partition. */
function copyOf(env: Pick<Env, "PARTITION">, ref: TopicRef, name: string, place = false) {
  return partitionObject(env, ref.id, ref.partition, name === HOME ? null : name, place);
}

/** The link the platform provides: RPC to each region's copy, created in that region on first use. */
export function followerLink(env: Pick<Env, "PARTITION">): FollowerLink {
  return {
    replicate: async (ref, region, chunk) => unwrap(await copyOf(env, ref, region, true).replicate(ref, chunk)),
    ping: async (ref, _from, to) => unwrap(await copyOf(env, ref, to).ping()),
    adopt: async (ref, to, record) => unwrap(await copyOf(env, ref, to).adopt(ref, to, record)),
  };
}

/** A topic's election voters, each created in its own region (leadership/record.ts voterRegions). */
export function electionVoters(env: Pick<Env, "ELECTION">, ref: TopicRef): (VoterStub & { id: DurableObjectId })[] {
  return voterRegions(ref.config).map((region, i) => electionObject(env, ref.id, i, region));
}

export interface HostParts {
  ctx: DurableObjectState;
  env: Env;
  kv: PartitionKv;
  followers: FollowerLink;
  /** The topic's election voters (a port: tests cut a copy off from them). */
  voters(ref: TopicRef): VoterStub[];
  log(): PartitionLog | undefined;
  /** The newest topic ref the partition has seen. */
  topic(): TopicRef | undefined;
  /** New data became readable: wake long-polls and live subscribers. */
  onHighWatermark(): void;
  /** Background catch-up is due by `at`. */
  wakeAt(at: number): Promise<void>;
}

export class ReplicationHost {
  /** Compaction's rewrites of rows the followers copied (the partition's compactor records into it). */
  readonly rewrites: RewriteQueue;
  #replicator?: Replicator;
  /** The partition had replica regions before this instance started (their removal must still be applied). */
  readonly #hadReplicas: boolean;
  /** A follower: the leader's high watermark as last told (undefined on a leader or an unfed copy). */
  #leaderHw?: number;
  /** When the leader last told this copy its high watermark; 0: not since this instance started. */
  #leaderHwAt = 0;
  /** When the leader was last heard from (a chunk, or an answered health check); 0: not since start. */
  #leaderSeenAt = 0;
  /** A health check or election under way (one at a time). */
  #watching = false;
  /**
   * How many replica.lag.time.max.ms the next health check waits: doubled by each check that finds
   * the leader well with nothing shipped since (an idle topic), up to IDLE_BACKOFF_MAX; back to 1
   * by any shipment, which is the leader's sign of activity.
   */
  #idleFactor = 1;
  /** A chunk arrived since the last health check. */
  #shippedSinceCheck = false;
  /**
   * Who this copy is and whom it follows, as last read or written here. Every append asks (the
   * leader check, the replicator, the metrics' follower test), and each kv read deserializes; the
   * keys change only through #keep, and a wipe of the object's storage calls forget().
   */
  #roles?: { self: string | undefined; view: LeaderView };

  /** Reads its state from storage: construct it inside the object's blockConcurrencyWhile. */
  constructor(private readonly parts: HostParts) {
    const kv = parts.kv;
    this.rewrites = new RewriteQueue(parts.ctx.storage.sql);
    this.#hadReplicas = kv.get("isr") !== undefined;
    this.#leaderHw = kv.get("leader_hw");
  }

  /** This copy's name: HOME, or the region a leader or the authority named it by (undefined: not yet told). */
  get self(): string | undefined {
    return this.#readRoles().self;
  }

  /** Whom this copy takes for the leader, in which epoch. */
  get view(): LeaderView {
    return this.#readRoles().view;
  }

  #readRoles(): { self: string | undefined; view: LeaderView } {
    if (!this.#roles) {
      const kv = this.parts.kv;
      this.#roles = {
        self: kv.get("replica") ?? (kv.get("follower") === true ? undefined : HOME),
        view: kv.get("leadership") ?? { ...INITIAL },
      };
    }
    return this.#roles;
  }

  /** Writes one of the keys self and view are read from; they are read again on next use. */
  #keep<K extends "replica" | "follower" | "leadership">(key: K, value: PartitionKeys[K]): void {
    this.parts.kv.put(key, value);
    this.#roles = undefined;
  }

  get isFollower(): boolean {
    return isFollower(this.self, this.view);
  }

  /**
   * The leader's replicator for the topic's newest config: built on first need, reconfigured when
   * the config changes (removed regions' copies are deleted). Undefined for a topic that never had
   * replicas, whose high watermark simply moves on append, and on a follower.
   */
  leader(): Replicator | undefined {
    const ref = this.parts.topic();
    const log = this.parts.log();
    // Each kv read deserializes: read self once (every append comes here).
    const self = this.self;
    if (isFollower(self, this.view) || !ref || !log) return undefined;
    const regions = replicasOf(ref.config).filter((r) => r !== self);
    const replicated = ref.config["replica.regions"].length > 0;
    if (!this.#replicator) {
      if (!replicated && !this.#hadReplicas) return undefined;
      const kv = this.parts.kv;
      this.#replicator = new Replicator(
        log,
        this.rewrites,
        { replicate: (region, chunk) => this.parts.followers.replicate(this.#topic(), region, chunk) },
        {
          load: () => kv.get("isr"),
          save: (isr) => this.#recordIsr(isr),
        },
        {
          onHighWatermark: () => this.parts.onHighWatermark(),
          wakeAt: (at) => void this.parts.wakeAt(at).catch(() => undefined),
          onFenced: () => void this.#stepDown(),
        },
      );
    }
    const r = this.#replicator;
    if (ref.version > r.version) {
      const c = ref.config;
      this.rewrites.enabled = replicated;
      const removed = r.configure(
        {
          regions: replicated ? regions : [],
          self,
          minInsyncReplicas: c["min.insync.replicas"],
          lagTimeMaxMs: c["replica.lag.time.max.ms"],
        },
        ref.version,
      );
      this.#dropCopies(ref, removed);
    }
    return r;
  }

  /**
   * Fencing, before a write or a leader's read: this copy must lead, in the epoch the caller
   * knows. A caller that knows a later epoch makes this copy ask the authority first (it may
   * have been elected without hearing of it yet, or deposed).
   */
  async checkLeader(ref: TopicRef): Promise<void> {
    if (ref.leaderEpoch !== undefined && ref.leaderEpoch > this.view.epoch) await this.#syncWithAuthority(ref);
    const view = this.view;
    const self = this.self;
    if (isFollower(self, view)) {
      throw new EdgelogError(
        "NOT_LEADER_OR_FOLLOWER",
        `this copy (${self ?? "a follower"}) is not the leader: ${view.leader} leads epoch ${view.epoch}`,
        { leader: view.leader, leader_epoch: view.epoch, before_write: true },
      );
    }
    if (ref.leaderEpoch !== undefined && ref.leaderEpoch < view.epoch) {
      throw new EdgelogError(
        "FENCED_LEADER_EPOCH",
        `the request names leader epoch ${ref.leaderEpoch}, but epoch ${view.epoch} has begun`,
        { leader: view.leader, leader_epoch: view.epoch, before_write: true },
      );
    }
  }

  /** The topic was deleted: fail pending acks=all waits and delete every copy. */
  dropAll(ref: TopicRef): void {
    if (this.#replicator) {
      this.#replicator.close(new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${ref.name} was deleted`));
      this.#dropCopies(ref, this.#replicator.regions);
      this.#replicator = undefined;
    } else if (this.self !== undefined && ref.config["replica.regions"].length > 0) {
      // A copy that no longer leads (after a failover) still drops the others: the controller
      // tells only the home copy.
      this.#dropCopies(
        ref,
        replicasOf(ref.config).filter((r) => r !== this.self),
      );
    }
  }

  /**
   * The authority recorded `record` (an election): lead it, or follow its leader. A record older
   * than what this copy knows changes nothing.
   */
  adopt(log: PartitionLog, self: string, record: LeadershipRecord): LeaderView {
    const kv = this.parts.kv;
    if (kv.get("replica") === undefined) this.#keep("replica", self);
    const view = this.view;
    if (record.epoch < view.epoch || (record.epoch === view.epoch && record.leader === view.leader)) return view;
    const wasLeader = !this.isFollower;
    this.#keep("leadership", { leader: record.leader, epoch: record.epoch });
    log.setLeaderEpoch(record.epoch);
    if (record.leader === self) {
      // Leading now: the recorded ISR (less this copy) is the set the high watermark waits for,
      // and shipping starts by probing every follower, which finds where each diverged.
      kv.put(
        "isr",
        record.isr.filter((r) => r !== self),
      );
      this.#replicator?.close(new EdgelogError("NOT_LEADER_OR_FOLLOWER", "the leader changed"));
      this.#replicator = undefined;
      this.leader();
    } else if (wasLeader) {
      this.#replicator?.close(
        new EdgelogError("NOT_LEADER_OR_FOLLOWER", `${record.leader} leads epoch ${record.epoch} now`, {
          leader: record.leader,
          leader_epoch: record.epoch,
        }),
      );
      this.#replicator = undefined;
    }
    this.#leaderSeenAt = Date.now();
    return this.view;
  }

  // ---- The follower's side ----

  /** Applies a chunk the leader shipped (null: the leader asks where this copy ends). */
  apply(log: PartitionLog, chunk: ReplicaChunk | null): ReplicaAck {
    const kv = this.parts.kv;
    if (kv.get("follower") !== true) this.#keep("follower", true);
    const ack = applyChunk(log, chunk);
    if (chunk) {
      if (kv.get("replica") === undefined) this.#keep("replica", chunk.to);
      const view = this.view;
      if (chunk.leaderEpoch > view.epoch || (chunk.leaderEpoch === view.epoch && chunk.leader !== view.leader)) {
        // A later leader ships: this copy follows it (and, if it led, stops leading).
        this.adopt(log, this.self ?? chunk.to, { epoch: chunk.leaderEpoch, leader: chunk.leader, isr: [] });
      }
      this.#heardFromLeader(chunk.highWatermark);
      this.#shippedSinceCheck = true;
      if (this.#idleFactor > 1) {
        // Shipments again: health checks at the full pace from now on (an alarm already due earlier stays).
        this.#idleFactor = 1;
        const lagMax = this.parts.topic()?.config["replica.lag.time.max.ms"];
        if (lagMax !== undefined) void this.parts.wakeAt(Date.now() + lagMax).catch(() => undefined);
      }
    }
    if (ack.moved) this.parts.onHighWatermark();
    return { logEndOffset: ack.logEndOffset, ...(ack.epochs ? { epochs: ack.epochs } : {}) };
  }

  /**
   * Whether this copy can serve a read at `offset`. At the tail, a copy that has not heard from its
   * leader lately may be cut off from it (a failing link looks like an idle topic from here), so it
   * asks the leader's high watermark once first (`askLeader`; a WebSocket upgrade skips it).
   */
  async canServe(log: PartitionLog, ref: TopicRef, offset: number, askLeader = true): Promise<boolean> {
    if (
      askLeader &&
      offset >= log.state.highWatermark &&
      Date.now() - this.#leaderHwAt > ref.config["replica.lag.time.max.ms"]
    ) {
      const leader = copyOf(this.parts.env, ref, this.view.leader);
      this.#heardFromLeader(unwrap(await leader.offsets(ref, "latest")).offset);
    }
    return canServe(log, offset, this.#leaderHw);
  }

  /** The object's storage was wiped (its region removed, or the topic deleted): forget what was read from it. */
  forget(): void {
    this.#leaderHw = undefined;
    this.#leaderHwAt = 0;
    this.#roles = undefined;
  }

  /**
   * The follower's health check of its leader, from the alarm: silent for replica.lag.time.max.ms,
   * the leader is pinged; if that fails too and a majority of the authority's voters cannot reach
   * it either (so one cut link never deposes a healthy leader), this copy asks for an election.
   * Returns when the next check is due (null: this copy has no leader to watch).
   */
  async watch(ref: TopicRef, now = Date.now()): Promise<number | null> {
    const self = this.self;
    const lagMax = ref.config["replica.lag.time.max.ms"];
    if (!this.isFollower || self === undefined || ref.config["replica.regions"].length === 0) return null;
    if (this.#leaderSeenAt === 0) this.#leaderSeenAt = now;
    const due = this.#leaderSeenAt + lagMax * this.#idleFactor;
    if (now < due || this.#watching) return Math.max(due, now + 10);
    this.#watching = true;
    try {
      const view = this.view;
      try {
        const seen = await withTimeout(this.parts.followers.ping(ref, self, view.leader), lagMax);
        if (seen.epoch >= view.epoch) {
          // A well leader that shipped nothing since the last check: an idle topic, checked less often.
          this.#idleFactor = this.#shippedSinceCheck ? 1 : Math.min(this.#idleFactor * 2, IDLE_BACKOFF_MAX);
          this.#shippedSinceCheck = false;
          this.#leaderSeenAt = Date.now();
          return this.#leaderSeenAt + lagMax * this.#idleFactor;
        }
      } catch {
        // Unreachable or slow: ask the controller's view below.
      }
      const authority = this.#authority(ref);
      if (!(await authority.leaderUnreachable(ref.partition, view.leader))) {
        this.#leaderSeenAt = Date.now();
        return this.#leaderSeenAt + lagMax;
      }
      await this.elect(ref, { leaderFailed: true, expectEpoch: view.epoch, prefer: self });
      return Date.now() + lagMax;
    } catch (e) {
      // Another copy won the election for this epoch: this one follows it once told.
      if (!(e instanceof EdgelogError && e.code === "FENCED_LEADER_EPOCH")) {
        console.warn(`edgelog: ${ref.name}/${ref.partition}@${self}: failover attempt failed`, e);
      }
      return Date.now() + lagMax;
    } finally {
      this.#watching = false;
    }
  }

  /**
   * A client found the leader silent (the router could not reach it): the idle backoff ends, and
   * the health check runs on the next alarm, now (it pings the leader and, if the voters agree it
   * is lost, asks for an election). Only followers watch.
   */
  async suspectLeader(ref: TopicRef): Promise<void> {
    if (!this.isFollower || ref.config["replica.regions"].length === 0) return;
    this.#idleFactor = 1;
    await this.parts.wakeAt(Math.max(Date.now(), this.#leaderSeenAt + ref.config["replica.lag.time.max.ms"]));
  }

  /**
   * Asks the authority for an election, then tells the copies (the new leader first) what it
   * recorded. `prefer` is this copy when it asks on the leader's failure: elected if in sync.
   */
  async elect(
    ref: TopicRef,
    req: { leaderFailed: boolean; expectEpoch?: number; prefer?: string; candidate?: string; unclean?: boolean },
  ): Promise<LeadershipRecord> {
    const authority = this.#authority(ref);
    const record = await electAndTell(authority, (to, r) => this.parts.followers.adopt(ref, to, r), ref, req);
    const log = this.parts.log();
    if (log && this.self) this.adopt(log, this.self, record);
    return record;
  }

  #authority(ref: TopicRef): Authority {
    return new Authority(ref.id, this.parts.voters(ref), `${ref.id}/${ref.partition}@${this.self ?? "?"}`);
  }

  /** Records the leader's in-sync followers with the authority (then locally). */
  async #recordIsr(isr: string[]): Promise<void> {
    const ref = this.parts.topic();
    const self = this.self;
    if (!ref || !self || ref.config["replica.regions"].length === 0) {
      this.parts.kv.put("isr", isr);
      return;
    }
    const view = this.view;
    await this.#authority(ref).alterIsr(ref.partition, view.epoch, self, [self, ...isr]);
    this.parts.kv.put("isr", isr);
  }

  /** A later epoch fenced this leader: learn the record from the authority and follow. */
  async #stepDown(): Promise<void> {
    const ref = this.parts.topic();
    this.#replicator = undefined;
    if (!ref) return;
    await this.#syncWithAuthority(ref).catch((e) => console.warn("edgelog: stepping down, the authority failed", e));
  }

  async #syncWithAuthority(ref: TopicRef): Promise<void> {
    const record = await this.#authority(ref).record(ref.partition);
    const log = this.parts.log();
    if (record && log && this.self) this.adopt(log, this.self, record);
  }

  #heardFromLeader(hw: number): void {
    this.#leaderHwAt = this.#leaderSeenAt = Date.now();
    if (hw === this.#leaderHw) return;
    this.#leaderHw = hw;
    this.parts.kv.put("leader_hw", hw);
  }

  #topic(): TopicRef {
    const ref = this.parts.topic();
    if (!ref) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "the partition has no topic yet");
    return ref;
  }

  #dropCopies(ref: TopicRef, regions: readonly string[]): void {
    for (const region of regions) {
      this.parts.ctx.waitUntil(
        copyOf(this.parts.env, ref, region)
          .dropReplica()
          .then(unwrap)
          .catch((e) =>
            console.error(`edgelog: deleting the ${region} copy of ${ref.name}/${ref.partition} failed`, e),
          ),
      );
    }
  }
}

/**
 * An idle follower's health checks back off to one per this many replica.lag.time.max.ms (Kafka's
 * followers fetch without end; a Durable Object's alarm costs a wake-up each time). A leader lost
 * while its topic is idle is then noticed within this many periods, or within one period once a client finds
 * it silent (the router asks the followers to check: ReplicationHost.suspectLeader).
 */
const IDLE_BACKOFF_MAX = 8;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A copy that does not know its own name, or is not the one its view names, follows. */
function isFollower(self: string | undefined, view: LeaderView): boolean {
  return self === undefined || view.leader !== self;
}
