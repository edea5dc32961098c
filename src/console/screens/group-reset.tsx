// Resetting a group's offsets: choose the target and topics, preview the new positions, apply.

import { tpKey } from "../../protocol/topic-partition.js";
import { useState } from "preact/hooks";
import type { Group } from "../api.js";
import { previewReset, type PreviewRow, type ResetTarget } from "../records/reset-preview.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { count, fromLocalInput } from "../ui/format.js";

type Mode = "earliest" | "latest" | "timestamp" | "offset";

export function ResetOffsets({ group }: { group: Group }) {
  const { api } = useConsole();
  const groupTopics = [...new Set(group.partitions.map((p) => p.topic))];
  const [mode, setMode] = useState<Mode>("earliest");
  const [at, setAt] = useState("");
  const [offset, setOffset] = useState("0");
  const [chosen, setChosen] = useState<string[]>(groupTopics);
  const [preview, setPreview] = useState<PreviewRow[]>();
  const [applied, setApplied] = useState<number>();
  const [error, setError] = useState<unknown>();

  const target = (): ResetTarget => {
    if (mode === "timestamp") {
      const ms = fromLocalInput(at);
      if (ms === null) throw new Error("give a date and time to reset to");
      return { timestamp: ms };
    }
    if (mode === "offset") return { offset: Number(offset) };
    return mode;
  };

  const doPreview = async () => {
    setError(undefined);
    setApplied(undefined);
    try {
      const topics = await Promise.all(
        chosen.map(async (name) => ({ name, partitions: (await api.describeTopic(name)).partition_count })),
      );
      const committed = (t: string, p: number) =>
        group.partitions.find((x) => x.topic === t && x.partition === p)?.committed_offset ?? null;
      setPreview(await previewReset(topics, target(), committed, (t, p, a) => api.offsetAt(t, p, a)));
    } catch (e) {
      setError(e);
    }
  };

  const apply = async () => {
    setError(undefined);
    try {
      const r = await api.resetOffsets(group.group_id, target(), chosen);
      setApplied(r.offsets.length);
      setPreview(undefined);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <form
      class="form"
      aria-label="Reset offsets"
      onSubmit={(e) => {
        e.preventDefault();
        void doPreview();
      }}
    >
      {group.state !== "empty" && (
        <p class="hint">
          The group has members: the API resets offsets of empty groups only. Stop its consumers first.
        </p>
      )}
      <div class="field">
        <label for="r-mode">Reset to</label>
        <select
          id="r-mode"
          value={mode}
          onChange={(e) => {
            setMode(e.currentTarget.value as Mode);
            setPreview(undefined);
          }}
        >
          <option value="earliest">Earliest (log start)</option>
          <option value="latest">Latest (high watermark)</option>
          <option value="timestamp">A time</option>
          <option value="offset">An offset (every partition)</option>
        </select>
      </div>
      {mode === "timestamp" && (
        <div class="field">
          <label for="r-time">Time (local)</label>
          <input id="r-time" type="datetime-local" step={1} value={at} onInput={(e) => setAt(e.currentTarget.value)} />
        </div>
      )}
      {mode === "offset" && (
        <div class="field">
          <label for="r-offset">Offset</label>
          <input id="r-offset" type="number" min={0} value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
        </div>
      )}
      <fieldset>
        <legend>Topics</legend>
        {groupTopics.map((t) => (
          <label key={t} class="check">
            <input
              type="checkbox"
              checked={chosen.includes(t)}
              onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, t] : chosen.filter((x) => x !== t))}
            />
            {t}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <button type="submit" disabled={chosen.length === 0}>
          Preview
        </button>
        <button type="button" disabled={!preview || preview.some((r) => r.problem)} onClick={apply}>
          Apply reset
        </button>
      </div>
      {preview && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Reset preview">
          <table aria-label="Reset preview">
            <caption>New positions (nothing is changed until Apply)</caption>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Partition</th>
                <th scope="col">Committed now</th>
                <th scope="col">After reset</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {preview.map((r) => (
                <tr key={tpKey(r.topic, r.partition)}>
                  <td>{r.topic}</td>
                  <td class="num">{r.partition}</td>
                  <td class="num">{count(r.committed)}</td>
                  <td class="num" data-testid="reset-next">
                    {count(r.next)}
                  </td>
                  <td>{r.problem ?? (r.committed === null ? "new" : signed(r.next - r.committed))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorBox error={error} />
      {applied !== undefined && (
        <p class="ok" role="status">
          Reset applied to {applied} partitions.
        </p>
      )}
    </form>
  );
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
