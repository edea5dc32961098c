// r2-sink: rolls each partition's records into R2 objects of flush.size records (or fewer, once an
// object has been open rotate.interval.ms), keyed <dir>/<topic>/<partition>/<date>/<startOffset>.
// Each object is committed as soon as it is written, so at most one uncommitted object per
// partition can exist after a crash, and the first object written after a restart starts at the
// committed offset: it has that object's key and replaces it. Every offset is in exactly one object.

import type { CommitOffsets, PartitionOffset, TopicPartition } from "../../host/runner.js";
import { formatJavaDate } from "../transforms/routers.js";
import type { ObjectFormat } from "./object-format.js";
import type { SinkRecord, SinkTask } from "./task.js";

export interface R2SinkDeps {
  bucket: R2Bucket;
  dir: string;
  flushSize: number;
  /** -1: objects close on size (and on commits while revoked or stopping) only. */
  rotateIntervalMs: number;
  format: ObjectFormat;
  now: () => number;
}

interface Open {
  topic: string;
  partition: number;
  records: SinkRecord[];
  openedAt: number;
}

/**
 * An object's key: the date is the first record's (UTC, record time), so a rewrite after a restart
 * lands on the same key as the object it replaces.
 */
export function objectKey(dir: string, first: SinkRecord, extension: string): string {
  const { topic, partition, offset } = first.original;
  const date = formatJavaDate("yyyy-MM-dd", first.timestamp ?? 0);
  return `${dir}/${topic}/${partition}/${date}/${String(offset).padStart(20, "0")}.${extension}`;
}

export class R2Sink implements SinkTask {
  readonly #d: R2SinkDeps;
  readonly #open = new Map<string, Open>();

  constructor(d: R2SinkDeps) {
    this.#d = d;
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (const r of records) {
      const k = `${r.original.topic}\u0000${r.original.partition}`;
      let o = this.#open.get(k);
      if (!o) {
        o = { topic: r.original.topic, partition: r.original.partition, records: [], openedAt: this.#d.now() };
        this.#open.set(k, o);
      }
      o.records.push(r);
    }
  }

  commitDue(): boolean {
    const now = this.#d.now();
    for (const o of this.#open.values()) if (this.#due(o, now)) return true;
    return false;
  }

  #due(o: Open, now: number): boolean {
    if (o.records.length >= this.#d.flushSize) return true;
    return this.#d.rotateIntervalMs >= 0 && o.records.length > 0 && now - o.openedAt >= this.#d.rotateIntervalMs;
  }

  /**
   * Writes the objects that are due, committing each one's end as soon as it is written; open
   * objects that are not due stay open, their partitions committed up to the last written object.
   */
  async flush(offsets: PartitionOffset[], commit: CommitOffsets): Promise<PartitionOffset[]> {
    const now = this.#d.now();
    const done: PartitionOffset[] = [];
    for (const [k, o] of this.#open) {
      const rotate = this.#due(o, now);
      while (o.records.length >= this.#d.flushSize || (rotate && o.records.length > 0)) {
        const chunk = o.records.splice(0, this.#d.flushSize);
        const end = { topic: o.topic, partition: o.partition, offset: chunk.at(-1)!.original.offset + 1 };
        await this.#d.bucket.put(
          objectKey(this.#d.dir, chunk[0]!, this.#d.format.extension),
          this.#d.format.encode(chunk),
          {
            httpMetadata: { contentType: this.#d.format.contentType },
            customMetadata: { records: String(chunk.length), "end-offset": String(end.offset) },
          },
        );
        await commit([end]);
        done.push(end);
      }
      if (o.records.length === 0) this.#open.delete(k);
      else o.openedAt = rotate ? now : o.openedAt;
    }
    // Partitions with nothing open (every record written, or all of them filtered out) are committed where they are.
    const idle = offsets.filter((p) => !this.#open.has(`${p.topic}\u0000${p.partition}`));
    const fresh = idle.filter(
      (p) => !done.some((d) => d.topic === p.topic && d.partition === p.partition && d.offset === p.offset),
    );
    if (fresh.length > 0) await commit(fresh);
    return [...done.filter((d) => !idle.some((p) => p.topic === d.topic && p.partition === d.partition)), ...idle];
  }

  close(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#open.delete(`${p.topic}\u0000${p.partition}`);
  }
}
