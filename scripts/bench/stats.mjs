// The one stats module every system's numbers go through: run summaries and latency percentiles.

/** Median with min and max, of a few runs' figures. */
export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s.at(-1), runs: values.length };
}

/** Nearest-rank percentiles of latency samples in ms. */
export function percentiles(samples) {
  const s = Float64Array.from(samples).sort();
  const at = (p) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN);
  return { count: s.length, p50: at(50), p99: at(99), max: s.length ? s[s.length - 1] : NaN };
}

/** Formats a summary as "median (min–max)" with a unit-appropriate rounding. */
export function fmt(summary, digits = 0) {
  if (!summary) return "—";
  const f = (v) => (v >= 1000 && digits === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits));
  if (summary.runs === 1 || summary.min === summary.max) return f(summary.median);
  return `${f(summary.median)} (${f(summary.min)}–${f(summary.max)})`;
}
