// Topic config inputs, one per key of Kafka's config table (src/protocol/topic-config.ts): the
// default as placeholder, the valid values and what the key does as the hint. Values go to the
// API as typed (it accepts numeric and comma-separated strings, as Kafka tools send them) and the
// API's INVALID_CONFIG message is what the user sees for a bad one.

import { TOPIC_CONFIG_KEYS, TOPIC_CONFIG_SPEC, type ConfigValidator } from "../../protocol/topic-config.js";

export type ConfigDraft = Record<string, string>;

export function showConfigValue(v: unknown): string {
  return Array.isArray(v) ? v.join(",") : v === undefined || v === null ? "" : String(v);
}

function validValues(v: ConfigValidator): string {
  switch (v.kind) {
    case "int":
      return `${v.minusOne ? `-1 (${v.minusOne}) or ` : ""}${v.min}–${v.max}${v.unit ? ` ${v.unit}` : ""}`;
    case "choice":
      return v.choices.join(" | ");
    case "boolean":
      return "true | false";
    case "regions":
      return "comma-separated location hints";
  }
}

/** The values a select offers, for keys with a fixed set of them. */
function choicesOf(v: ConfigValidator): readonly string[] | null {
  return v.kind === "choice" ? v.choices : v.kind === "boolean" ? ["true", "false"] : null;
}

/** Strips Markdown backticks from the spec's one-sentence docs. */
const plain = (doc: string) => doc.replaceAll("`", "");

export function ConfigFields({ draft, onChange }: { draft: ConfigDraft; onChange(d: ConfigDraft): void }) {
  return (
    <fieldset class="config">
      <legend>Config (empty: Kafka's default)</legend>
      {TOPIC_CONFIG_KEYS.map((key) => {
        const spec = TOPIC_CONFIG_SPEC[key];
        const id = `cfg-${key.replaceAll(".", "-")}`;
        const set = (value: string) => onChange({ ...draft, [key]: value });
        const choices = choicesOf(spec.valid);
        return (
          <div class="field" key={key}>
            <label for={id}>
              <code>{key}</code>
            </label>
            {choices ? (
              <select
                id={id}
                value={draft[key] ?? ""}
                onChange={(e) => set(e.currentTarget.value)}
                aria-describedby={`${id}-hint`}
              >
                <option value="">default ({showConfigValue(spec.default)})</option>
                {choices.map((c) => (
                  <option value={c} key={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                value={draft[key] ?? ""}
                placeholder={showConfigValue(spec.default) || "none"}
                inputMode={spec.valid.kind === "int" ? "numeric" : undefined}
                aria-describedby={`${id}-hint`}
                onInput={(e) => set(e.currentTarget.value)}
              />
            )}
            <small id={`${id}-hint`}>
              {plain(spec.doc)}. Default {showConfigValue(spec.default) || "none"}; {validValues(spec.valid)}.
            </small>
          </div>
        );
      })}
    </fieldset>
  );
}

/** The draft's non-empty keys, for a create request. */
export function configToCreate(draft: ConfigDraft): Record<string, string> {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim() !== ""));
}

/** What changed against the current config, for a PATCH: changed keys as typed, cleared keys null. */
export function configChanges(current: Record<string, unknown>, draft: ConfigDraft): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of TOPIC_CONFIG_KEYS) {
    const was = showConfigValue(current[key]);
    const now = (draft[key] ?? "").trim();
    if (now === was) continue;
    out[key] = now === "" ? null : now;
  }
  return out;
}

export function isDefault(key: string, value: unknown): boolean {
  const spec = Object.hasOwn(TOPIC_CONFIG_SPEC, key)
    ? TOPIC_CONFIG_SPEC[key as keyof typeof TOPIC_CONFIG_SPEC]
    : undefined;
  return spec !== undefined && showConfigValue(spec.default) === showConfigValue(value);
}
