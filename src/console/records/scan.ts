// Scanning partitions forward for records that match a filter, past the loaded page: a page at a
// time per partition, until enough matches, the record budget, the end of every partition, or stop.

import { byTime, type ConsoleRecord } from "./model.js";
import type { Predicate } from "./filter.js";

export interface PageReply {
  records: ConsoleRecord[];
  next_offset: number;
  high_watermark: number;
}

export interface ScanProgress {
  scanned: number;
  budget: number;
  matches: number;
  /** Next offset to read, per partition. */
  positions: Map<number, number>;
  /** Partitions read up to their high watermark. */
  done: Set<number>;
}

export interface ScanOptions {
  /** Where each partition's scan starts. */
  from: Map<number, number>;
  /** Reads up to `max` records of a partition from an offset. */
  fetchPage(partition: number, offset: number, max: number): Promise<PageReply>;
  predicate: Predicate;
  /** Stop after this many matches. */
  want: number;
  /** Stop after reading this many records. */
  budget: number;
  /** Records asked per request. */
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?(p: ScanProgress, found: ConsoleRecord[]): void;
}

export interface ScanResult extends ScanProgress {
  found: ConsoleRecord[];
  /** Why it ended. */
  reason: "enough" | "budget" | "end" | "stopped";
}

export async function scan(o: ScanOptions): Promise<ScanResult> {
  const positions = new Map(o.from);
  const done = new Set<number>();
  const found: ConsoleRecord[] = [];
  let scanned = 0;
  const progress = (): ScanProgress => ({ scanned, budget: o.budget, matches: found.length, positions, done });
  const finish = (reason: ScanResult["reason"]): ScanResult => ({ ...progress(), found: found.sort(byTime), reason });
  // Partitions take turns, so matches come from all of them rather than the first one's whole log.
  for (;;) {
    const live = [...positions.keys()].filter((p) => !done.has(p));
    if (live.length === 0) return finish("end");
    for (const p of live) {
      if (o.signal?.aborted) return finish("stopped");
      if (found.length >= o.want) return finish("enough");
      const left = o.budget - scanned;
      if (left <= 0) return finish("budget");
      const reply = await o.fetchPage(p, positions.get(p)!, Math.min(o.pageSize ?? 500, left));
      if (o.signal?.aborted) return finish("stopped");
      scanned += reply.records.length;
      for (const r of reply.records) if (o.predicate(r) && found.length < o.want) found.push(r);
      positions.set(p, reply.next_offset);
      if (reply.records.length === 0 || reply.next_offset >= reply.high_watermark) done.add(p);
      o.onProgress?.(progress(), found);
    }
  }
}
