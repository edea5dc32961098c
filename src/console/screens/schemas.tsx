// Schemas: the schema registry's subjects (searchable), and one subject's versions, each version's
// schema and the compatibility level that applies. Read-only; shown where the server has /registry.

import { useState } from "preact/hooks";
import { href } from "../router.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { useAsync } from "../ui/hooks.js";
import type { Screen, ScreenProps } from "./screen.js";

const enc = encodeURIComponent;

interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schemaType?: string;
  schema: string;
}

function Subjects() {
  const { api } = useConsole();
  const subjects = useAsync((signal) => api.get<string[]>("/registry/subjects", signal), []);
  const [query, setQuery] = useState("");
  const shown = (subjects.data ?? []).filter((s) => s.toLowerCase().includes(query.trim().toLowerCase()));
  return (
    <>
      <div class="toolbar">
        <label class="grow">
          Search subjects
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      </div>
      <ErrorBox error={subjects.error} />
      {subjects.data && shown.length === 0 && <p>No subjects{query.trim() ? " match" : " yet"}.</p>}
      {shown.length > 0 && (
        <ul class="plain">
          {shown.map((s) => (
            <li key={s}>
              <a href={href("/schemas/:subject", { subject: s })}>{s}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function pretty(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema; // Protobuf text
  }
}

function Subject({ params }: ScreenProps) {
  const { api } = useConsole();
  const name = params.subject!;
  const versions = useAsync((signal) => api.get<number[]>(`/registry/subjects/${enc(name)}/versions`, signal), [name]);
  const [chosen, setChosen] = useState("latest");
  const version = useAsync(
    (signal) => api.get<SubjectVersion>(`/registry/subjects/${enc(name)}/versions/${chosen}`, signal),
    [name, chosen],
  );
  const level = useAsync(
    (signal) =>
      api.get<{ compatibilityLevel?: string; compatibility?: string }>(
        `/registry/config/${enc(name)}?defaultToGlobal=true`,
        signal,
      ),
    [name],
  );
  const v = version.data;
  return (
    <>
      <ErrorBox error={versions.error ?? level.error} />
      <dl class="facts">
        <dt>Compatibility</dt>
        <dd>{level.data?.compatibilityLevel ?? level.data?.compatibility ?? "…"}</dd>
        <dt>Versions</dt>
        <dd>{versions.data?.join(", ") ?? "…"}</dd>
      </dl>
      {versions.data && (
        <div class="field narrow">
          <label for="s-version">Version</label>
          <select id="s-version" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
            <option value="latest">latest</option>
            {versions.data.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </div>
      )}
      <ErrorBox error={version.error} />
      {v && (
        <>
          <p>
            Version {v.version}, schema id <strong data-testid="schema-id">{v.id}</strong>, {v.schemaType ?? "AVRO"}
          </p>
          <pre class="schema" tabIndex={0} aria-label={`Schema of ${name} version ${v.version}`}>
            {pretty(v.schema)}
          </pre>
        </>
      )}
    </>
  );
}

export const schemasScreen: Screen = {
  path: "/schemas",
  title: "Schemas",
  nav: "Schemas",
  requires: ["/registry/subjects", "/registry/subjects/{subject}/versions/{version}"],
  component: Subjects,
};

export const subjectScreen: Screen = {
  path: "/schemas/:subject",
  title: (p) => `Subject ${p.subject}`,
  section: "Schemas",
  requires: ["/registry/subjects/{subject}/versions", "/registry/config/{subject}"],
  component: Subject,
};
