// A mirror's slice against a scripted source and an in-memory target: resuming, retention skips, errors.

import { describe, expect, it } from "vitest";
import { copySlice, initialStatus, type MirrorTarget, type Positions } from "../../src/mirror/copy.js";
import type { SourcePartition } from "../../src/mirror/source.js";
import { EdgelogError } from "../../src/protocol/errors.js";
import { decodeRecords, encodeBatch, readBatchHeader, setBaseOffset } from "../../src/protocol/record-batch.js";
import { concat } from "../../src/util/bytes.js";
import type { MirrorConfig } from "../../src/contracts/mirror.js";

const cfg: MirrorConfig = {
  name: "m",
  id: "id-1",
  source: { url: "http://src", topic: "t" },
  topic: "t",
  partitions: 1,
  created_at: 0,
};
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A source partition holding offsets [start, end), one record per batch. */
function sourceLog(start: number, end: number) {
  const batches: Uint8Array[] = [];
  for (let o = start; o < end; o++) {
    const b = encodeBatch([{ key: null, value: utf8(`v${o}`), timestamp: o }]);
    setBaseOffset(b, o);
    batches.push(b);
  }
  return {
    fetch: async (_topic: string, positions: { partition: number; offset: number }[]): Promise<SourcePartition[]> =>
      positions.map(({ partition, offset }) =>
        offset < start || offset > end
          ? {
              partition,
              error: new EdgelogError("OFFSET_OUT_OF_RANGE", "out of range"),
              logStartOffset: start,
              highWatermark: end,
            }
          : {
              partition,
              batches: concat(batches.slice(offset - start)),
              aborted: [],
              logStartOffset: start,
              highWatermark: end,
            },
      ),
  };
}

/** A target partition: stored progress and the values appended, with the real mismatch rule. */
function memoryTarget(progress: number | null = null) {
  const values: string[] = [];
  const t: MirrorTarget & { values: string[]; stored: () => number | null } = {
    values,
    stored: () => progress,
    progress: async () => progress,
    append: async (_p, batches, from, next) => {
      if (progress !== null && progress !== from) throw new EdgelogError("MIRROR_OFFSET_MISMATCH", `at ${progress}`);
      for (let pos = 0; pos < batches.length; pos += readBatchHeader(batches, pos).size) {
        for (const r of decodeRecords(batches, pos)) values.push(new TextDecoder().decode(r.value!));
      }
      progress = next;
      return next;
    },
  };
  return t;
}

const opts = { waitMs: 0, maxBytes: 1 << 20, active: () => true };

describe("copySlice", () => {
  it("resumes from the progress the target partition holds, copying nothing twice", async () => {
    const target = memoryTarget(3);
    const status = initialStatus(1);
    const out = await copySlice(cfg, sourceLog(0, 6), target, [], status, opts);
    expect(out).toEqual({ copied: 3, failed: false });
    expect(target.values).toEqual(["v3", "v4", "v5"]);
    expect(status[0]).toMatchObject({ source_offset: 6, source_high_watermark: 6, lag: 0, records_skipped: 0 });
  });

  it("starts a new mirror at the source's log start without counting anything as skipped", async () => {
    const target = memoryTarget(null);
    const status = initialStatus(1);
    const positions: Positions = [];
    await copySlice(cfg, sourceLog(4, 6), target, positions, status, opts);
    await copySlice(cfg, sourceLog(4, 6), target, positions, status, opts);
    expect(target.values).toEqual(["v4", "v5"]);
    expect(status[0]!.records_skipped).toBe(0);
  });

  it("skips to the source's log start when retention removed records not yet copied, and says so", async () => {
    const target = memoryTarget(2);
    const status = initialStatus(1);
    const positions: Positions = [];
    await copySlice(cfg, sourceLog(5, 8), target, positions, status, opts);
    expect(target.stored()).toBe(5);
    expect(status[0]!.records_skipped).toBe(3);
    expect(status[0]!.last_error).toMatch(/retention removed offsets 2\.\.4/);
    await copySlice(cfg, sourceLog(5, 8), target, positions, status, opts);
    expect(target.values).toEqual(["v5", "v6", "v7"]);
    expect(status[0]!.lag).toBe(0);
  });

  it("re-reads the target's progress after a refused append instead of guessing", async () => {
    const target = memoryTarget(4);
    const positions: Positions = [1]; // stale: another instance copied further
    const status = initialStatus(1);
    const first = await copySlice(cfg, sourceLog(0, 6), target, positions, status, opts);
    expect(first.failed).toBe(false);
    expect(status[0]!.last_error).toMatch(/MIRROR_OFFSET_MISMATCH/);
    expect(positions[0]).toBeUndefined();
    await copySlice(cfg, sourceLog(0, 6), target, positions, status, opts);
    expect(target.values).toEqual(["v4", "v5"]);
    expect(status[0]!.last_error).toBeUndefined();
  });

  it("records a failing source on every partition and reports the slice failed, appending nothing", async () => {
    const target = memoryTarget(0);
    const status = initialStatus(1);
    const down = {
      fetch: async () => {
        throw new EdgelogError("NETWORK_EXCEPTION", "source unreachable: cannot reach http://src: ECONNREFUSED");
      },
    };
    expect(await copySlice(cfg, down, target, [], status, opts)).toEqual({ copied: 0, failed: true });
    expect(status[0]!.last_error).toMatch(/unreachable/);
    expect(target.stored()).toBe(0);
  });

  it("appends nothing once the mirror was deleted while the fetch was out", async () => {
    const target = memoryTarget(0);
    await copySlice(cfg, sourceLog(0, 3), target, [], initialStatus(1), { ...opts, active: () => false });
    expect(target.values).toEqual([]);
  });
});
