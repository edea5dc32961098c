// A time-series line chart (uPlot, canvas): the samples a screen collects while it is open. The
// latest values are also given as text, for screen readers and for a glance.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";

export interface ChartProps {
  title: string;
  /** x: seconds since the epoch. */
  times: number[];
  series: { label: string; values: (number | null)[] }[];
  unit?: string;
  height?: number;
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

export function Chart({ title, times, series, unit = "", height = 180 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join("\u0000");

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2 }))],
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${t}${unit}`) }],
      legend: { show: series.length > 1 },
      cursor: { show: true },
    };
    const u = new uPlot(opts, [times, ...series.map((s) => s.values)], el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; new samples go through setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  });

  const latest = series.map((s) => `${s.label} ${s.values.at(-1) ?? "–"}${unit}`).join(", ");
  return (
    <figure class="chart">
      <figcaption>
        {title} <span class="muted">(now: {times.length ? latest : "collecting…"})</span>
      </figcaption>
      {times.length < 2 && <p class="muted">Collecting samples…</p>}
      <div
        ref={box}
        hidden={times.length < 2}
        role="img"
        aria-label={`${title} over the last ${times.length} samples; now ${latest}`}
      />
    </figure>
  );
}
