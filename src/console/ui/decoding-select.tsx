// Choosing how keys and values are shown.

import { DECODINGS, type Decoding } from "../records/decode.js";

export function DecodingSelect({ value, onChange, id }: { value: Decoding; onChange(d: Decoding): void; id: string }) {
  return (
    <div class="field">
      <label for={id}>Show values as</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as Decoding)}>
        {DECODINGS.map((d) => (
          <option key={d} value={d}>
            {d === "json" ? "JSON" : d === "string" ? "text (UTF-8)" : d}
          </option>
        ))}
      </select>
    </div>
  );
}
