// One partition object's counters: what its appends and reads add, which of that is not yet
// persisted or pushed, and the report it pushes to its topic's aggregate (counters plus gauges).
// Pure: the object wires it (counting in its append's own write, pushing when due).

import { readBatchHeader } from "../protocol/record-batch.js";
import { PushClock } from "./push-clock.js";
import { MetricSet, type MetricsSnapshot } from "./series.js";

/** The gauges a partition reports beside its counters, read from its log and replicator when it pushes. */
export interface PartitionGauges {
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  /** Below the first open transaction's first offset (the high watermark when none is open). */
  lastStableOffset: number;
  hotBytes: number;
  archivedBytes: number;
  segments: number;
  storageBytes: number;
  longPolls: number;
  websockets: number;
  /** Geo-replicated topics only: in-sync replicas (leader included), replicas, min.insync.replicas, lag by region. */
  replication?: { isr: number; replicas: number; minIsr: number; lag: Record<string, number | null> };
}

/** What a partition pushes to its topic's aggregate; replaces the previous one whole. */
export interface PartitionReport {
  partition: number;
  /** Unix ms the object (this instance of it) started. */
  startedAt: number;
  /** Unix ms the report was made. */
  at: number;
  /** Counters since the partition was created (persisted), without topic/partition labels. */
  counters: MetricsSnapshot;
  gauges: PartitionGauges | null;
  /** Why the gauges could not be read (the scrape shows edgelog_scrape_errors for this partition). */
  error?: string;
}

/** Labels of the partition's own counters; the scrape adds topic and partition. */
export const SEND = { operation: "send" } as const;
export const RECEIVE = { operation: "receive" } as const;

export class PartitionMeter {
  readonly counters: MetricSet;
  #unpersisted = false;
  readonly #clock: PushClock;

  constructor(
    stored: MetricsSnapshot | undefined,
    readonly startedAt: number,
  ) {
    this.counters = MetricSet.from(stored);
    this.#clock = new PushClock(startedAt);
  }

  /** An append's records and bytes; call inside the append's write so they persist with it. */
  appended(batches: Uint8Array, appended: readonly { duplicate: boolean; baseOffset: number; lastOffset: number }[]) {
    let records = 0;
    let bytes = 0;
    let pos = 0;
    for (const b of appended) {
      const size = pos < batches.length ? readBatchHeader(batches, pos).batchLength + 12 : 0;
      pos += size;
      if (b.duplicate) continue;
      records += b.lastOffset - b.baseOffset + 1;
      bytes += size;
    }
    if (records === 0) return;
    this.counters.add("messaging_client_sent_messages_total", {}, records);
    this.counters.add("edgelog_bytes_in_total", {}, bytes);
    this.#changed();
  }

  /** An append call finished: its latency in ms (as far as the clock moved) and its error code, if any. */
  produced(ms: number, errorCode?: string): void {
    this.counters.add("edgelog_produce_requests_total", {});
    if (errorCode) this.counters.add("edgelog_produce_errors_total", { error_code: errorCode });
    this.counters.observe("messaging_client_operation_duration_seconds", SEND, ms / 1000);
    this.#changed();
  }

  /** A read call finished: the batches it served (record counts from their headers), latency, error. */
  read(batches: readonly Uint8Array[], ms: number, errorCode?: string): void {
    let records = 0;
    let bytes = 0;
    for (const b of batches) {
      records += readBatchHeader(b).lastOffsetDelta + 1;
      bytes += b.byteLength;
    }
    this.counters.add("edgelog_fetch_requests_total", {});
    if (errorCode) this.counters.add("edgelog_fetch_errors_total", { error_code: errorCode });
    if (records > 0) {
      this.counters.add("messaging_client_consumed_messages_total", {}, records);
      this.counters.add("edgelog_bytes_out_total", {}, bytes);
    }
    this.counters.observe("messaging_client_operation_duration_seconds", RECEIVE, ms / 1000);
    this.#changed();
  }

  /** The counters to write now, or undefined when nothing changed since the last write. */
  takeUnpersisted(): MetricsSnapshot | undefined {
    if (!this.#unpersisted) return undefined;
    this.#unpersisted = false;
    return this.counters.snapshot();
  }

  /** Whether anything changed since the last push. */
  get unpushed(): boolean {
    return this.#clock.unpushed;
  }

  /**
   * When a push is due (null: nothing to push): at once if the last one is `intervalMs` old, else
   * when it will be. Pushing at most once per interval keeps the aggregate's load per partition bounded.
   */
  pushDue(intervalMs: number): number | null {
    return this.#clock.due(intervalMs);
  }

  /** The report to push now; marks everything pushed (`pushFailed` undoes that). */
  report(partition: number, gauges: PartitionGauges | null, now: number, error?: string): PartitionReport {
    this.#clock.pushed(now);
    return {
      partition,
      startedAt: this.startedAt,
      at: now,
      counters: this.counters.snapshot(),
      gauges,
      ...(error ? { error } : {}),
    };
  }

  pushFailed(): void {
    this.#clock.failed();
  }

  #changed(): void {
    this.#unpersisted = true;
    this.#clock.changed();
  }
}
