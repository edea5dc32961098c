// MirrorDO: one mirror of a topic from another deployment. Holds its config and status and drives
// the copy from its alarm, one bounded slice at a time (src/mirror/copy.ts does the work).

import { MirrorMetrics } from "./metrics.js";
import { DurableObject } from "cloudflare:workers";
import { type Env } from "../env.js";
import { readSettings } from "../settings.js";
import type { MirrorPartitionStatus, MirrorView } from "../protocol/api.js";
import { backoffBound } from "../protocol/backoff.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { rpc } from "../contracts/rpc.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import { TopicCache } from "../protocol/topic-cache.js";
import { copySlice, initialStatus, mirrorView, type MirrorTarget, type Positions } from "./copy.js";
import { mirrorKv, type MirrorKv } from "./keys.js";
import { SourceClient } from "./source.js";
import type { MirrorConfig, MirrorRpc } from "../contracts/mirror.js";
import { clusterObject, partitionObject } from "../objects.js";

/** Bytes one slice fetches at most (over all partitions; at least one batch per partition with data). */
const SLICE_MAX_BYTES = 8 * 1024 * 1024;
/** Backoff after failed slices: 1 s doubling to 60 s (no jitter: one alarm per mirror, nothing to spread). */
const RETRY_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

export class MirrorDO extends DurableObject<Env> implements MirrorRpc {
  readonly #kv: MirrorKv = mirrorKv(this.ctx.storage);
  #positions: Positions = [];
  #failures = 0;
  readonly #metrics = new MirrorMetrics(this.env, readSettings(this.env).metrics.pushMs);
  /** The local topic's metadata, trusted 5 s before the controller is asked again. */
  readonly #topics = new TopicCache<Topic>({ ttlMs: 5_000, partitions: (t) => t.partitions });

  /** Starts a new mirror here, replacing whatever a deleted mirror of the same name left. */
  async start(cfg: MirrorConfig): Promise<Result<MirrorView>> {
    return rpc(async () => {
      await this.ctx.storage.deleteAll();
      this.#positions = [];
      this.#failures = 0;
      this.#topics.clear();
      const status = initialStatus(cfg.partitions);
      this.#kv.put("config", cfg);
      this.#kv.put("status", status);
      await this.ctx.storage.setAlarm(Date.now());
      return mirrorView(cfg, status);
    });
  }

  async status(): Promise<Result<MirrorView>> {
    return rpc(async () => {
      const cfg = this.#config();
      // Self-healing: a mirror always has its next slice scheduled.
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
      return mirrorView(cfg, this.#kv.get("status")!);
    });
  }

  /** Stops copying; the data already copied stays in the local topic. */
  async stop(): Promise<Result<null>> {
    return rpc(async () => {
      this.#topics.clear();
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      return null;
    });
  }

  override async alarm(): Promise<void> {
    const cfg = this.#kv.get("config");
    if (!cfg) return;
    const status = this.#kv.get("status") ?? initialStatus(cfg.partitions);
    const active = () => this.#kv.get("config")?.id === cfg.id;
    let failed: boolean;
    try {
      const source = new SourceClient({ url: cfg.source.url, token: cfg.source.token });
      await this.#followPartitions(cfg, source, status);
      const outcome = await copySlice(cfg, source, this.#target(cfg), this.#positions, status, {
        waitMs: readSettings(this.env).mirrorWaitMs,
        maxBytes: SLICE_MAX_BYTES,
        active,
      });
      failed = outcome.failed;
    } catch (e) {
      console.error(`mirror ${cfg.name}: slice failed`, e);
      failed = true;
    }
    if (!active()) return;
    this.#kv.put("status", status);
    await this.#metrics.maybePush(cfg.name, status);
    this.#failures = failed ? this.#failures + 1 : 0;
    const delay = failed ? backoffBound(this.#failures - 1, RETRY_BACKOFF) : 0;
    await this.ctx.storage.setAlarm(Date.now() + delay);
  }

  /**
   * Every ten long-polls, asks whether the source topic grew; new partitions are added to the
   * local topic (as MirrorMaker 2 does) and copied from their start. A failure here only delays it.
   */
  async #followPartitions(cfg: MirrorConfig, source: SourceClient, status: MirrorPartitionStatus[]): Promise<void> {
    const kv = this.#kv;
    const every = Math.max(1_000, 10 * readSettings(this.env).mirrorWaitMs);
    if (Date.now() - (kv.get("partitions_checked_at") ?? 0) < every) return;
    kv.put("partitions_checked_at", Date.now());
    let grown: number;
    try {
      grown = (await source.describeTopic(cfg.source.topic)).partitions;
    } catch (e) {
      console.warn(`mirror ${cfg.name}: could not check the source's partition count`, e);
      return;
    }
    if (grown <= cfg.partitions) return;
    this.#topics.clear();
    if ((await this.#localTopic(cfg.topic)).partitions < grown) {
      if (cfg.add_partitions === false) {
        // Its creator could only produce there: the topic's owner adds the partitions, and the
        // mirror follows once they exist.
        console.warn(
          `mirror ${cfg.name}: the source has ${grown} partitions; add them to ${cfg.topic} (PATCH /v1/topics/${cfg.topic}) to copy them`,
        );
        return;
      }
      unwrap(await clusterObject(this.env).alterTopic(cfg.topic, { partitions: grown }));
      this.#topics.clear();
    }
    cfg.partitions = grown;
    status.push(...initialStatus(grown).slice(status.length));
    kv.put("config", cfg);
    kv.put("status", status);
  }

  #config(): MirrorConfig {
    const cfg = this.#kv.get("config");
    if (!cfg) throw new EdgelogError("MIRROR_NOT_FOUND", "this mirror was deleted");
    return cfg;
  }

  #target(cfg: MirrorConfig): MirrorTarget {
    const partition = async (p: number) => {
      const topic = await this.#localTopic(cfg.topic);
      if (p >= topic.partitions) {
        throw new EdgelogError(
          "INVALID_PARTITIONS",
          `local topic ${cfg.topic} has ${topic.partitions} partitions; the source has ${cfg.partitions}`,
        );
      }
      return { stub: partitionObject(this.env, topic.id, p), ref: topicRef(topic, p) };
    };
    return {
      progress: async (p) => {
        const { stub, ref } = await partition(p);
        return this.#local(cfg, await stub.mirrorProgress(ref, cfg.id));
      },
      append: async (p, batches, from, next) => {
        const { stub, ref } = await partition(p);
        return this.#local(cfg, await stub.appendMirrored(ref, batches, { mirror: cfg.id, from, next })).progress;
      },
    };
  }

  /** Unwraps a partition's answer; when the local topic is gone (deleted, perhaps recreated), its metadata is asked again. */
  #local<T>(cfg: MirrorConfig, r: Result<T>): T {
    if (!r.ok && r.error.code === "UNKNOWN_TOPIC_OR_PARTITION") {
      this.#topics.clear();
      this.#positions = [];
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `local topic ${cfg.topic}: ${r.error.message}`);
    }
    return unwrap(r);
  }

  async #localTopic(name: string): Promise<Topic> {
    const known = this.#topics.peek(name);
    const topic = await this.#topics.get(name, async () => unwrap(await clusterObject(this.env).getTopic(name)));
    // A recreated local topic is a new log: where the copy stands must be asked of its partitions.
    if (known && known.id !== topic.id) this.#positions = [];
    return topic;
  }
}
