// MetricsDO: a metrics aggregate. Partitions, coordinators and mirrors push their latest report
// here (each replaces the sender's previous one, one write per push); the router adds its
// counters; a scrape reads it all in one call. A thin adapter over its kv keys (keys.ts).

import { DurableObject } from "cloudflare:workers";
import type { MetricsRpc } from "../contracts/metrics.js";
import { rpc } from "../contracts/rpc.js";
import type { Env } from "../env.js";
import type { AggregateContents, GroupReport, MirrorReport, PartitionReport } from "../metrics/reports.js";
import { EMPTY_SNAPSHOT, MetricSet, type MetricsSnapshot } from "../metrics/series.js";
import type { Result } from "../protocol/errors.js";
import { metricsKv } from "./keys.js";

export class MetricsDO extends DurableObject<Env> implements MetricsRpc {
  readonly #kv = metricsKv(this.ctx.storage);
  readonly #startedAt = Date.now();

  async pushPartition(report: PartitionReport): Promise<Result<null>> {
    return rpc(() => (this.#kv.put(`p/${report.partition}`, report), null));
  }

  async pushGroup(report: GroupReport): Promise<Result<null>> {
    return rpc(() => (this.#kv.put(`g/${report.group}`, report), null));
  }

  async forgetGroup(group: string): Promise<Result<null>> {
    return rpc(() => (this.#kv.delete(`g/${group}`), null));
  }

  async pushMirror(report: MirrorReport): Promise<Result<null>> {
    return rpc(() => (this.#kv.put(`m/${report.mirror}`, report), null));
  }

  async add(delta: MetricsSnapshot): Promise<Result<null>> {
    return rpc(() => {
      const counters = MetricSet.from(this.#kv.get("counters"));
      counters.merge(delta);
      this.#kv.put("counters", counters.snapshot());
      return null;
    });
  }

  async scrape(): Promise<Result<AggregateContents>> {
    return rpc(() => ({
      startedAt: this.#startedAt,
      partitions: this.#kv.values("p/") as PartitionReport[],
      groups: this.#kv.values("g/") as GroupReport[],
      mirrors: this.#kv.values("m/") as MirrorReport[],
      counters: this.#kv.get("counters") ?? EMPTY_SNAPSHOT,
    }));
  }
}
