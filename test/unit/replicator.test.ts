// The leader's replication logic on its own: a simulated log and followers whose answers the
// test delivers, delays or fails, checking Kafka's invariants after every step.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Replicator, type LeaderLog, type ReplicaTransport } from "../../src/replication/replicator.js";
import { EdgelogError } from "../../src/protocol/errors.js";
import { rng } from "../support/random.js";
import type { ReplicaAck, ReplicaChunk, ShippedSegment } from "../../src/contracts/partition.js";

/** A leader log holding one-record batches whose bytes are their offsets. */
class FakeLog implements LeaderLog {
  state = { logStartOffset: 0, logEndOffset: 0, highWatermark: 0, leaderEpoch: 0 };
  epochs = [];
  copyStartOffset = 0;
  /** Archived segments, oldest first (a test archives some to see them shipped). */
  archived: ShippedSegment[] = [];
  get archivedEnd(): number {
    return (this.archived.at(-1)?.lastOffset ?? -1) + 1;
  }
  archivedSince(from: number, limit: number): ShippedSegment[] {
    return this.archived.filter((s) => s.baseOffset >= from).slice(0, limit);
  }
  hwHistory: number[] = [];
  append(n: number): number {
    this.state.logEndOffset += n;
    return this.state.logEndOffset;
  }
  hotBatches(from: number, to: number, maxRows: number) {
    const out = [];
    for (let o = from; o <= to && out.length < maxRows; o++) out.push({ data: Uint8Array.of(o % 256) });
    return out;
  }
  advanceHighWatermark(hw: number): boolean {
    const target = Math.min(hw, this.state.logEndOffset);
    if (target <= this.state.highWatermark) return false;
    this.state.highWatermark = target;
    this.hwHistory.push(target);
    return true;
  }
}

