// The record filter inputs shared by the messages and live screens.

import type { FilterSpec } from "../records/filter.js";

export function FilterFields({ spec, onChange, id }: { spec: FilterSpec; onChange(s: FilterSpec): void; id: string }) {
  const field = (name: keyof FilterSpec, label: string, placeholder: string, hint?: string) => (
    <div class="field">
      <label for={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        value={spec[name] ?? ""}
        placeholder={placeholder}
        aria-describedby={hint ? `${id}-${name}-hint` : undefined}
        spellcheck={false}
        onInput={(e) => onChange({ ...spec, [name]: e.currentTarget.value })}
      />
      {hint && <small id={`${id}-${name}-hint`}>{hint}</small>}
    </div>
  );
  return (
    <fieldset class="filters">
      <legend>Filters</legend>
      {field("key", "Key contains", "user-1")}
      {field("value", "Value contains", "text")}
      {field(
        "jsonPath",
        "JSON path",
        '$.item == "book"',
        '$.a.b, $.list[*].x, $["k"]; == != > >= < <= ~= a JSON value',
      )}
      {field("header", "Header", "source=web", "name, or name=text")}
    </fieldset>
  );
}
