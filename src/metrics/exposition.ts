// Renders a metric set as Prometheus's text exposition format (0.0.4) or OpenMetrics 1.0.0,
// families in METRIC_SPEC order, and picks between them from a request's Accept header.

import { DURATION_BUCKETS_S, type HistogramSeries, type Labels, type MetricSet, type ValueSeries } from "./series.js";
import { familyName, METRIC_SPEC, type MetricSpec } from "./spec.js";

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export type ExpositionFormat = "text" | "openmetrics";

/** OpenMetrics when Accept names it (as Prometheus asks); anything else, unknown types included, gets text. */
export function negotiate(accept: string | undefined): ExpositionFormat {
  return accept?.toLowerCase().includes("application/openmetrics-text") ? "openmetrics" : "text";
}

export function contentType(format: ExpositionFormat): string {
  return format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

export function render(set: MetricSet, format: ExpositionFormat): string {
  const om = format === "openmetrics";
  const snap = set.snapshot();
  const byName = new Map<string, { values: ValueSeries[]; histograms: HistogramSeries[] }>();
  const bucket = (n: string) => byName.get(n) ?? byName.set(n, { values: [], histograms: [] }).get(n)!;
  for (const v of snap.values) bucket(v.name).values.push(v);
  for (const h of snap.histograms) bucket(h.name).histograms.push(h);
  const out: string[] = [];
  for (const [name, spec] of Object.entries(METRIC_SPEC) as [string, MetricSpec][]) {
    const series = byName.get(name);
    if (!series) continue;
    const family = familyName(name, spec, om);
    out.push(`# HELP ${family} ${escapeHelp(spec.help)}`, `# TYPE ${family} ${spec.type}`);
    const sorted = <T extends { labels: Labels }>(xs: T[]) =>
      xs.sort((a, b) => labelText(a.labels).localeCompare(labelText(b.labels)));
    for (const v of sorted(series.values)) out.push(`${name}${labelText(v.labels)} ${num(v.value)}`);
    for (const h of sorted(series.histograms)) {
      let cumulative = 0;
      DURATION_BUCKETS_S.forEach((le, i) => {
        cumulative += h.counts[i] ?? 0;
        out.push(`${name}_bucket${labelText({ ...h.labels, le: String(le) })} ${cumulative}`);
      });
      out.push(`${name}_bucket${labelText({ ...h.labels, le: "+Inf" })} ${h.count}`);
      out.push(`${name}_sum${labelText(h.labels)} ${num(h.sum)}`, `${name}_count${labelText(h.labels)} ${h.count}`);
    }
  }
  if (om) out.push("# EOF");
  return `${out.join("\n")}\n`;
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  // Float sums keep their precision; integers print without an exponent up to 2^53.
  return Number.isInteger(v) ? v.toFixed(0) : String(v);
}
