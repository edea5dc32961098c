// What the Worker observes about requests (latency, auth failures, throttling), buffered in the
// isolate for at most FLUSH_MS and then added to the cluster aggregate: the isolate holds deltas
// only, never the counters (a scrape never reaches an isolate).

import { MetricSet, type MetricsSnapshot } from "./series.js";

/** How long an isolate holds observations before sending them; the most a dying isolate loses. */
export const FLUSH_MS = 1_000;

const AUTH_CODES = new Set([
  "UNAUTHENTICATED",
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "SUBJECT_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
]);

export interface RequestOutcome {
  method: string;
  /** The route's path template (bounded), never the raw path. */
  route: string;
  status: number;
  ms: number;
  /** The error code answered, if any. */
  errorCode?: string;
  /** A throttled request: the token and quota, and the Retry-After seconds. */
  throttled?: { token: string; quota: string; seconds: number };
}

export class RouterMeter {
  #pending = new MetricSet();
  #since: number | null = null;

  record(o: RequestOutcome, now: number): void {
    this.#pending.observe("http_server_request_duration_seconds", route(o), o.ms / 1000);
    if (o.errorCode && AUTH_CODES.has(o.errorCode))
      this.#pending.add("edgelog_auth_failures_total", { error_code: o.errorCode });
    if (o.throttled) {
      const labels = { token: o.throttled.token, quota: o.throttled.quota };
      this.#pending.add("edgelog_throttled_requests_total", labels);
      this.#pending.add("edgelog_throttle_time_seconds_total", labels, o.throttled.seconds);
    }
    this.#since ??= now;
  }

  /** The buffered deltas when they are FLUSH_MS old (or `force`), emptying the buffer; else undefined. */
  take(now: number, force = false): MetricsSnapshot | undefined {
    if (this.#since === null || (!force && now - this.#since < FLUSH_MS)) return undefined;
    const out = this.#pending.snapshot();
    this.#pending = new MetricSet();
    this.#since = null;
    return out;
  }
}

function route(o: RequestOutcome) {
  return { method: o.method, route: o.route, status: String(o.status) };
}
