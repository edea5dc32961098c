// The leader's side of geo-replication: ships its log to regional followers in order, keeps the
// in-sync set (ISR) and the high watermark, and answers acks=all waits. Plain code over injected
// parts (the log, its rewrite queue, a transport to the followers, a store for the ISR, a clock),
// tested on its own.

import { backoffBound } from "../protocol/backoff.js";
import { EdgelogError } from "../protocol/errors.js";
import type { ReplicaStatus } from "../contracts/partition.js";
import type {
  IsrStore,
  LeaderLog,
  ReplicaTransport,
  ReplicationConfig,
  ReplicatorHooks,
  RewriteSource,
} from "./ports.js";
import { behind, chunkFor, recordAck, type Follower } from "./shipment.js";

export type { IsrStore, LeaderLog, ReplicaTransport, ReplicationConfig, ReplicatorHooks, RewriteSource };

interface AckWait {
  end: number;
  resolve(): void;
  reject(e: EdgelogError): void;
  timer: ReturnType<typeof setTimeout>;
}

const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 5_000;

export class Replicator {
  readonly #followers = new Map<string, Follower>();
  #isr = new Set<string>();
  #config: ReplicationConfig = { regions: [], minInsyncReplicas: 1, lagTimeMaxMs: 30_000 };
  #waits: AckWait[] = [];
  #isrTimer?: ReturnType<typeof setTimeout>;
  #configured = false;
  #version = -1;
  /** An ISR shrink is being recorded with the authority. */
  #shrinking = false;
  /** Followers counted in sync for the high watermark whose joining the authority has yet to record. */
  readonly #joining = new Set<string>();
  /** Shipping stopped: a later epoch fenced this leader. */
  #fenced = false;

