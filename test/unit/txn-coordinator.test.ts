// The transaction coordinator's state machine (src/transactions/state.ts): init and fencing,
// registration, the decision and its completion, timeouts, retries, both protocol versions.

import { describe, expect, it } from "vitest";
import type { EdgelogError } from "../../src/protocol/errors.js";
import {
  add,
  end,
  EPOCH_EXHAUSTED,
  init,
  join,
  markerWritten,
  nextProducer,
  participantKey,
  pendingParticipants,
  timeOut,
  type Participant,
  type TxnMeta,
} from "../../src/transactions/state.js";

const T0 = 1_000_000;
const ref = { id: "tid-1", name: "out", partition: 0, version: 1, config: {} } as never;
const part = (partition: number): Participant => ({
  kind: "partition",
  topic: "out",
  topicId: "tid-1",
  partition,
  ref,
});
const group: Participant = { kind: "group", group: "g" };

function ready(m: TxnMeta | undefined, req = {}, now = T0, fresh?: number): TxnMeta {
  const o = init(m, "app", req, now, fresh);
  expect(o.kind).toBe("ready");
  return o.meta;
}

function first(version: 1 | 2 = 2): TxnMeta {
  return ready(undefined, { version }, T0, 42);
}

/** Delivers every pending marker. */
function completeAll(m: TxnMeta, now = T0): TxnMeta {
  for (const p of pendingParticipants(m)) m = markerWritten(m, participantKey(p), now);
  return m;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as EdgelogError).code;
  }
  return "no error";
}

describe("init", () => {
  it("gives a new id a producer id at epoch 0, and bumps the epoch on every later init", () => {
    const m = first();
    expect(nextProducer(m)).toEqual({ id: 42, epoch: 0 });
    expect(m.state).toBe("Empty");
    const again = ready(m);
    expect(nextProducer(again)).toEqual({ id: 42, epoch: 1 });
  });

  it("refuses timeouts outside 1..900000 and keeps the version it was given", () => {
    expect(code(() => init(undefined, "app", { timeoutMs: 900_001 }, T0, 1))).toBe("INVALID_TRANSACTION_TIMEOUT");
    expect(code(() => init(undefined, "app", { timeoutMs: 0 }, T0, 1))).toBe("INVALID_TRANSACTION_TIMEOUT");
    const m = ready(undefined, { version: 1, timeoutMs: 5000 }, T0, 1);
    expect([m.version, m.timeoutMs]).toEqual([1, 5000]);
  });

  it("fences the old holder: an open transaction is aborted with a bumped epoch first, then init bumps again", () => {
    let m = first();
    m = add(m, { id: 42, epoch: 0 }, [part(0), part(1)], T0).meta;
    const o = init(m, "app", {}, T0 + 1);
    expect(o.kind).toBe("complete-first");
    expect(o.meta.state).toBe("PrepareAbort");
    // The abort markers carry the bumped epoch, so every partition refuses the old holder.
    expect([o.meta.markerProducerId, o.meta.markerEpoch]).toEqual([42, 1]);
    expect(o.meta.pending).toHaveLength(2);
    // While markers are pending, a retried init still waits.
    expect(init(o.meta, "app", {}, T0 + 2).kind).toBe("complete-first");
    const done = completeAll(o.meta);
    expect(done.state).toBe("CompleteAbort");
    const fresh = ready(done);
    expect(nextProducer(fresh)).toEqual({ id: 42, epoch: 2 });
    // The old holder is fenced everywhere.
    expect(code(() => add(fresh, { id: 42, epoch: 0 }, [part(0)], T0))).toBe("PRODUCER_FENCED");
    expect(code(() => end(fresh, { id: 42, epoch: 0 }, "commit", T0))).toBe("PRODUCER_FENCED");
    // ... and cannot recover by KIP-360 with its stale epoch either.
    expect(code(() => init(fresh, "app", { producer: { id: 42, epoch: 1 } }, T0))).toBe("PRODUCER_FENCED");
  });

  it("KIP-360 recovery keeps the producer id; a retry of it answers the same epoch; a stranger is fenced", () => {
    const m = ready(first()); // epoch 1
    const r = ready(m, { producer: { id: 42, epoch: 1 } });
    expect(nextProducer(r)).toEqual({ id: 42, epoch: 2 });
    expect(nextProducer(ready(r, { producer: { id: 42, epoch: 1 } }))).toEqual({ id: 42, epoch: 2 });
    expect(code(() => init(r, "app", { producer: { id: 42, epoch: 0 } }, T0))).toBe("PRODUCER_FENCED");
    expect(code(() => init(r, "app", { producer: { id: 7, epoch: 2 } }, T0))).toBe("INVALID_PRODUCER_ID_MAPPING");
  });

  it("moves to a new producer id at an exhausted epoch", () => {
    const m: TxnMeta = { ...first(), producerEpoch: EPOCH_EXHAUSTED };
    const r = ready(m, {}, T0, 99);
    expect(nextProducer(r)).toEqual({ id: 99, epoch: 0 });
  });
});

describe("version 1", () => {
  it("requires registration before a partition's first write, keeps the epoch across transactions", () => {
    let m = first(1);
    const p = { id: 42, epoch: 0 };
    expect(code(() => join(m, p, part(0), T0))).toBe("INVALID_TXN_STATE");
    const added = add(m, p, [part(0)], T0);
    m = added.meta;
    expect(m.state).toBe("Ongoing");
    expect(join(m, p, part(0), T0).txnSeq).toBe(added.txnSeq);
    expect(code(() => join(m, p, part(1), T0))).toBe("INVALID_TXN_STATE");
    expect(code(() => join(m, p, group, T0))).toBe("INVALID_TXN_STATE");
    const e = end(m, p, "commit", T0);
    expect(e.reply).toEqual({ result: "committed", producer: p });
    expect([e.meta.markerProducerId, e.meta.markerEpoch]).toEqual([42, 0]);
    m = completeAll(e.meta);
    expect(m.state).toBe("CompleteCommit");
    // The next transaction uses the same epoch and a new number.
    const next = add(m, p, [part(1)], T0);
    expect(next.txnSeq).toBe(added.txnSeq + 1);
  });
});

