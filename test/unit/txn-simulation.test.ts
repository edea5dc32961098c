// A seeded random simulation of transactions: several transactional ids (versions 1 and 2) write
// to several partitions, commit, abort, time out, are fenced by new inits (their zombies keep
// trying), markers get lost and are retried, partitions restart. After every step, read_committed
// (the partition's LSO and aborted ranges through the consumer's filter) must never show a record
// of an aborted or still-open transaction, and the LSO must never pass an open transaction.
// The coordinator is src/transactions/state.ts; each partition keeps its books with
// src/log/transactions.ts and decides on markers and checks as PartitionDO does.

import { describe, expect, it } from "vitest";
import type { EdgelogError } from "../../src/protocol/errors.js";
import { ATTR_TRANSACTIONAL, encodeBatch, readBatchHeader, setBaseOffset } from "../../src/protocol/record-batch.js";
import { committedBatches, encodeMarker } from "../../src/protocol/transactions.js";
import { TxnTracker } from "../../src/log/transactions.js";
import {
  add,
  end,
  endNeedsProducerId,
  init,
  initNeedsProducerId,
  join,
  markerWritten,
  nextProducer,
  participantKey,
  pendingParticipants,
  timeOut,
  type Participant,
  type ProducerRef,
  type TxnMeta,
} from "../../src/transactions/state.js";
import { rng } from "../support/random.js";
import { MemoryTxnStore } from "../support/txn-store.js";

const TIMEOUT_MS = 1_000;
const PARTITIONS = 3;
const IDS = ["a", "b", "c"];

interface Tag {
  tid: string;
  seq: number;
}
const tagKey = (t: Tag) => `${t.tid}/${t.seq}`;

class Partition {
  readonly store = new MemoryTxnStore();
  tracker = new TxnTracker(this.store);
  readonly batches: Uint8Array[] = [];
  /** Ground truth per data batch: its transaction, or null for a plain (non-transactional) batch. */
  readonly tags = new Map<number, Tag | null>();
  /** Ground truth per transaction: its first offset here, and whether its marker was written here. */
  readonly first = new Map<string, number>();
  readonly marked = new Set<string>();
  /** The newest epoch seen per producer (Kafka's producer state: older epochs are fenced). */
  readonly epochs = new Map<number, number>();
  end = 0;

  constructor(readonly index: number) {}

  append(b: Uint8Array, now: number, tag: Tag | null, origin?: { txnSeq: number; transactionalId: string }): number {
    const base = this.end;
    setBaseOffset(b, base);
    const h = readBatchHeader(b);
    this.tracker.observe(h, b, now, origin);
    this.batches.push(b);
    this.end = base + h.lastOffsetDelta + 1;
    if (tag !== undefined) this.tags.set(base, tag);
    return base;
  }
}

interface Client {
  version: 1 | 2;
  producer: ProducerRef | null;
  /** Version 1: the participants this client registered in its current transaction. */
  registered: Set<string>;
}

class Sim {
  readonly random: () => number;
  now = 1_000_000;
  nextId = 100;
  readonly coord = new Map<string, TxnMeta>();
  readonly clients = new Map<string, Client>();
  readonly zombies: { tid: string; producer: ProducerRef }[] = [];
  readonly parts = Array.from({ length: PARTITIONS }, (_, i) => new Partition(i));
  /** The decided outcome of each transaction (absent: still open). */
  readonly outcome = new Map<string, "commit" | "abort">();
  /** Writes a zombie got in: must stay zero. */
  zombieWrites = 0;
  /** Every marker message sent, so the network can deliver one again, late. */
  readonly sent: { k: number; meta: TxnMeta }[] = [];

