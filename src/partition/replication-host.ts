// A partition object's part in geo-replication, so PartitionDO stays an adapter: as a leader it
// owns the Replicator built from the topic's config; as a follower (`…@region`) it applies the
// leader's chunks and knows how far the leader's high watermark was when last told.

import type { Env } from "../env.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { TopicRef } from "../protocol/topic.js";
import type { PartitionLog } from "../log/partition-log.js";
import { Replicator } from "../replication/replicator.js";
import { RewriteQueue } from "../replication/rewrites.js";
import type { PartitionKv } from "./keys.js";
import { applyChunk, canServe } from "../replication/follower.js";
import type { ReplicaAck, ReplicaChunk } from "../contracts/partition.js";
import { partitionObject } from "../objects.js";

/** How a leader's shipments reach its follower copies: a port, so tests can cut a region off. */
export interface FollowerLink {
  replicate(ref: TopicRef, region: string, chunk: ReplicaChunk | null): Promise<ReplicaAck>;
}

/** The link the platform provides: RPC to each region's copy, created in that region on first use. */
export function followerLink(env: Pick<Env, "PARTITION">): FollowerLink {
  return {
    replicate: async (ref, region, chunk) =>
      unwrap(await partitionObject(env, ref.id, ref.partition, region, true).replicate(ref, chunk)),
  };
}

export interface HostParts {
  ctx: DurableObjectState;
  env: Env;
  kv: PartitionKv;
  followers: FollowerLink;
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
  /** This object is a follower copy: it never replicates, archives or runs maintenance. */
  #isFollower: boolean;
  /** The partition had replica regions before this instance started (their removal must still be applied). */
  readonly #hadReplicas: boolean;
  /** A follower: the leader's high watermark as last told (undefined on a leader or an unfed copy). */
  #leaderHw?: number;
  /** When the leader last told this follower its high watermark (0: not since this instance started). */
  #leaderHwAt = 0;

  /** Reads its state from storage: construct it inside the object's blockConcurrencyWhile. */
  constructor(private readonly parts: HostParts) {
    const kv = parts.kv;
    this.rewrites = new RewriteQueue(parts.ctx.storage.sql);
    this.#isFollower = kv.get("follower") === true;
    this.#hadReplicas = kv.get("isr") !== undefined;
    this.#leaderHw = kv.get("leader_hw");
  }

  get isFollower(): boolean {
    return this.#isFollower;
  }

  /**
   * The leader's replicator for the topic's newest config: built on first need, reconfigured when
   * the config changes (removed regions' copies are deleted). Undefined for a topic that never had
   * replicas, whose high watermark simply moves on append, and on a follower.
   */
  leader(): Replicator | undefined {
    const ref = this.parts.topic();
    const log = this.parts.log();
    if (this.#isFollower || !ref || !log) return undefined;
    const regions = ref.config["replica.regions"];
    if (!this.#replicator) {
      if (regions.length === 0 && !this.#hadReplicas) return undefined;
      const kv = this.parts.kv;
      this.#replicator = new Replicator(
        log,
        this.rewrites,
        { replicate: (region, chunk) => this.parts.followers.replicate(this.#topic(), region, chunk) },
        {
          load: () => kv.get("isr"),
          save: (isr) => kv.put("isr", isr),
        },
        {
          onHighWatermark: () => this.parts.onHighWatermark(),
          wakeAt: (at) => void this.parts.wakeAt(at).catch(() => undefined),
        },
      );
    }
    const r = this.#replicator;
    if (ref.version > r.version) {
      const c = ref.config;
      this.rewrites.enabled = regions.length > 0;
      const removed = r.configure(
        {
          regions,
          minInsyncReplicas: c["min.insync.replicas"],
          lagTimeMaxMs: c["replica.lag.time.max.ms"],
        },
        ref.version,
      );
      this.#dropCopies(ref, removed);
    }
    return r;
  }

  /** The topic was deleted: fail pending acks=all waits and delete every copy. */
  dropAll(ref: TopicRef): void {
    if (!this.#replicator) return;
    this.#replicator.close(new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${ref.name} was deleted`));
    this.#dropCopies(ref, this.#replicator.regions);
    this.#replicator = undefined;
  }

  // ---- The follower's side ----

  /** Applies a chunk the leader shipped (null: the leader asks where this copy ends). */
  apply(log: PartitionLog, chunk: ReplicaChunk | null): ReplicaAck {
    if (!this.#isFollower) {
      this.#isFollower = true;
      this.parts.kv.put("follower", true);
    }
    const { logEndOffset, moved } = applyChunk(log, chunk);
    if (chunk) this.#heardFromLeader(chunk.highWatermark);
    if (moved) this.parts.onHighWatermark();
    return { logEndOffset };
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
      const leader = partitionObject(this.parts.env, ref.id, ref.partition);
      this.#heardFromLeader(unwrap(await leader.offsets(ref, "latest")).offset);
    }
    return canServe(log, offset, this.#leaderHw);
  }

  /** The copy was deleted (its region removed); a later chunk starts it again. */
  forget(): void {
    this.#leaderHw = undefined;
    this.#leaderHwAt = 0;
  }

  #heardFromLeader(hw: number): void {
    this.#leaderHwAt = Date.now();
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
        partitionObject(this.parts.env, ref.id, ref.partition, region)
          .dropReplica()
          .then(unwrap)
          .catch((e) =>
            console.error(`edgelog: deleting the ${region} copy of ${ref.name}/${ref.partition} failed`, e),
          ),
      );
    }
  }
}