describe("version 2", () => {
  it("registers partitions on their first write and bumps the epoch at every end", () => {
    let m = first();
    const p0 = { id: 42, epoch: 0 };
    const j = join(m, p0, part(0), T0);
    m = join(j.meta, p0, group, T0).meta;
    expect(m.participants.map(participantKey)).toEqual(["p:tid-1/0", "g:g"]);
    const e = end(m, p0, "commit", T0);
    expect(e.reply.producer).toEqual({ id: 42, epoch: 1 });
    expect(e.meta.markerEpoch).toBe(1);
    m = completeAll(e.meta);
    // A zombie of the ended transaction (old epoch) can neither write nor register.
    expect(code(() => join(m, p0, part(0), T0))).toBe("PRODUCER_FENCED");
    // A retry of the same end answers alike; the other outcome is refused.
    expect(end(m, p0, "commit", T0).reply.producer).toEqual({ id: 42, epoch: 1 });
    expect(code(() => end(m, p0, "abort", T0))).toBe("INVALID_TXN_STATE");
    // The producer goes on with epoch 1.
    expect(join(m, { id: 42, epoch: 1 }, part(1), T0).meta.state).toBe("Ongoing");
  });

  it("hands out a new producer id once the epoch would be exhausted", () => {
    let m: TxnMeta = { ...first(), producerEpoch: EPOCH_EXHAUSTED - 1 };
    const p = { id: 42, epoch: EPOCH_EXHAUSTED - 1 };
    m = add(m, p, [part(0)], T0).meta;
    const e = end(m, p, "commit", T0, 77);
    expect(e.reply.producer).toEqual({ id: 77, epoch: 0 });
    expect([e.meta.markerProducerId, e.meta.markerEpoch]).toEqual([42, EPOCH_EXHAUSTED]);
    // Before the markers land, the new id must wait.
    expect(code(() => add(e.meta, { id: 77, epoch: 0 }, [part(0)], T0))).toBe("CONCURRENT_TRANSACTIONS");
    m = completeAll(e.meta);
    expect(nextProducer(m)).toEqual({ id: 77, epoch: 0 });
    expect(add(m, { id: 77, epoch: 0 }, [part(0)], T0).meta.state).toBe("Ongoing");
    // A retry of the end with the old id still answers.
    expect(end(m, p, "commit", T0).reply.producer).toEqual({ id: 77, epoch: 0 });
  });
});

describe("end", () => {
  it("succeeds with nothing open and changes nothing (an empty commit writes nothing)", () => {
    const m = first();
    const e = end(m, { id: 42, epoch: 0 }, "commit", T0);
    expect(e.meta).toBe(m);
    expect(e.reply).toEqual({ result: "committed", producer: { id: 42, epoch: 0 } });
  });

  it("records the decision before any marker: pending lists every participant until each is told", () => {
    let m = add(first(), { id: 42, epoch: 0 }, [part(0), part(1), group], T0).meta;
    m = end(m, { id: 42, epoch: 0 }, "abort", T0).meta;
    expect(m.state).toBe("PrepareAbort");
    expect(m.pending).toEqual(["p:tid-1/0", "p:tid-1/1", "g:g"]);
    m = markerWritten(m, "p:tid-1/1", T0);
    m = markerWritten(m, "p:tid-1/1", T0); // a retried marker changes nothing
    expect(m.pending).toEqual(["p:tid-1/0", "g:g"]);
    // Registrations wait for the outcome; so does the other outcome.
    expect(code(() => add(m, { id: 42, epoch: 1 }, [part(2)], T0))).toBe("CONCURRENT_TRANSACTIONS");
    expect(code(() => end(m, { id: 42, epoch: 0 }, "commit", T0))).toBe("INVALID_TXN_STATE");
    m = completeAll(m);
    expect(m.state).toBe("CompleteAbort");
  });
});

describe("timeout", () => {
  it("aborts a transaction open past its timeout, bumping the epoch; the holder may abort and go on", () => {
    let m = ready(undefined, { timeoutMs: 1000 }, T0, 42);
    const p = { id: 42, epoch: 0 };
    m = add(m, p, [part(0)], T0).meta;
    expect(timeOut(m, T0 + 999)).toBeNull();
    const t = timeOut(m, T0 + 1000)!;
    expect([t.state, t.markerEpoch]).toEqual(["PrepareAbort", 1]);
    m = completeAll(t);
    expect(code(() => join(m, p, part(0), T0))).toBe("TRANSACTION_ABORTABLE");
    expect(code(() => end(m, p, "commit", T0))).toBe("TRANSACTION_ABORTABLE");
    const a = end(m, p, "abort", T0);
    expect(a.reply).toEqual({ result: "aborted", producer: { id: 42, epoch: 1 } });
    expect(add(m, a.reply.producer, [part(0)], T0).meta.state).toBe("Ongoing");
    // Version 1 clients recover by KIP-360 instead: their old epoch answers the current one.
    expect(nextProducer(ready(m, { producer: p }))).toEqual({ id: 42, epoch: 1 });
  });
});
