// One bounded slice of a mirror's work: fetch every source partition from where the target
// partition says the copy stands, append what came back, and record lag and errors.

import type { MirrorPartitionStatus, MirrorView } from "../protocol/api.js";
import { EdgelogError } from "../protocol/errors.js";
import { prepareSourceBatches } from "./batches.js";
import type { SourceClient, SourcePartition } from "./source.js";
import type { MirrorConfig } from "../contracts/mirror.js";

/** The target partitions, as the mirror reaches them (PartitionDO.mirrorProgress / appendMirrored). */
export interface MirrorTarget {
  progress(partition: number): Promise<number | null>;
  /** Appends and stores `next` as the progress if it stands at `from`; returns the progress stored. */
  append(partition: number, batches: Uint8Array, from: number, next: number): Promise<number>;
}

export interface SliceOptions {
  /** Long-poll at the source this long when every partition is caught up. */
  waitMs: number;
  maxBytes: number;
  /** Asked after the fetch, before anything is appended: false once the mirror was deleted meanwhile. */
  active(): boolean;
}

export interface SliceOutcome {
  copied: number;
  /** Something failed that is worth a backoff before the next slice (source down, local topic gone). */
  failed: boolean;
}

/**
 * Where each partition's copy stands, as this mirror instance last learned it from the target
 * partition: undefined = ask the partition (after a restart, or a refused append); null = nothing
 * copied yet (start at the source's log start).
 */
export type Positions = (number | null | undefined)[];

export function initialStatus(partitions: number): MirrorPartitionStatus[] {
  return Array.from({ length: partitions }, (_, partition) => ({
    partition,
    source_offset: null,
    source_high_watermark: null,
    lag: null,
    records_skipped: 0,
  }));
}

export function mirrorView(cfg: MirrorConfig, status: MirrorPartitionStatus[]): MirrorView {
  const known = status.every((s) => s.lag !== null);
  return {
    name: cfg.name,
    id: cfg.id,
    source: { url: cfg.source.url, topic: cfg.source.topic },
    topic: cfg.topic,
    partitions: status,
    lag: known ? status.reduce((n, s) => n + s.lag!, 0) : null,
    created_at: cfg.created_at,
  };
}

export async function copySlice(
  cfg: MirrorConfig,
  source: Pick<SourceClient, "fetch">,
  target: MirrorTarget,
  positions: Positions,
  status: MirrorPartitionStatus[],
  opts: SliceOptions,
): Promise<SliceOutcome> {
  const outcome: SliceOutcome = { copied: 0, failed: false };
  const from: number[] = [];
  for (let p = 0; p < cfg.partitions; p++) {
    try {
      if (positions[p] === undefined) positions[p] = await target.progress(p);
    } catch (e) {
      status[p]!.last_error = message(e);
      outcome.failed = true;
    }
    from[p] = positions[p] ?? 0;
  }
  if (outcome.failed) return outcome;

  let fetched: SourcePartition[];
  try {
    fetched = await source.fetch(
      cfg.source.topic,
      from.map((offset, partition) => ({ partition, offset })),
      opts.waitMs,
      opts.maxBytes,
    );
  } catch (e) {
    for (const s of status) s.last_error = message(e);
    return { copied: 0, failed: true };
  }
  if (!opts.active()) return outcome;

  for (const f of fetched) {
    const p = f.partition;
    const s = status[p];
    if (!s) continue;
    try {
      if ("error" in f) {
        if (!(await onFetchError(cfg, target, positions, s, f, from[p]!))) outcome.failed = true;
        continue;
      }
      const slice = prepareSourceBatches(f.batches, from[p]!, f.aborted);
      if (slice.next > from[p]!) {
        positions[p] = await target.append(p, slice.batches, from[p]!, slice.next);
        outcome.copied += slice.records;
      }
      s.source_offset = positions[p] ?? f.logStartOffset;
      s.source_high_watermark = f.highWatermark;
      s.lag = Math.max(0, f.highWatermark - (positions[p] ?? f.logStartOffset));
      delete s.last_error;
    } catch (e) {
      s.last_error = message(e);
      // The partition holds other progress than this instance thought: ask it again, at once.
      if (e instanceof EdgelogError && e.code === "MIRROR_OFFSET_MISMATCH") positions[p] = undefined;
      else outcome.failed = true;
    }
  }
  return outcome;
}

/**
 * A partition's fetch failed on its own; false when it stays failed. Below the source's log start (its retention removed
 * records before they were copied), the copy resumes at the log start, as Kafka's MirrorMaker
 * does under auto.offset.reset=earliest, and the partition reports how many records it skipped.
 */
async function onFetchError(
  cfg: MirrorConfig,
  target: MirrorTarget,
  positions: Positions,
  s: MirrorPartitionStatus,
  f: Extract<SourcePartition, { error: EdgelogError }>,
  from: number,
): Promise<boolean> {
  const start = f.logStartOffset;
  if (f.error.code !== "OFFSET_OUT_OF_RANGE" || start === undefined || from >= start) {
    s.last_error =
      f.error.code === "OFFSET_OUT_OF_RANGE"
        ? `source partition ${s.partition} of ${cfg.source.topic} ends at ${f.highWatermark}, below the ${from} already copied (was it recreated?): not copying until resolved`
        : f.error.message;
    return false;
  }
  const copied = positions[s.partition];
  if (copied === null || copied === undefined) {
    // Nothing copied yet: start where the source starts; nothing was skipped.
    positions[s.partition] = start;
    return true;
  }
  positions[s.partition] = await target.append(s.partition, new Uint8Array(0), copied, start);
  s.records_skipped += start - copied;
  s.source_offset = start;
  s.last_error = `source retention removed offsets ${copied}..${start - 1} of partition ${s.partition} before they were copied; resumed at ${start}`;
  return true;
}

function message(e: unknown): string {
  if (e instanceof EdgelogError) return `${e.code}: ${e.message}`;
  return String((e as Error)?.message ?? e);
}
