// One topic: its partitions (log start, high watermark, last stable offset, bytes, segments,
// replicas), its config, and editing: config, more partitions, deletion.

import { useState } from "preact/hooks";
import type { TopicDescription } from "../api.js";
import { href } from "../router.js";
import { ConfigFields, configChanges, isDefault, showConfigValue, type ConfigDraft } from "../ui/config-fields.js";
import { Confirm } from "../ui/confirm.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { bytes, count, time } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import { TopicTabs } from "../ui/topic-tabs.js";
import type { Screen, ScreenProps } from "./screen.js";

type PartitionRow = TopicDescription["partitions"][number] & { last_stable_offset?: number };

function TopicDetail({ params }: ScreenProps) {
  const { api } = useConsole();
  const name = params.topic!;
  const topic = useAsync((signal) => api.describeTopic(name, signal), [name]);
  const [editing, setEditing] = useState<"config" | "partitions" | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [actionError, setActionError] = useState<unknown>();

  const t = topic.data;
  const parts = (t?.partitions ?? []) as PartitionRow[];
  // Transactions add the last stable offset to describe; the column shows once the API has it.
  const hasLso = parts.some((p) => p.last_stable_offset !== undefined);
  const replicated = parts.some((p) => p.replicas && p.replicas.length > 0);
  return (
    <>
      <TopicTabs topic={name} current="/topics/:topic" />
      <ErrorBox error={topic.error} />
      {t && (
        <>
          <dl class="facts">
            <dt>Partitions</dt>
            <dd>{t.partition_count}</dd>
            <dt>Records</dt>
            <dd>{count(parts.reduce((n, p) => n + p.high_watermark - p.log_start_offset, 0))}</dd>
            <dt>Bytes (hot + archived)</dt>
            <dd>
              {bytes(parts.reduce((n, p) => n + p.bytes, 0))} + {bytes(parts.reduce((n, p) => n + p.archived_bytes, 0))}
            </dd>
            <dt>Topic id</dt>
            <dd>
              <code>{t.id}</code>
            </dd>
            <dt>Created</dt>
            <dd>{time(t.created_at)}</dd>
          </dl>
          <h2>Partitions</h2>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Partitions">
            <table>
              <thead>
                <tr>
                  <th scope="col">Partition</th>
                  <th scope="col">Log start</th>
                  <th scope="col">High watermark</th>
                  {hasLso && <th scope="col">Last stable</th>}
                  <th scope="col">Log end</th>
                  <th scope="col">Hot bytes</th>
                  <th scope="col">Archived bytes</th>
                  <th scope="col">Segments</th>
                  {replicated && <th scope="col">ISR</th>}
                  {replicated && <th scope="col">Replicas (lag)</th>}
                </tr>
              </thead>
              <tbody>
                {parts.map((p) => (
                  <tr key={p.partition}>
                    <th scope="row">{p.partition}</th>
                    <td class="num">{count(p.log_start_offset)}</td>
                    <td class="num">{count(p.high_watermark)}</td>
                    {hasLso && <td class="num">{count(p.last_stable_offset)}</td>}
                    <td class="num">{count(p.log_end_offset)}</td>
                    <td class="num">{bytes(p.bytes)}</td>
                    <td class="num">{bytes(p.archived_bytes)}</td>
                    <td class="num">{p.segments}</td>
                    {replicated && <td>{(p.isr ?? []).join(", ")}</td>}
                    {replicated && (
                      <td>
                        {(p.replicas ?? [])
                          .map((r) => `${r.region}${r.in_sync ? "" : " (out of sync)"} ${r.lag ?? "?"}`)
                          .join("; ")}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Config</h2>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Config">
            <table>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(t.config).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">
                      <code>{k}</code>
                    </th>
                    <td>{showConfigValue(v) || "none"}</td>
                    <td>{isDefault(k, v) ? "default" : "set"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Change</h2>
          <div class="row">
            <button
              type="button"
              aria-expanded={editing === "config"}
              onClick={() => setEditing(editing === "config" ? null : "config")}
            >
              Edit config
            </button>
            <button
              type="button"
              aria-expanded={editing === "partitions"}
              onClick={() => setEditing(editing === "partitions" ? null : "partitions")}
            >
              Add partitions
            </button>
            <button type="button" class="danger" onClick={() => setDeleting(true)}>
              Delete topic
            </button>
          </div>
          {editing === "config" && (
            <EditConfig
              topic={t}
              onDone={() => {
                setEditing(null);
                topic.reload();
              }}
            />
          )}
          {editing === "partitions" && (
            <AddPartitions
              topic={t}
              onDone={() => {
                setEditing(null);
                topic.reload();
              }}
            />
          )}
          <ErrorBox error={actionError} />
          <Confirm
            open={deleting}
            title={`Delete topic ${name}?`}
            name={name}
            action="Delete topic"
            onCancel={() => setDeleting(false)}
            onConfirm={async () => {
              setDeleting(false);
              try {
                await api.deleteTopic(name);
                location.hash = href("/topics");
              } catch (e) {
                setActionError(e);
              }
            }}
          />
        </>
      )}
    </>
  );
}

function EditConfig({ topic, onDone }: { topic: TopicDescription; onDone(): void }) {
  const { api } = useConsole();
  const [draft, setDraft] = useState<ConfigDraft>(() =>
    Object.fromEntries(Object.entries(topic.config).map(([k, v]) => [k, showConfigValue(v)])),
  );
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="form"
      aria-label="Edit config"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        try {
          const config = configChanges(topic.config, draft);
          if (Object.keys(config).length > 0) await api.alterTopic(topic.name, { config });
          onDone();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <ConfigFields draft={draft} onChange={setDraft} />
      <ErrorBox error={error} />
      <button type="submit">Save config</button>
    </form>
  );
}

function AddPartitions({ topic, onDone }: { topic: TopicDescription; onDone(): void }) {
  const { api } = useConsole();
  const [n, setN] = useState(String(topic.partition_count + 1));
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="form"
      aria-label="Add partitions"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        try {
          await api.alterTopic(topic.name, { partitions: Number(n) });
          onDone();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <div class="field">
        <label for="new-partitions">New partition count (now {topic.partition_count})</label>
        <input id="new-partitions" type="number" min={1} value={n} onInput={(e) => setN(e.currentTarget.value)} />
        <small>
          Keys hash to new partitions from now on, as in Kafka: per-key order holds only within a partition.
        </small>
      </div>
      <ErrorBox error={error} />
      <button type="submit">Add partitions</button>
    </form>
  );
}

export const topicScreen: Screen = {
  path: "/topics/:topic",
  title: (p) => `Topic ${p.topic}`,
  section: "Topics",
  requires: ["/v1/topics/{topic}"],
  component: TopicDetail,
};