/** Followers whose replies wait until the test delivers them; a region marked down fails at once. */
class FakeFollowers implements ReplicaTransport {
  readonly held = new Map<string, number>();
  readonly down = new Set<string>();
  readonly inbox: { region: string; chunk: ReplicaChunk | null; reply: (a: ReplicaAck) => void }[] = [];
  constructor(regions: string[]) {
    for (const r of regions) this.held.set(r, 0);
  }
  replicate(region: string, chunk: ReplicaChunk | null): Promise<ReplicaAck> {
    if (this.down.has(region)) return Promise.reject(new Error(`${region} down`));
    return new Promise((reply) => this.inbox.push({ region, chunk, reply }));
  }
  /** Applies and answers the oldest shipment to `region` (or any region). */
  deliver(region?: string): boolean {
    const i = this.inbox.findIndex((m) => region === undefined || m.region === region);
    if (i < 0) return false;
    const [m] = this.inbox.splice(i, 1);
    const { region: r, chunk } = m!;
    let leo = this.held.get(r)!;
    if (chunk) {
      if (chunk.reset) leo = chunk.from;
      // In order: a chunk starts where the copy ends (a resend may overlap it, never skip ahead).
      expect(chunk.from).toBeLessThanOrEqual(leo);
      if (chunk.from <= leo) leo = Math.max(leo, chunk.from + chunk.batches.length);
      this.held.set(r, leo);
    }
    m!.reply({ logEndOffset: leo });
    return true;
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("Replicator", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  function setup(regions: string[], minIsr = 1, lagMs = 1_000) {
    const log = new FakeLog();
    const followers = new FakeFollowers(regions);
    const isrStore: { saved?: string[] } = {};
    let woken = 0;
    const rep = new Replicator(
      log,
      { after: () => [], lastSeq: 0, prune: () => {} },
      followers,
      { load: () => isrStore.saved, save: (v) => void (isrStore.saved = v) },
      { onHighWatermark: () => woken++, wakeAt: () => {} },
      () => Date.now(),
    );
    rep.configure({ regions, minInsyncReplicas: minIsr, lagTimeMaxMs: lagMs });
    return { log, followers, rep, isrStore, woken: () => woken };
  }

  it("moves the high watermark only when every in-sync follower holds the batch", async () => {
    const { log, followers, rep, woken } = setup(["weur", "apac"]);
    log.append(3);
    rep.afterAppend();
    await flush();
    expect(log.state.highWatermark).toBe(0);
    while (followers.deliver("weur")) await flush();
    expect(log.state.highWatermark).toBe(0);
    while (followers.deliver("apac")) await flush();
    expect(log.state.highWatermark).toBe(3);
    expect(woken()).toBe(1);
    // The followers then learn the new high watermark.
    while (followers.deliver()) await flush();
    expect(rep.pending).toBe(false);
  });

  it("ships every archived segment once, oldest first, a page at a time, and the log start", async () => {
    const { log, followers, rep } = setup(["weur"]);
    while (followers.deliver()) await flush();
    const seg = (i: number): ShippedSegment => ({
      baseOffset: i * 10,
      lastOffset: i * 10 + 9,
      maxTimestamp: i,
      timeIndex: i,
      bytes: 100,
      batchCount: 10,
      recordCount: 10,
      r2Key: `k${i}`,
      sealedAt: i,
      abortedTxns: 0,
      index: [{ offset: i * 10, position: 0, timeIndex: i }],
    });
    log.append(1000);
    log.archived = Array.from({ length: 70 }, (_, i) => seg(i));
    log.state.logStartOffset = 5;
    rep.afterAppend();
    const shipped: string[] = [];
    for (;;) {
      const m = followers.inbox[0];
      if (!m) break;
      shipped.push(...(m.chunk?.segments ?? []).map((s) => s.r2Key));
      expect(m.chunk?.logStart).toBe(5);
      followers.deliver();
      await flush();
    }
    expect(shipped).toEqual(log.archived.map((s) => s.r2Key));
    // One more segment archived: only it goes out next.
    log.archived.push(seg(70));
    rep.kick();
    await flush();
    expect(followers.inbox.map((m) => m.chunk?.segments?.map((s) => s.r2Key))).toEqual([["k70"]]);
  });

  it("drops a follower behind for longer than replica.lag.time.max.ms, then lets it back once caught up", async () => {
    const { log, followers, rep, isrStore } = setup(["weur", "apac"], 1, 500);
    while (followers.deliver()) await flush();
    followers.down.add("apac");
    log.append(2);
    rep.afterAppend();
    while (followers.deliver("weur")) await flush();
    expect(rep.isr).toEqual(["weur", "apac"]);
    expect(log.state.highWatermark).toBe(0);
    await vi.advanceTimersByTimeAsync(501);
    expect(rep.isr).toEqual(["weur"]);
    expect(isrStore.saved).toEqual(["weur"]);
    expect(log.state.highWatermark).toBe(2);
    followers.down.delete("apac");
    rep.onAlarm();
    while (followers.deliver()) await flush();
    expect(rep.isr.sort()).toEqual(["apac", "weur"]);
    expect(followers.held.get("apac")).toBe(2);
  });

  it("acks=all: refuses before writing with too few in sync, and reports a shrink during the wait after the write", async () => {
    const { log, followers, rep } = setup(["weur"], 2, 300);
    while (followers.deliver()) await flush();
    followers.down.add("weur");
    log.append(1);
    rep.afterAppend();
    const wait = rep.waitForReplicas(1);
    const outcome = wait.then(
      () => "ok",
      (e: EdgelogError) => e.code,
    );
    await vi.advanceTimersByTimeAsync(301);
    expect(await outcome).toBe("NOT_ENOUGH_REPLICAS_AFTER_APPEND");
    expect(() => rep.checkWritable()).toThrow(expect.objectContaining({ code: "NOT_ENOUGH_REPLICAS" }));
  });

  it("keeps Kafka's invariants through random appends, delays, failures and recoveries", async () => {
    let shrunk = 0;
    let rejoined = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const regions = ["weur", "apac", "oc"];
      const { log, followers, rep } = setup(regions, 1, 200);
      let lastHw = 0;
      let isrBefore = regions.length;
      for (let step = 0; step < 300; step++) {
        const roll = random();
        if (roll < 0.3) {
          log.append(1 + Math.floor(random() * 4));
          rep.afterAppend();
        } else if (roll < 0.7) {
          followers.deliver(regions[Math.floor(random() * regions.length)]);
        } else if (roll < 0.8) {
          const r = regions[Math.floor(random() * regions.length)]!;
          if (followers.down.has(r)) followers.down.delete(r);
          else followers.down.add(r);
        } else {
          await vi.advanceTimersByTimeAsync(Math.floor(random() * 150));
        }
        await flush();
        const hw = log.state.highWatermark;
        expect(hw).toBeGreaterThanOrEqual(lastHw);
        expect(hw).toBeLessThanOrEqual(log.state.logEndOffset);
        // No in-sync follower lacks anything below the high watermark.
        for (const r of rep.isr)
          expect(followers.held.get(r)!, `seed ${seed} step ${step} ${r}`).toBeGreaterThanOrEqual(hw);
        if (rep.isr.length < isrBefore) shrunk++;
        if (rep.isr.length > isrBefore) rejoined++;
        isrBefore = rep.isr.length;
        lastHw = hw;
      }
      // Healed and quiet: everyone converges.
      followers.down.clear();
      rep.onAlarm();
      for (let i = 0; i < 10_000 && (followers.inbox.length > 0 || rep.pending); i++) {
        if (!followers.deliver()) await vi.advanceTimersByTimeAsync(100);
        await flush();
      }
      for (const r of regions) expect(followers.held.get(r)).toBe(log.state.logEndOffset);
      expect(rep.isr.sort()).toEqual([...regions].sort());
      expect(log.state.highWatermark).toBe(log.state.logEndOffset);
      rep.close(new EdgelogError("UNKNOWN_SERVER_ERROR", "done"));
    }
    // The runs did exercise the in-sync set both ways.
    expect(shrunk).toBeGreaterThan(10);
    expect(rejoined).toBeGreaterThan(10);
  });
});
