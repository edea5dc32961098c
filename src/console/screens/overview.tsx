// Overview: topics, partitions, bytes (hot and archived), under-replicated partitions, and while
// the page is open, produce and consume rates and total consumer lag, sampled from the describe
// routes (high watermarks and committed offsets) every few seconds.

import { useRef, useState } from "preact/hooks";
import { pool } from "../api.js";
import { describeTopics } from "../records/topic-scan.js";
import { href } from "../router.js";
import { Chart } from "../ui/chart.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { bytes, count } from "../ui/format.js";
import { usePoll } from "../ui/hooks.js";
import { totalLag } from "./groups.js";
import type { Screen } from "./screen.js";

const POLL_MS = 5_000;
const DESCRIBED = 50;
const SAMPLES = 120;

interface Totals {
  topics: number;
  partitions: number;
  hot: number;
  archived: number;
  underReplicated: number;
  partial: boolean;
  groups: number;
  lag: number;
  /** Sums at the sample, for rates: high watermarks and committed offsets. */
  written: number;
  consumed: number;
}

function Overview() {
  const { api } = useConsole();
  const [totals, setTotals] = useState<Totals>();
  const [error, setError] = useState<unknown>();
  const [series, setSeries] = useState<{
    t: number[];
    produce: (number | null)[];
    consume: (number | null)[];
    lag: number[];
  }>({
    t: [],
    produce: [],
    consume: [],
    lag: [],
  });
  const last = useRef<{ at: number; written: number; consumed: number } | undefined>(undefined);

  usePoll(
    async (signal) => {
      try {
        const s = await describeTopics(api, DESCRIBED);
        const groups = (await api.groupsPage(null, 50)).groups;
        const described = await pool(groups, 4, (g) => api.describeGroup(g.group_id, signal).catch(() => null));
        let underReplicated = 0;
        for (const t of s.described)
          for (const p of t.partitions) if (p.replicas?.some((r) => !r.in_sync)) underReplicated++;
        const now: Totals = {
          topics: s.topics.length,
          partitions: s.topics.reduce((n, t) => n + t.partitions, 0),
          hot: s.described.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.bytes, 0), 0),
          archived: s.described.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.archived_bytes, 0), 0),
          underReplicated,
          partial: s.partial,
          groups: groups.length,
          lag: described.reduce((n, g) => n + (g ? (totalLag(g) ?? 0) : 0), 0),
          written: s.described.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.high_watermark, 0), 0),
          consumed: described.reduce(
            (n, g) => n + (g?.partitions.reduce((m, p) => m + (p.committed_offset ?? 0), 0) ?? 0),
            0,
          ),
        };
        if (signal.aborted) return;
        const at = Date.now();
        const prev = last.current;
        const rate = (a: number, b: number) =>
          prev ? Math.max(0, Math.round(((a - b) * 1000) / (at - prev.at))) : null;
        last.current = { at, written: now.written, consumed: now.consumed };
        setTotals(now);
        setError(undefined);
        setSeries((x) => ({
          t: [...x.t, at / 1000].slice(-SAMPLES),
          produce: [...x.produce, rate(now.written, prev?.written ?? 0)].slice(-SAMPLES),
          consume: [...x.consume, rate(now.consumed, prev?.consumed ?? 0)].slice(-SAMPLES),
          lag: [...x.lag, now.lag].slice(-SAMPLES),
        }));
      } catch (e) {
        if (!signal.aborted) setError(e);
      }
    },
    POLL_MS,
    [],
  );

  return (
    <>
      <ErrorBox error={error} />
      {!totals && !error && <p class="status">Reading the cluster…</p>}
      {totals && (
        <>
          <ul class="cards">
            <li>
              <a href={href("/topics")}>
                <strong>{count(totals.topics)}</strong> topics
              </a>
            </li>
            <li>
              <strong>{count(totals.partitions)}</strong> partitions
            </li>
            <li>
              <strong>{bytes(totals.hot)}</strong> hot (SQLite)
            </li>
            <li>
              <strong>{bytes(totals.archived)}</strong> archived (R2)
            </li>
            <li class={totals.underReplicated ? "bad" : ""}>
              <strong>{count(totals.underReplicated)}</strong> under-replicated partitions
            </li>
            <li>
              <a href={href("/groups")}>
                <strong>{count(totals.groups)}</strong> consumer groups
              </a>
            </li>
            <li>
              <strong>{count(totals.lag)}</strong> records of total lag
            </li>
          </ul>
          {totals.partial && <p class="muted">Bytes and rates add up the first {DESCRIBED} topics and 50 groups.</p>}
          <div class="charts">
            <Chart
              title="Produce and consume rate (records/s)"
              times={series.t}
              series={[
                { label: "produced", values: series.produce },
                { label: "consumed (committed)", values: series.consume },
              ]}
            />
            <Chart
              title="Total consumer lag (records)"
              times={series.t}
              series={[{ label: "lag", values: series.lag }]}
            />
          </div>
          <p class="muted">Sampled every {POLL_MS / 1000} s from the describe routes while this page is open.</p>
        </>
      )}
    </>
  );
}

export const overviewScreen: Screen = {
  path: "/",
  title: "Overview",
  nav: "Overview",
  requires: ["/v1/topics", "/v1/groups"],
  component: Overview,
};
