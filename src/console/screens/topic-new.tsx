// Create a topic: name, partitions and any config key, with Kafka's defaults shown.

import { useState } from "preact/hooks";
import { href } from "../router.js";
import { ConfigFields, configToCreate, type ConfigDraft } from "../ui/config-fields.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import type { Screen } from "./screen.js";

function NewTopic() {
  const { api } = useConsole();
  const [name, setName] = useState("");
  const [partitions, setPartitions] = useState("1");
  const [draft, setDraft] = useState<ConfigDraft>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          const topic = await api.createTopic({
            name: name.trim(),
            partitions: Number(partitions),
            config: configToCreate(draft),
          });
          location.hash = href("/topics/:topic", { topic: topic.name });
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class="field">
        <label for="topic-name">Name</label>
        <input
          id="topic-name"
          required
          value={name}
          aria-describedby="topic-name-hint"
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <small id="topic-name-hint">1–249 characters of a–z, A–Z, 0–9, “.”, “_” and “-”.</small>
      </div>
      <div class="field">
        <label for="topic-partitions">Partitions</label>
        <input
          id="topic-partitions"
          type="number"
          min={1}
          max={1024}
          required
          value={partitions}
          onInput={(e) => setPartitions(e.currentTarget.value)}
        />
      </div>
      <ConfigFields draft={draft} onChange={setDraft} />
      <ErrorBox error={error} />
      <div class="row">
        <button type="submit" disabled={busy}>
          Create topic
        </button>
        <a href={href("/topics")}>Cancel</a>
      </div>
    </form>
  );
}

export const newTopicScreen: Screen = {
  path: "/new-topic",
  title: "Create a topic",
  section: "Topics",
  requires: ["/v1/topics"],
  component: NewTopic,
};
