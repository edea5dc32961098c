// A mirror's metrics report (lag, skipped records), pushed to the cluster aggregate from its alarm
// (which runs while the mirror copies) at most once per push interval.

import type { Env } from "../env.js";
import type { MirrorPartitionStatus } from "../protocol/api.js";
import { metricsObject } from "../objects.js";
import { unwrap } from "../protocol/errors.js";

export class MirrorMetrics {
  readonly #startedAt = Date.now();
  #lastPush = 0;

  constructor(
    private readonly env: Env,
    private readonly pushMs: number,
  ) {}

  async maybePush(mirror: string, status: readonly MirrorPartitionStatus[], now = Date.now()): Promise<void> {
    if (now - this.#lastPush < this.pushMs) return;
    this.#lastPush = now;
    const report = {
      mirror,
      startedAt: this.#startedAt,
      at: now,
      lag: status.reduce((n, s) => n + (s.lag ?? 0), 0),
      skipped: status.reduce((n, s) => n + s.records_skipped, 0),
    };
    try {
      unwrap(await metricsObject(this.env, "cluster").pushMirror(report));
    } catch (e) {
      this.#lastPush = 0;
      console.error(`mirror ${mirror}: metrics push failed`, e);
    }
  }
}
