// Counters, gauges and histograms as plain data: one set per object, copied over RPC and into
// storage as a snapshot, added together (counters, histograms) or replaced (gauges) by aggregates.

/** Label names and values of one series; the set sorts them, so insertion order never matters. */
export type Labels = Readonly<Record<string, string>>;

/**
 * Histogram bucket upper bounds in seconds: OpenTelemetry's advice for messaging.client.operation.duration,
 * so edgelog's latency histograms line up with instrumented clients'.
 */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

export interface ValueSeries {
  name: string;
  labels: Labels;
  value: number;
}

export interface HistogramSeries {
  name: string;
  labels: Labels;
  /** Observations per bucket of DURATION_BUCKETS_S (not cumulative), and one more for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** What travels and is stored: JSON-safe, structured-clone-safe. */
export interface MetricsSnapshot {
  values: ValueSeries[];
  histograms: HistogramSeries[];
}

export const EMPTY_SNAPSHOT: MetricsSnapshot = { values: [], histograms: [] };

export function seriesKey(name: string, labels: Labels): string {
  const names = Object.keys(labels).sort();
  return names.length === 0 ? name : `${name}{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(",")}}`;
}

export class MetricSet {
  readonly #values = new Map<string, ValueSeries>();
  readonly #histograms = new Map<string, HistogramSeries>();

  static from(snapshot: MetricsSnapshot | undefined): MetricSet {
    const set = new MetricSet();
    if (snapshot) set.merge(snapshot);
    return set;
  }

  get size(): number {
    return this.#values.size + this.#histograms.size;
  }

  /** Adds to a counter (or a gauge that sums, as partition gauges do across a topic). */
  add(name: string, labels: Labels, n = 1): void {
    const key = seriesKey(name, labels);
    const s = this.#values.get(key);
    if (s) s.value += n;
    else this.#values.set(key, { name, labels: { ...labels }, value: n });
  }

  /** Sets a gauge. */
  set(name: string, labels: Labels, value: number): void {
    this.#values.set(seriesKey(name, labels), { name, labels: { ...labels }, value });
  }

  get(name: string, labels: Labels = {}): number | undefined {
    return this.#values.get(seriesKey(name, labels))?.value;
  }

  histogram(name: string, labels: Labels = {}): HistogramSeries | undefined {
    return this.#histograms.get(seriesKey(name, labels));
  }

  /** One observation, in seconds. */
  observe(name: string, labels: Labels, seconds: number): void {
    const h = this.#histogramFor(name, labels);
    let i = DURATION_BUCKETS_S.findIndex((le) => seconds <= le);
    if (i < 0) i = DURATION_BUCKETS_S.length;
    h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += seconds;
    h.count++;
  }

  /** Adds a snapshot in: counters and histograms sum, so merging deltas or disjoint sets both work. */
  merge(snapshot: MetricsSnapshot, extra: Labels = {}): void {
    for (const v of snapshot.values) this.add(v.name, { ...v.labels, ...extra }, v.value);
    for (const h of snapshot.histograms) {
      const mine = this.#histogramFor(h.name, { ...h.labels, ...extra });
      h.counts.forEach((n, i) => (mine.counts[i] = (mine.counts[i] ?? 0) + n));
      mine.sum += h.sum;
      mine.count += h.count;
    }
  }

  snapshot(): MetricsSnapshot {
    return {
      values: [...this.#values.values()].map((v) => ({ ...v, labels: { ...v.labels } })),
      histograms: [...this.#histograms.values()].map((h) => ({ ...h, labels: { ...h.labels }, counts: [...h.counts] })),
    };
  }

  clear(): void {
    this.#values.clear();
    this.#histograms.clear();
  }

  #histogramFor(name: string, labels: Labels): HistogramSeries {
    const key = seriesKey(name, labels);
    let h = this.#histograms.get(key);
    if (!h) {
      h = { name, labels: { ...labels }, counts: new Array(DURATION_BUCKETS_S.length + 1).fill(0), sum: 0, count: 0 };
      this.#histograms.set(key, h);
    }
    return h;
  }
}
