// Messages: seek a partition (or all) by offset, time, earliest or latest; filter by key, value,
// JSON path and header, scanning past the page up to a record budget with progress and a stop
// button; show values as JSON, text, base64 or hex; export what is shown as JSON or CSV.

import { useRef, useState } from "preact/hooks";
import { pool, type Api, type TopicDescription } from "../api.js";
import { ErrorBox } from "../ui/error.js";
import { toCsvExport, toJsonExport } from "../records/export.js";
import { compileFilter, isEmpty, type FilterSpec } from "../records/filter.js";
import { fromFetched } from "../records/model.js";
import { scan, type ScanResult } from "../records/scan.js";
import type { Decoding } from "../records/decode.js";
import { useConsole } from "../ui/context.js";
import { DecodingSelect } from "../ui/decoding-select.js";
import { FilterFields } from "../ui/filter-fields.js";
import { count, fromLocalInput } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import { RecordTable } from "../ui/record-table.js";
import { TopicTabs } from "../ui/topic-tabs.js";
import type { Screen, ScreenProps } from "./screen.js";

type Seek = "earliest" | "latest" | "offset" | "timestamp";

/** Where each chosen partition starts for a seek. */
async function startOffsets(
  api: Api,
  topic: TopicDescription,
  partitions: number[],
  seek: Seek,
  offset: number,
  at: number,
  pageSize: number,
): Promise<Map<number, number>> {
  const info = new Map(topic.partitions.map((p) => [p.partition, p]));
  const starts = await pool(partitions, 4, async (p) => {
    const part = info.get(p)!;
    switch (seek) {
      case "earliest":
        return part.log_start_offset;
      case "latest":
        // The newest page: the last records of each partition.
        return Math.max(part.log_start_offset, part.high_watermark - pageSize);
      case "offset":
        return offset;
      case "timestamp":
        return api.offsetAt(topic.name, p, at);
    }
  });
  return new Map(partitions.map((p, i) => [p, starts[i]!]));
}

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Messages({ params }: ScreenProps) {
  const { api } = useConsole();
  const name = params.topic!;
  const topic = useAsync((signal) => api.describeTopic(name, signal), [name]);
  const [partition, setPartition] = useState("all");
  const [seek, setSeek] = useState<Seek>("earliest");
  const [offset, setOffset] = useState("0");
  const [at, setAt] = useState("");
  const [pageSize, setPageSize] = useState("50");
  const [budget, setBudget] = useState("10000");
  const [filters, setFilters] = useState<FilterSpec>({});
  const [decoding, setDecoding] = useState<Decoding>("json");
  const [result, setResult] = useState<ScanResult>();
  const [progress, setProgress] = useState<{ scanned: number; budget: number; matches: number }>();
  const [error, setError] = useState<unknown>();
  const running = useRef<AbortController | null>(null);
  const [busy, setBusy] = useState(false);
  // Finished runs, for whoever waits for one (tests, and the progress line's announcement).
  const [runs, setRuns] = useState(0);

  const run = async (from?: Map<number, number>) => {
    setBusy(true);
    setError(undefined);
    const t = await api.describeTopic(name).catch((e) => (setError(e), undefined));
    if (!t) {
      setBusy(false);
      return;
    }
    let predicate;
    try {
      predicate = compileFilter(filters);
    } catch (e) {
      setError(e);
      setBusy(false);
      return;
    }
    const size = Number(pageSize);
    const parts = partition === "all" ? t.partitions.map((p) => p.partition) : [Number(partition)];
    const ctl = new AbortController();
    running.current = ctl;
    try {
      let starts = from;
      if (!starts) {
        const ms = fromLocalInput(at);
        if (seek === "timestamp" && ms === null) throw new Error("give a date and time to seek to");
        starts = await startOffsets(api, t, parts, seek, Number(offset), ms ?? 0, size);
      }
      const filtered = !isEmpty(filters);
      const max = filtered ? Number(budget) : size * parts.length;
      setProgress({ scanned: 0, budget: max, matches: 0 });
      const r = await scan({
        from: starts,
        fetchPage: async (p, off, n) => {
          const page = await api.records(name, p, off, filtered ? n : Math.min(n, size), ctl.signal);
          return { ...page, records: page.records.map((x) => fromFetched(p, x)) };
        },
        predicate,
        // Unfiltered, a page is `size` records of each partition; filtered, `size` matches in all.
        want: filtered ? size : size * parts.length,
        budget: max,
        pageSize: filtered ? 500 : size,
        signal: ctl.signal,
        onProgress: (p) => setProgress({ scanned: p.scanned, budget: p.budget, matches: p.matches }),
      });
      setResult(r);
    } catch (e) {
      if (!ctl.signal.aborted) setError(e);
    } finally {
      running.current = null;
      setBusy(false);
      setRuns((n) => n + 1);
    }
  };

  const t = topic.data;
  const shown = result?.found ?? [];
  const filtered = !isEmpty(filters);
  return (
    <>
      <TopicTabs topic={name} current="/topics/:topic/messages" />
      <ErrorBox error={topic.error} />
      {t && (
        <form
          class="form messages-form"
          aria-label="Find records"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <fieldset class="seek">
            <legend>Seek</legend>
            <div class="field">
              <label for="m-partition">Partition</label>
              <select id="m-partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
                <option value="all">All partitions</option>
                {t.partitions.map((p) => (
                  <option key={p.partition} value={String(p.partition)}>
                    {p.partition} (offsets {p.log_start_offset}–{p.high_watermark - 1})
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="m-seek">From</label>
              <select id="m-seek" value={seek} onChange={(e) => setSeek(e.currentTarget.value as Seek)}>
                <option value="earliest">Earliest</option>
                <option value="latest">Latest (the newest page)</option>
                <option value="offset">Offset</option>
                <option value="timestamp">Time</option>
              </select>
            </div>
            {seek === "offset" && (
              <div class="field">
                <label for="m-offset">Offset</label>
                <input
                  id="m-offset"
                  type="number"
                  min={0}
                  value={offset}
                  onInput={(e) => setOffset(e.currentTarget.value)}
                />
              </div>
            )}
            {seek === "timestamp" && (
              <div class="field">
                <label for="m-time">Time (local)</label>
                <input
                  id="m-time"
                  type="datetime-local"
                  step={1}
                  value={at}
                  onInput={(e) => setAt(e.currentTarget.value)}
                />
              </div>
            )}
            <div class="field">
              <label for="m-size">Page size</label>
              <select
                id="m-size"
                aria-describedby="m-size-hint"
                value={pageSize}
                onChange={(e) => setPageSize(e.currentTarget.value)}
              >
                {["20", "50", "100", "500"].map((n) => (
                  <option key={n}>{n}</option>
                ))}
              </select>
              <small id="m-size-hint">records of each partition; with filters, matches in all</small>
            </div>
          </fieldset>
          <FilterFields id="m-filter" spec={filters} onChange={setFilters} />
          <div class="field narrow">
            <label for="m-budget">Records to scan at most (filters)</label>
            <input
              id="m-budget"
              type="number"
              min={1}
              max={1000000}
              value={budget}
              onInput={(e) => setBudget(e.currentTarget.value)}
            />
          </div>
          <div class="row">
            <button type="submit" disabled={busy}>
              {filtered ? "Search" : "Load"}
            </button>
            <button type="button" disabled={!busy} onClick={() => running.current?.abort()}>
              Stop
            </button>
            <button
              type="button"
              disabled={busy || !result || result.reason === "end"}
              onClick={() => void run(result?.positions)}
            >
              Next page
            </button>
          </div>
        </form>
      )}
      <div class="progress" aria-live="polite" data-runs={runs}>
        {progress && (
          <>
            <progress max={progress.budget} value={progress.scanned} aria-label="Records scanned" />
            <span>
              {busy ? "Scanning: " : ""}
              {count(progress.scanned)} of at most {count(progress.budget)} records read, {count(progress.matches)}{" "}
              shown
              {!busy && result ? ` (${reasonText(result.reason, filtered)})` : ""}
            </span>
          </>
        )}
      </div>
      <ErrorBox error={error} />
      {result && (
        <>
          <div class="toolbar">
            <DecodingSelect id="m-decoding" value={decoding} onChange={setDecoding} />
            <button
              type="button"
              disabled={!shown.length}
              onClick={() => download(`${name}.json`, "application/json", toJsonExport(shown, decoding))}
            >
              Export JSON
            </button>
            <button
              type="button"
              disabled={!shown.length}
              onClick={() => download(`${name}.csv`, "text/csv", toCsvExport(shown, decoding))}
            >
              Export CSV
            </button>
          </div>
          {shown.length > 0 ? (
            <RecordTable records={shown} as={decoding} caption={`Records of ${name}`} />
          ) : (
            <p>No records.</p>
          )}
        </>
      )}
    </>
  );
}

function reasonText(reason: ScanResult["reason"], filtered: boolean): string {
  switch (reason) {
    case "enough":
      return "page full";
    case "budget":
      return filtered ? "scan budget reached: Next page scans on" : "page read";
    case "end":
      return "reached the end of the log";
    case "stopped":
      return "stopped";
  }
}

export const messagesScreen: Screen = {
  path: "/topics/:topic/messages",
  title: (p) => `Messages of ${p.topic}`,
  section: "Topics",
  requires: ["/v1/topics/{topic}/partitions/{p}/records", "/v1/topics/{topic}/partitions/{p}/offsets"],
  component: Messages,
};
