// Live tail: records as they are appended to a partition or all of them, filtered as on the
// messages screen, pausable (a pause closes the stream; resuming continues from the next offsets).

import { useEffect, useRef, useState } from "preact/hooks";
import { compileFilter, type FilterSpec, type Predicate } from "../records/filter.js";
import { liveRecords, transportFor } from "../records/live.js";
import { fromFetched, type ConsoleRecord } from "../records/model.js";
import type { Decoding } from "../records/decode.js";
import { pool } from "../api.js";
import { useConsole } from "../ui/context.js";
import { DecodingSelect } from "../ui/decoding-select.js";
import { ErrorBox } from "../ui/error.js";
import { FilterFields } from "../ui/filter-fields.js";
import { count } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import { RecordTable } from "../ui/record-table.js";
import { TopicTabs } from "../ui/topic-tabs.js";
import type { Screen, ScreenProps } from "./screen.js";

const KEEP = 500;

function Live({ params }: ScreenProps) {
  const { api } = useConsole();
  const name = params.topic!;
  const topic = useAsync((signal) => api.describeTopic(name, signal), [name]);
  const [partition, setPartition] = useState("all");
  const [paused, setPaused] = useState(false);
  const [state, setState] = useState<"starting" | "live" | "paused">("starting");
  const [filters, setFilters] = useState<FilterSpec>({});
  const [decoding, setDecoding] = useState<Decoding>("json");
  const [records, setRecords] = useState<ConsoleRecord[]>([]);
  const [received, setReceived] = useState(0);
  const [error, setError] = useState<unknown>();
  // Next offset per partition: where a resumed tail continues.
  const positions = useRef(new Map<number, number>());

  const parts = topic.data
    ? partition === "all"
      ? topic.data.partitions.map((p) => p.partition)
      : [Number(partition)]
    : [];

  useEffect(() => {
    positions.current = new Map();
    setRecords([]);
    setReceived(0);
  }, [partition, name]);

  useEffect(() => {
    if (!topic.data || paused) {
      setState(paused ? "paused" : "starting");
      return;
    }
    const ctl = new AbortController();
    setError(undefined);
    setState("starting");
    (async () => {
      const missing = parts.filter((p) => !positions.current.has(p));
      const latest = await pool(missing, 4, (p) => api.offsetAt(name, p, "latest"));
      missing.forEach((p, i) => positions.current.set(p, latest[i]!));
      if (ctl.signal.aborted) return;
      setState("live");
      const from = new Map(parts.map((p) => [p, positions.current.get(p)!]));
      for await (const batch of liveRecords(api, name, from, ctl.signal)) {
        positions.current.set(batch.partition, batch.next_offset);
        const got = batch.records.map((r) => fromFetched(batch.partition, r));
        setReceived((n) => n + got.length);
        setRecords((old) => [...got.reverse(), ...old].slice(0, KEEP));
      }
    })().catch((e) => !ctl.signal.aborted && setError(e));
    return () => ctl.abort();
  }, [topic.data, paused, partition]);

  let predicate: Predicate = () => true;
  let filterError: unknown;
  try {
    predicate = compileFilter(filters);
  } catch (e) {
    filterError = e;
  }
  const shown = records.filter(predicate);
  return (
    <>
      <TopicTabs topic={name} current="/topics/:topic/live" />
      <ErrorBox error={topic.error} />
      {topic.data && (
        <div class="form">
          <div class="toolbar">
            <div class="field">
              <label for="l-partition">Partition</label>
              <select id="l-partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
                <option value="all">All partitions</option>
                {topic.data.partitions.map((p) => (
                  <option key={p.partition} value={String(p.partition)}>
                    {p.partition}
                  </option>
                ))}
              </select>
            </div>
            <DecodingSelect id="l-decoding" value={decoding} onChange={setDecoding} />
            <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
              {paused ? "Resume" : "Pause"}
            </button>
            <button type="button" onClick={() => setRecords([])}>
              Clear
            </button>
          </div>
          <FilterFields id="l-filter" spec={filters} onChange={setFilters} />
        </div>
      )}
      <p class="status" role="status" data-state={state}>
        {state === "live"
          ? `Live over ${transportFor(parts.length)}: ${count(received)} records received, ${count(shown.length)} shown (newest first, the last ${KEEP} kept)`
          : state === "paused"
            ? `Paused after ${count(received)} records; resuming continues where it stopped`
            : "Connecting…"}
      </p>
      <ErrorBox error={filterError} title="Filter" />
      <ErrorBox error={error} />
      {shown.length > 0 && <RecordTable records={shown} as={decoding} caption={`Live records of ${name}`} />}
    </>
  );
}

export const liveScreen: Screen = {
  path: "/topics/:topic/live",
  title: (p) => `Live tail of ${p.topic}`,
  section: "Topics",
  requires: ["/v1/topics/{topic}/partitions/{p}/records"],
  component: Live,
};
