// Produce a record: key, value (JSON, text or base64), headers, and a partition or the key's.

import { useState } from "preact/hooks";
import type { ProduceReply } from "../api.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { time } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import { TopicTabs } from "../ui/topic-tabs.js";
import type { Screen, ScreenProps } from "./screen.js";

type Format = "json" | "string" | "binary";

function Produce({ params }: ScreenProps) {
  const { api } = useConsole();
  const name = params.topic!;
  const topic = useAsync((signal) => api.describeTopic(name, signal), [name]);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [format, setFormat] = useState<Format>("json");
  const [headers, setHeaders] = useState<[string, string][]>([]);
  const [partition, setPartition] = useState("key");
  const [reply, setReply] = useState<ProduceReply>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setError(undefined);
    setReply(undefined);
    let parsed: unknown = value;
    if (format === "json") {
      try {
        parsed = value.trim() === "" ? null : JSON.parse(value);
      } catch (e) {
        setError(new Error(`the value is not JSON (${(e as Error).message}); choose "text" to send it as it is`));
        return;
      }
    }
    setBusy(true);
    try {
      const record = {
        key: key === "" ? null : key,
        value: parsed,
        ...(headers.length ? { headers: Object.fromEntries(headers.filter(([n]) => n.trim() !== "")) } : {}),
      };
      setReply(await api.produce(name, [record], format, partition === "key" ? undefined : Number(partition)));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const produced = reply?.records[0];
  return (
    <>
      <TopicTabs topic={name} current="/topics/:topic/produce" />
      <ErrorBox error={topic.error} />
      <form
        class="form"
        aria-label="Produce a record"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class="field">
          <label for="p-key">Key</label>
          <input id="p-key" value={key} placeholder="none (null key)" onInput={(e) => setKey(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="p-format">Value format</label>
          <select id="p-format" value={format} onChange={(e) => setFormat(e.currentTarget.value as Format)}>
            <option value="json">JSON</option>
            <option value="string">text</option>
            <option value="binary">bytes, as base64</option>
          </select>
        </div>
        <div class="field">
          <label for="p-value">Value</label>
          <textarea
            id="p-value"
            rows={6}
            value={value}
            spellcheck={false}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </div>
        <fieldset>
          <legend>Headers</legend>
          {headers.map(([n, v], i) => (
            <div class="row" key={i}>
              <label>
                Name
                <input
                  value={n}
                  onInput={(e) => setHeaders(headers.map((h, j) => (j === i ? [e.currentTarget.value, h[1]] : h)))}
                />
              </label>
              <label>
                Value
                <input
                  value={v}
                  onInput={(e) => setHeaders(headers.map((h, j) => (j === i ? [h[0], e.currentTarget.value] : h)))}
                />
              </label>
              <button
                type="button"
                onClick={() => setHeaders(headers.filter((_, j) => j !== i))}
                aria-label={`Remove header ${i + 1}`}
              >
                Remove
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setHeaders([...headers, ["", ""]])}>
            Add header
          </button>
        </fieldset>
        <div class="field">
          <label for="p-partition">Partition</label>
          <select id="p-partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
            <option value="key">By key (murmur2, as Kafka's producer)</option>
            {topic.data?.partitions.map((p) => (
              <option key={p.partition} value={String(p.partition)}>
                {p.partition}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          Produce
        </button>
      </form>
      <ErrorBox error={error} />
      {produced && (
        <p class="ok" role="status">
          Written to partition <strong data-testid="produced-partition">{produced.partition}</strong> at offset{" "}
          <strong data-testid="produced-offset">{produced.offset}</strong>, time{" "}
          <span data-testid="produced-timestamp" data-ms={produced.timestamp}>
            {time(produced.timestamp ?? -1)}
          </span>
          .
        </p>
      )}
    </>
  );
}

export const produceScreen: Screen = {
  path: "/topics/:topic/produce",
  title: (p) => `Produce to ${p.topic}`,
  section: "Topics",
  requires: ["/v1/topics/{topic}/records"],
  component: Produce,
};