  constructor(
    private readonly log: LeaderLog,
    private readonly rewrites: RewriteSource,
    private readonly transport: ReplicaTransport,
    private readonly store: IsrStore,
    private readonly hooks: ReplicatorHooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** The topic version whose config is applied. */
  get version(): number {
    return this.#version;
  }

  get regions(): readonly string[] {
    return this.#config.regions;
  }

  /** Replicas in sync, the leader included. */
  get inSyncCount(): number {
    return 1 + this.#isr.size;
  }

  get isr(): string[] {
    return [...this.#isr];
  }

  /** The in-sync followers as recorded (what an election may pick from): joins count once recorded. */
  get recordedIsr(): string[] {
    return this.isr.filter((r) => !this.#joining.has(r));
  }

  /**
   * Applies the topic's replica config. A region added to a log that already has data starts out
   * of sync and joins once it has caught up; returns the regions removed (their copies can go).
   */
  configure(config: ReplicationConfig, version = this.#version + 1): string[] {
    this.#version = version;
    const removed = [...this.#followers.keys()].filter((r) => !config.regions.includes(r));
    const first = !this.#configured;
    this.#config = config;
    this.#configured = true;
    for (const r of removed) {
      const f = this.#followers.get(r)!;
      clearTimeout(f.retryTimer);
      this.#followers.delete(r);
      this.#isr.delete(r);
    }
    const stored = first ? this.store.load() : undefined;
    const emptyLog = this.log.state.logEndOffset === 0;
    for (const region of config.regions) {
      if (this.#followers.has(region)) continue;
      this.#followers.set(region, {
        region,
        leo: null,
        toldHw: -1,
        toldCopyStart: -1,
        segmentsTo: 0,
        toldLogStart: -1,
        rewriteSeq: 0,
        caughtUpAt: this.now(),
        inFlight: false,
        again: false,
        failures: 0,
      });
      // A new topic's followers start in sync (there is nothing to copy); after a restart the
      // stored set is trusted until the followers answer.
      if (stored ? stored.includes(region) : emptyLog) this.#isr.add(region);
    }
    this.#saveIsr();
    this.#pruneRewrites();
    this.#refresh();
    this.kick();
    return removed;
  }

  /** After a leader append: the high watermark may move (no follower in sync), and followers get the batches. */
  afterAppend(): void {
    this.#refresh();
    this.kick();
  }

  /** Ships new data (and the new high watermark) to every follower not already busy. */
  kick(): void {
    for (const f of this.#followers.values()) void this.#ship(f);
  }

  /** acks=all's check before a write, as Kafka's: too few replicas in sync → nothing is written. */
  checkWritable(): void {
    this.#refresh();
    if (this.inSyncCount < this.#config.minInsyncReplicas) {
      throw new EdgelogError(
        "NOT_ENOUGH_REPLICAS",
        `${this.inSyncCount} of ${1 + this.#config.regions.length} replicas are in sync (leader${this.#isr.size ? ", " + this.isr.join(", ") : ""}); ` +
          `min.insync.replicas is ${this.#config.minInsyncReplicas}`,
      );
    }
  }

  /**
   * acks=all: resolves once every in-sync replica holds offsets below `end` (the high watermark
   * reached it). If the in-sync set shrank below min.insync.replicas meanwhile, the write stands
   * but is reported as NOT_ENOUGH_REPLICAS_AFTER_APPEND, as Kafka does; a retry with an idempotent
   * producer is answered as a duplicate.
   */
  waitForReplicas(end: number): Promise<void> {
    if (this.log.state.highWatermark >= end) return this.#ackOutcome();
    const timeoutMs = 2 * this.#config.lagTimeMaxMs + 5_000;
    return new Promise((resolve, reject) => {
      const wait: AckWait = {
        end,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waits = this.#waits.filter((w) => w !== wait);
          reject(
            new EdgelogError(
              "REQUEST_TIMED_OUT",
              `the in-sync replicas did not acknowledge offset ${end - 1} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs),
      };
      this.#waits.push(wait);
    });
  }

  /** Background work from the object's alarm: time out laggards, resume shipping. */
  onAlarm(): void {
    this.#refresh();
    for (const f of this.#followers.values()) {
      // The alarm is the catch-up's backstop: it retries a failing follower now, whatever its backoff.
      clearTimeout(f.retryTimer);
      f.retryTimer = undefined;
      void this.#ship(f);
    }
  }

  /** True while some follower still lacks data or the latest high watermark. */
  get pending(): boolean {
    for (const f of this.#followers.values()) if (behind(f, this.log, this.rewrites)) return true;
    return false;
  }

  /** Each follower's state; `unclean`: with what an unclean election of an out-of-sync one would lose. */
  status(unclean = false): ReplicaStatus[] {
    const now = this.now();
    const leo = this.log.state.logEndOffset;
    return [...this.#followers.values()].map((f) => ({
      region: f.region,
      log_end_offset: f.leo,
      lag: f.leo === null ? null : Math.max(0, leo - f.leo),
      in_sync: this.#isr.has(f.region) && !this.#joining.has(f.region),
      caught_up_ms_ago: f.leo !== null && f.leo >= leo ? 0 : now - f.caughtUpAt,
      ...(f.error ? { error: f.error } : {}),
      ...(unclean && !this.#isr.has(f.region) ? { unclean_election_loss: Math.max(0, leo - (f.leo ?? 0)) } : {}),
    }));
  }

  /** Stops timers and fails pending acks=all waits (the topic was deleted or the object is going away). */
  close(reason: EdgelogError): void {
    for (const f of this.#followers.values()) clearTimeout(f.retryTimer);
    clearTimeout(this.#isrTimer);
    clearTimeout(this.#retryShrink);
    for (const w of this.#waits) {
      clearTimeout(w.timer);
      w.reject(reason);
    }
    this.#waits = [];
  }

  /** One shipping loop per follower: in order, one chunk in flight, until it holds everything. */
  async #ship(f: Follower): Promise<void> {
    if (this.#fenced) return;
    if (f.inFlight) {
      f.again = true;
      return;
    }
    if (f.retryTimer !== undefined) return; // backing off after a failure
    f.inFlight = true;
    try {
      do {
        f.again = false;
        while (this.#followers.get(f.region) === f && behind(f, this.log, this.rewrites)) {
          const sentAt = this.now();
          const leoAtSend = this.log.state.logEndOffset;
          const rewritesQueued = this.rewrites.lastSeq;
          const archivedAtSend = this.log.archivedEnd;
          const chunk = f.leo === null ? null : chunkFor(f, this.log, this.rewrites, this.#config.self ?? "home");
          const ack = await this.transport.replicate(f.region, chunk);
          const leo = recordAck(f, chunk, ack, this.log, { archivedEnd: archivedAtSend, rewritesQueued });
          if (chunk) this.#pruneRewrites();
          f.failures = 0;
          f.error = undefined;
          if (leo >= leoAtSend) f.caughtUpAt = sentAt;
          this.#refresh();
        }
      } while (f.again);
    } catch (e) {
      if (e instanceof EdgelogError && e.code === "FENCED_LEADER_EPOCH") {
        this.#fence(e);
        return;
      }
      f.failures++;
      f.error = e instanceof Error ? e.message : String(e);
      const delay = backoffBound(f.failures - 1, { initialMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS });
      f.retryTimer = setTimeout(() => {
        f.retryTimer = undefined;
        void this.#ship(f);
      }, delay);
      this.hooks.wakeAt(this.now() + delay);
      this.#refresh();
    } finally {
      f.inFlight = false;
    }
  }

  /** Rewrites every follower has applied are dropped from the queue. */
  #pruneRewrites(): void {
    let upTo = this.#followers.size === 0 ? this.rewrites.lastSeq : Number.POSITIVE_INFINITY;
    for (const f of this.#followers.values()) upTo = Math.min(upTo, f.leo === null ? 0 : f.rewriteSeq);
    if (upTo > 0 && Number.isFinite(upTo)) this.rewrites.prune(upTo);
  }

  /**
   * Re-derives the in-sync set and the high watermark from what the followers hold, then settles
   * acks=all waits. The high watermark is the smallest log end among in-sync replicas; it never
   * moves back, and a follower joins the set only once it holds everything below it.
   */
  #refresh(): void {
    const now = this.now();
    const { logEndOffset: leo, highWatermark: hw } = this.log.state;
    const lagMax = this.#config.lagTimeMaxMs;
    let changed = false;
    let nextDeadline = Number.POSITIVE_INFINITY;
    const leaving: string[] = [];
    for (const f of this.#followers.values()) {
      if (f.leo !== null && f.leo >= leo) f.caughtUpAt = now;
      const inSync = this.#isr.has(f.region);
      if (inSync && (f.leo === null || f.leo < leo)) {
        const deadline = f.caughtUpAt + lagMax;
        if (now > deadline) {
          leaving.push(f.region);
        } else {
          nextDeadline = Math.min(nextDeadline, deadline);
        }
      } else if (!inSync && f.leo !== null && f.leo >= hw && f.leo >= leo) {
        // It counts for the high watermark at once (a superset of the recorded set is safe).
        this.#isr.add(f.region);
        this.#joining.add(f.region);
        changed = true;
      }
    }
    if (leaving.length > 0) this.#shrink(leaving);
    else if (changed) this.#saveIsr();

    let target = leo;
    for (const r of this.#isr) {
      const f = this.#followers.get(r)!;
      target = Math.min(target, f.leo ?? hw);
    }
    if (this.log.advanceHighWatermark(target)) {
      this.hooks.onHighWatermark();
      this.kick(); // followers learn the new high watermark
    }
    this.#settleWaits();

    clearTimeout(this.#isrTimer);
    this.#isrTimer = undefined;
    if (Number.isFinite(nextDeadline)) {
      // The ISR must shrink on time even if nothing else happens: acks=all callers are waiting.
      this.#isrTimer = setTimeout(() => this.#refresh(), nextDeadline - now + 1);
      this.hooks.wakeAt(nextDeadline + 1);
    }
  }

  #settleWaits(): void {
    if (this.#waits.length === 0) return;
    const hw = this.log.state.highWatermark;
    const keep: AckWait[] = [];
    for (const w of this.#waits) {
      if (w.end > hw) {
        keep.push(w);
        continue;
      }
      clearTimeout(w.timer);
      this.#ackOutcome().then(w.resolve, w.reject);
    }
    this.#waits = keep;
  }

  #ackOutcome(): Promise<void> {
    if (this.inSyncCount >= this.#config.minInsyncReplicas) return Promise.resolve();
    return Promise.reject(
      new EdgelogError(
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        `the write is stored, but only ${this.inSyncCount} replicas are in sync (min.insync.replicas ${this.#config.minInsyncReplicas})`,
      ),
    );
  }

  #saveIsr(): void {
    const joined = [...this.#joining];
    const saved = this.store.save(this.isr);
    const recorded = () => {
      for (const r of joined) this.#joining.delete(r);
    };
    if (saved instanceof Promise) saved.then(recorded, (e) => this.#recordFailed(e));
    else recorded();
  }

  /**
   * Followers leave the ISR. With an authority, only once it recorded the smaller set: until then
   * the high watermark still waits for them, so an election never picks a copy missing a record
   * acknowledged to acks=all.
   */
  #shrink(leaving: string[]): void {
    if (this.#shrinking || this.#fenced) return;
    const next = this.isr.filter((r) => !leaving.includes(r));
    const saved = this.store.save(next);
    if (!(saved instanceof Promise)) {
      for (const r of leaving) this.#isr.delete(r);
      return;
    }
    this.#shrinking = true;
    saved.then(
      () => {
        this.#shrinking = false;
        for (const r of leaving) this.#isr.delete(r);
        this.#refresh();
      },
      (e) => {
        this.#shrinking = false;
        this.#recordFailed(e);
      },
    );
  }

  /**
   * The authority refused or did not answer. Refused: deposed. Unanswered: this leader may be
   * cut off from the authority, and acks=all waits behind the shrink could hang for long, so
   * they fail now as retriable (the records may stay here, unacknowledged; an idempotent
   * retry is exactly-once wherever it lands) and the shrink is tried again shortly.
   */
  #recordFailed(e: unknown): void {
    if (e instanceof EdgelogError && e.code === "FENCED_LEADER_EPOCH") return this.#fence(e);
    const why = e instanceof Error ? e.message : String(e);
    for (const w of this.#waits) {
      clearTimeout(w.timer);
      w.reject(new EdgelogError("NOT_LEADER_OR_FOLLOWER", `the leader cannot record its in-sync set: ${why}`));
    }
    this.#waits = [];
    clearTimeout(this.#retryShrink);
    this.#retryShrink = setTimeout(() => this.#refresh(), RETRY_MAX_MS / 10);
    this.hooks.wakeAt(this.now() + RETRY_MAX_MS / 10);
  }

  #retryShrink?: ReturnType<typeof setTimeout>;

  /** A later epoch exists: stop shipping, fail the waits, and let the host step down. */
  #fence(e: EdgelogError): void {
    if (this.#fenced) return;
    this.#fenced = true;
    this.close(new EdgelogError("NOT_LEADER_OR_FOLLOWER", `this copy is no longer the leader: ${e.message}`));
    this.hooks.onFenced?.(e);
  }
}