  constructor(seed: number) {
    this.random = rng(seed);
    IDS.forEach((tid, i) =>
      this.clients.set(tid, { version: i % 2 === 0 ? 2 : 1, producer: null, registered: new Set() }),
    );
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  participant(k: number): Participant {
    return { kind: "partition", topic: "t", topicId: "t-id", partition: k, ref: { partition: k } as never };
  }

  /** InitProducerId, finishing (with possibly lost markers) whatever the old holder left. */
  init(tid: string): void {
    const c = this.clients.get(tid)!;
    for (let attempt = 0; attempt < 2; attempt++) {
      const meta = this.coord.get(tid);
      const fresh = initNeedsProducerId(meta) ? this.nextId++ : undefined;
      const o = init(meta, tid, { version: c.version, timeoutMs: TIMEOUT_MS }, this.now, fresh);
      if (meta?.state === "Ongoing") this.decided(meta, "abort");
      this.coord.set(tid, o.meta);
      if (o.kind === "ready") {
        if (c.producer) this.zombies.push({ tid, producer: c.producer });
        c.producer = nextProducer(o.meta);
        c.registered.clear();
        return;
      }
      this.deliver(tid, 0.3);
      if (this.coord.get(tid)!.pending.length > 0) return; // CONCURRENT_TRANSACTIONS: the client retries later
    }
  }

  decided(meta: TxnMeta, result: "commit" | "abort"): void {
    this.outcome.set(tagKey({ tid: meta.transactionalId, seq: meta.txnSeq }), result);
  }

  /** A produce to partition k, as the router and PartitionDO serve it. */
  write(tid: string, k: number, producer: ProducerRef, zombie: boolean): void {
    const c = this.clients.get(tid)!;
    const meta = this.coord.get(tid);
    if (!meta) return;
    const p = this.parts[k]!;
    try {
      const key = participantKey(this.participant(k));
      if (c.version === 1 && !zombie && !c.registered.has(key)) {
        this.coord.set(tid, add(meta, producer, [this.participant(k)], this.now).meta);
        c.registered.add(key);
      }
      const known = p.epochs.get(producer.id);
      if (known !== undefined && producer.epoch < known) return; // PRODUCER_FENCED at the partition
      let seq: number;
      if (p.tracker.needsCheck(producer.id, producer.epoch)) {
        const j = join(this.coord.get(tid)!, producer, this.participant(k), this.now);
        this.coord.set(tid, j.meta);
        seq = j.txnSeq;
      } else {
        seq = p.tracker.openFor(producer.id)!.txnSeq!;
      }
      const batch = encodeBatch(
        [{ key: null, value: new TextEncoder().encode(`${tid}:${seq}`), timestamp: this.now }],
        {
          producerId: producer.id,
          producerEpoch: producer.epoch,
          baseSequence: 0,
          attributes: ATTR_TRANSACTIONAL,
        },
      );
      const base = p.append(batch, this.now, { tid, seq }, { txnSeq: seq, transactionalId: tid });
      if (!p.first.has(tagKey({ tid, seq }))) p.first.set(tagKey({ tid, seq }), base);
      p.epochs.set(producer.id, Math.max(known ?? 0, producer.epoch));
      if (zombie) this.zombieWrites++;
    } catch (e) {
      expectKafkaError(e);
    }
  }

  plainWrite(k: number): void {
    this.parts[k]!.append(
      encodeBatch([{ key: null, value: new TextEncoder().encode("plain"), timestamp: this.now }]),
      this.now,
      null,
    );
  }

  end(tid: string, result: "commit" | "abort"): void {
    const c = this.clients.get(tid)!;
    const meta = this.coord.get(tid);
    if (!meta || !c.producer) return;
    try {
      const fresh = endNeedsProducerId(meta) ? this.nextId++ : undefined;
      const e = end(meta, c.producer, result, this.now, fresh);
      if (meta.state === "Ongoing") this.decided(meta, result);
      this.coord.set(tid, e.meta);
      c.producer = e.reply.producer;
      c.registered.clear();
      this.deliver(tid, 0.4);
    } catch (e) {
      const code = expectKafkaError(e);
      if (code === "TRANSACTION_ABORTABLE") this.end(tid, "abort");
      if (code === "PRODUCER_FENCED") c.producer = null;
    }
  }

  /** The coordinator's alarm: time out an open transaction, retry pending markers. */
  alarm(tid: string, loss: number): void {
    const meta = this.coord.get(tid);
    if (!meta) return;
    const t = timeOut(meta, this.now);
    if (t) {
      this.decided(meta, "abort");
      this.coord.set(tid, t);
    }
    this.deliver(tid, loss);
  }

  /**
   * Tells pending participants the outcome; each message is lost with probability `loss`, and
   * half as often its answer is lost instead (written, but retried later).
   */
  deliver(tid: string, loss: number): void {
    for (const part of pendingParticipants(this.coord.get(tid)!)) {
      const r = this.random();
      if (r < loss) continue;
      const meta = this.coord.get(tid)!;
      if (part.kind === "partition") {
        this.marker(this.parts[part.partition]!, meta);
        this.sent.push({ k: part.partition, meta });
      }
      if (r < loss * 1.5) continue;
      this.coord.set(tid, markerWritten(meta, participantKey(part), this.now));
    }
  }

  /** PartitionDO.writeTxnMarker. */
  marker(p: Partition, meta: TxnMeta): void {
    const m = { producerId: meta.markerProducerId, producerEpoch: meta.markerEpoch, txnSeq: meta.txnSeq };
    const open = p.tracker.endedBy(m);
    p.epochs.set(m.producerId, Math.max(p.epochs.get(m.producerId) ?? 0, m.producerEpoch));
    if (!open) return;
    const type = meta.state === "PrepareCommit" ? "COMMIT" : "ABORT";
    p.append(
      encodeMarker({ producerId: m.producerId, producerEpoch: m.producerEpoch, type, timestamp: this.now }),
      this.now,
      undefined as never,
    );
    p.marked.add(tagKey({ tid: meta.transactionalId, seq: open.txnSeq! }));
  }

  step(): void {
    const r = this.random();
    const tid = this.pick(IDS);
    const c = this.clients.get(tid)!;
    if (r < 0.1 || !c.producer) this.init(tid);
    else if (r < 0.5) this.write(tid, Math.floor(this.random() * PARTITIONS), c.producer, false);
    else if (r < 0.55) this.plainWrite(Math.floor(this.random() * PARTITIONS));
    else if (r < 0.62 && this.zombies.length > 0) {
      const z = this.pick(this.zombies);
      this.write(z.tid, Math.floor(this.random() * PARTITIONS), z.producer, true);
    } else if (r < 0.72) this.end(tid, this.random() < 0.7 ? "commit" : "abort");
    else if (r < 0.85) this.alarm(tid, 0.3);
    else if (r < 0.92) this.now += Math.floor(this.random() * TIMEOUT_MS * 0.6);
    else if (r < 0.95 && this.sent.length > 0) {
      // A marker message delivered again, late (a retry racing its original, say).
      const m = this.pick(this.sent);
      this.marker(this.parts[m.k]!, m.meta);
    } else {
      // A partition object restarts: its books are read back from storage.
      const p = this.pick(this.parts);
      p.tracker = new TxnTracker(p.store);
    }
  }

  /** Every transaction ends and every marker lands: nothing may be left hanging. */
  drain(): void {
    this.now += TIMEOUT_MS * 2;
    for (const tid of IDS) for (let i = 0; i < 3; i++) this.alarm(tid, 0);
  }

  /** Collects every violation (one expect per check keeps the steps fast). */
  check(where: string): void {
    const bad: string[] = [];
    for (const p of this.parts) {
      const lso = p.tracker.lastStableOffset(p.end);
      // The LSO never passes a transaction still open here (by the simulation's own record).
      for (const [key, first] of p.first) {
        if (!p.marked.has(key) && lso > first)
          bad.push(`partition ${p.index}: LSO ${lso} passed open ${key} at ${first}`);
      }
      const below = p.batches.filter((b) => readBatchHeader(b).baseOffset < lso);
      const aborted = p.tracker.aborted(0, lso).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
      const shown = new Set(committedBatches(below, aborted).map((b) => readBatchHeader(b).baseOffset));
      for (const [base, tag] of p.tags) {
        if (base >= lso) continue;
        const committed = tag === null || (this.outcome.get(tagKey(tag)) === "commit" && p.marked.has(tagKey(tag)));
        if (shown.has(base) !== committed) {
          bad.push(`partition ${p.index}: offset ${base} (${tag ? tagKey(tag) : "plain"}) shown=${shown.has(base)}`);
        }
      }
    }
    if (bad.length > 0) expect(bad, where).toEqual([]);
  }
}

function expectKafkaError(e: unknown): string {
  const code = (e as EdgelogError).code;
  expect([
    "PRODUCER_FENCED",
    "TRANSACTION_ABORTABLE",
    "INVALID_TXN_STATE",
    "CONCURRENT_TRANSACTIONS",
    "INVALID_PRODUCER_ID_MAPPING",
  ]).toContain(code);
  return code;
}

describe("transactions, simulated", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: read_committed never shows aborted or open data; the LSO never passes an open transaction`, () => {
      const sim = new Sim(seed);
      for (let i = 0; i < 500; i++) {
        sim.step();
        sim.check(`seed ${seed} step ${i}`);
      }
      sim.drain();
      sim.check(`seed ${seed} drained`);
      expect(sim.zombieWrites, "a fenced producer wrote").toBe(0);
      for (const p of sim.parts) {
        expect(p.tracker.anyOpen, `partition ${p.index} has a hanging transaction`).toBe(false);
        expect(p.tracker.lastStableOffset(p.end)).toBe(p.end);
      }
      // The run did exercise what it claims to.
      const outcomes = [...sim.outcome.values()];
      expect(outcomes.filter((o) => o === "commit").length).toBeGreaterThan(5);
      expect(outcomes.filter((o) => o === "abort").length).toBeGreaterThan(5);
    });
  }
});
