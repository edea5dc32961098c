// A partition object's metrics, so PartitionDO only wires them: counts appends inside the append's
// own write and reads after they answer, persists counters only with writes the object makes
// anyway, and pushes its report to the topic's aggregate from the alarm: from any alarm it runs
// anyway when something changed, and, when only its counters did, from one it asks for an interval
// after the last push (one alarm after a burst, none while idle). With an Analytics Engine binding,
// the same push writes a data point, at most one per analytics interval.

import type { AppendedBatch, PartitionInfo } from "../contracts/partition.js";
import type { Env } from "../env.js";
import { metricsObject } from "../objects.js";
import { unwrap, type Result } from "../protocol/errors.js";
import { PartitionMeter, type PartitionGauges, type PartitionReport } from "../metrics/partition-meter.js";
import type { TopicRef } from "../protocol/topic.js";
import type { PartitionKv } from "./keys.js";

/** Where a partition's report goes; the platform's is the topic's MetricsDO, a test's may fail. */
export interface MetricsPort {
  push(topicId: string, report: PartitionReport): Promise<void>;
  /** The object's SQLite size (a test's port may fail it, as a broken object would). */
  databaseSize(): number;
}

/** The platform's metrics port: the topic's MetricsDO, and the object's own database size. */
export function metricsPort(env: Env, storage: DurableObjectStorage): MetricsPort {
  return {
    push: async (topicId, report) => void unwrap(await metricsObject(env, `topic/${topicId}`).pushPartition(report)),
    databaseSize: () => storage.sql.databaseSize,
  };
}

export interface MetricsHostParts {
  kv: PartitionKv;
  port: MetricsPort;
  analytics?: AnalyticsEngineDataset;
  settings: { pushMs: number; analyticsMs: number };
  /** What describe() answers, for the gauges; undefined when there is no log (dropped, never written). */
  info(): { ref: TopicRef; info: PartitionInfo } | undefined;
  /** Readers parked at the tail, and live WebSocket subscribers. */
  waiting(): { longPolls: number; websockets: number };
  /** Asks the alarm to fire by `at`. */
  wakeBy(at: number): Promise<void>;
  /** A follower copy: it counts nothing (the leader reports the partition). */
  isFollower(): boolean;
}

export class MetricsHost {
  readonly meter: PartitionMeter;
  #analyticsAt = 0;
  /** The gauges of the last report delivered, to notice them moving without any counter changing. */
  #pushedGauges: string | undefined;

  /** Construct inside blockConcurrencyWhile: it reads the persisted counters. */
  constructor(private readonly parts: MetricsHostParts) {
    this.meter = new PartitionMeter(parts.kv.get("metrics"), Date.now());
  }

  /** Inside the append's write: its records and bytes, persisted with it. */
  appended(batches: Uint8Array, out: readonly AppendedBatch[]): void {
    if (this.parts.isFollower()) return;
    this.meter.appended(batches, out);
    this.persist();
  }

  /** Times a produce call and counts its outcome. */
  async produce<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
    const t0 = Date.now();
    let code: string | undefined = "UNKNOWN_SERVER_ERROR";
    try {
      const r = await call();
      code = r.ok ? undefined : r.error.code;
      return r;
    } finally {
      this.meter.produced(Date.now() - t0, code);
      await this.#schedule();
    }
  }

  /** Times a read call and counts what it served. */
  async read<R extends { batches: Uint8Array[] }>(call: () => Promise<Result<R>>): Promise<Result<R>> {
    const t0 = Date.now();
    let served: Uint8Array[] = [];
    let code: string | undefined = "UNKNOWN_SERVER_ERROR";
    try {
      const r = await call();
      if (r.ok) served = r.value.batches;
      code = r.ok ? undefined : r.error.code;
      return r;
    } finally {
      this.meter.read(served, Date.now() - t0, code);
      await this.#schedule();
    }
  }

  /** Writes the counters if they changed (call where the object writes anyway). */
  persist(): void {
    const snapshot = this.meter.takeUnpersisted();
    if (snapshot) this.parts.kv.put("metrics", snapshot);
  }

  /**
   * From the alarm: persists and pushes the report if the counters changed or the gauges moved
   * (an ISR shrink, retention, a roll), and, when bound, writes an Analytics Engine data point. A
   * failed push is retried by a later alarm; the scrape meanwhile shows the previous report.
   */
  async push(now = Date.now()): Promise<void> {
    if (this.parts.isFollower()) return;
    const current = this.parts.info();
    if (!current) return;
    let gauges: PartitionGauges | null = null;
    let error: string | undefined;
    try {
      gauges = this.#gauges(current.ref, current.info);
    } catch (e) {
      error = `could not read the partition's state: ${(e as Error).message}`;
    }
    const seen = JSON.stringify(gauges ?? error);
    if (!this.meter.unpushed && seen === this.#pushedGauges) return;
    this.persist();
    const report = this.meter.report(current.ref.partition, gauges, now, error);
    try {
      await this.parts.port.push(current.ref.id, report);
      this.#pushedGauges = seen;
    } catch (e) {
      this.meter.pushFailed();
      console.error(`partition ${current.ref.name}/${current.ref.partition}: metrics push failed`, e);
    }
    this.#analytics(current.ref, report, now);
  }

  /** After the alarm: when the next push is due, if changes wait. */
  async scheduleNext(): Promise<void> {
    await this.#schedule();
  }

  async #schedule(): Promise<void> {
    const due = this.meter.pushDue(this.parts.settings.pushMs);
    if (due !== null) await this.parts.wakeBy(Math.max(due, Date.now()));
  }

  #gauges(ref: TopicRef, info: PartitionInfo): PartitionGauges {
    const waiting = this.parts.waiting();
    const replicas = info.replicas;
    return {
      logStartOffset: info.log_start_offset,
      highWatermark: info.high_watermark,
      logEndOffset: info.log_end_offset,
      lastStableOffset: info.last_stable_offset,
      hotBytes: info.bytes,
      archivedBytes: info.archived_bytes,
      segments: info.segments,
      storageBytes: this.parts.port.databaseSize(),
      longPolls: waiting.longPolls,
      websockets: waiting.websockets,
      ...(replicas && replicas.length > 0
        ? {
            replication: {
              isr: info.isr?.length ?? 1,
              replicas: 1 + replicas.length,
              minIsr: ref.config["min.insync.replicas"],
              lag: Object.fromEntries(replicas.map((r) => [r.region, r.lag])),
            },
          }
        : {}),
    };
  }

  /** One Analytics Engine data point per partition per interval, only on pushes that happen anyway. */
  #analytics(ref: TopicRef, report: PartitionReport, now: number): void {
    const ae = this.parts.analytics;
    if (!ae || now - this.#analyticsAt < this.parts.settings.analyticsMs) return;
    this.#analyticsAt = now;
    const c = this.meter.counters;
    const g = report.gauges;
    ae.writeDataPoint({
      indexes: [ref.id],
      blobs: [ref.name, String(ref.partition)],
      doubles: [
        c.get("messaging_client_sent_messages_total") ?? 0,
        c.get("edgelog_bytes_in_total") ?? 0,
        c.get("messaging_client_consumed_messages_total") ?? 0,
        c.get("edgelog_bytes_out_total") ?? 0,
        g?.highWatermark ?? 0,
        g?.logStartOffset ?? 0,
        g?.hotBytes ?? 0,
        g?.archivedBytes ?? 0,
      ],
    });
  }
}
