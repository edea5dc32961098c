import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/protocol/errors.js";
import { groupAppend, laneKey, type AppendEntry } from "../../src/router/group-commit.js";
import type { AppendedBatch } from "../../src/contracts/partition.js";

/** A fake partition: each byte of a body is one batch; byte 0xff is a batch the log refuses. */
function fakePartition(fault?: EdgelogError) {
  const calls: number[][] = [];
  let next = 0;
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const send = async (body: Uint8Array): Promise<AppendedBatch[]> => {
    calls.push([...body]);
    if (gate) await gate;
    if (fault) throw fault;
    if (body.includes(0xff)) throw new EdgelogError("CORRUPT_MESSAGE", "bad batch");
    return [...body].map(() => {
      const o = next++;
      return { baseOffset: o, lastOffset: o, logStartOffset: 0, logAppendTime: -1, duplicate: false };
    });
  };
  return {
    calls,
    send,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    open() {
      gate = undefined;
      release?.();
    },
  };
}

const entry = (...bytes: number[]): AppendEntry => ({
  body: new Uint8Array(bytes),
  batches: bytes.length,
  idempotent: false,
});
const keepAlive = () => {};
let topic = 0;
const key = () => laneKey(`t${++topic}`, 0, 1, 1);
const offsets = (r: AppendedBatch[]) => r.map((b) => b.baseOffset);

describe("router group commit", () => {
  it("sends a lone request at once, alone", async () => {
    const p = fakePartition();
    expect(offsets(await groupAppend(key(), entry(1, 2), p.send, keepAlive))).toEqual([0, 1]);
    expect(p.calls).toEqual([[1, 2]]);
  });

  it("merges the requests that arrive during a call into one call, in arrival order, and splits the replies", async () => {
    const p = fakePartition();
    const k = key();
    p.hold();
    const first = groupAppend(k, entry(1), p.send, keepAlive);
    const later = [
      groupAppend(k, entry(2, 3), p.send, keepAlive),
      groupAppend(k, entry(4), p.send, keepAlive),
      groupAppend(k, entry(5, 6, 7), p.send, keepAlive),
    ];
    p.open();
    expect(offsets(await first)).toEqual([0]);
    expect((await Promise.all(later)).map(offsets)).toEqual([[1, 2], [3], [4, 5, 6]]);
    expect(p.calls).toEqual([[1], [2, 3, 4, 5, 6, 7]]);
  });

  it("re-sends a refused merge request by request, so only the bad one fails and order holds", async () => {
    const p = fakePartition();
    const k = key();
    p.hold();
    const first = groupAppend(k, entry(1), p.send, keepAlive);
    const rest = [entry(2), entry(0xff), entry(3, 4)].map((e) =>
      groupAppend(k, e, p.send, keepAlive).then(offsets, (e) => e.code),
    );
    p.open();
    await first;
    expect(await Promise.all(rest)).toEqual([[1], "CORRUPT_MESSAGE", [2, 3]]);
    expect(p.calls).toEqual([[1], [2, 0xff, 3, 4], [2], [0xff], [3, 4]]);
  });

  it("fails every merged request on a fault that is not one request's input, without re-sending", async () => {
    const fault = fakePartition(new EdgelogError("KAFKA_STORAGE_ERROR", "disk"));
    const k = key();
    fault.hold();
    const a = groupAppend(k, entry(1), fault.send, keepAlive).catch((e) => e.code);
    const b = [entry(2), entry(3)].map((e) => groupAppend(k, e, fault.send, keepAlive).catch((e) => e.code));
    fault.open();
    expect(await a).toBe("KAFKA_STORAGE_ERROR");
    expect(await Promise.all(b)).toEqual(["KAFKA_STORAGE_ERROR", "KAFKA_STORAGE_ERROR"]);
    expect(fault.calls).toEqual([[1], [2, 3]]);
  });

  it("keeps lanes apart: another partition or topic version is never merged in", async () => {
    const p = fakePartition();
    p.hold();
    const a = groupAppend(laneKey("x", 0, 1, 1), entry(1), p.send, keepAlive);
    const b = groupAppend(laneKey("x", 1, 1, 1), entry(2), p.send, keepAlive);
    const c = groupAppend(laneKey("x", 0, 2, 1), entry(3), p.send, keepAlive);
    const d = groupAppend(laneKey("x", 0, 1, 0), entry(4), p.send, keepAlive);
    p.open();
    await Promise.all([a, b, c, d]);
    expect(p.calls).toEqual([[1], [2], [3], [4]]);
  });

  it("hands driving on when a driver lets go with requests still queued", async () => {
    const p = fakePartition();
    const k = key();
    const all: Promise<AppendedBatch[]>[] = [];
    let arrived = 1;
    // Each call brings the next request, so no two merge and one driver reaches its call limit.
    const send = (body: Uint8Array) => {
      if (arrived < 100) {
        arrived++;
        all.push(groupAppend(k, entry(1), send, keepAlive));
      }
      return p.send(body);
    };
    const first = groupAppend(k, entry(1), send, keepAlive);
    all.unshift(first);
    const got: number[] = [];
    for (let i = 0; i < all.length; i++) got.push(...offsets(await all[i]!));
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p.calls).toHaveLength(100);
  });
});
