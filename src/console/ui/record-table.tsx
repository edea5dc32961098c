// Records as a table: partition, offset, time, key, value and headers, the value shown in the
// chosen decoding (long values fold into a disclosure).

import { show, type Decoding } from "../records/decode.js";
import type { ConsoleRecord } from "../records/model.js";
import { time } from "./format.js";

const FOLD = 160;

function Cell({ bytes, as }: { bytes: Uint8Array | null; as: Decoding }) {
  if (bytes === null) return <span class="muted">null</span>;
  const s = show(bytes, as, true);
  const note = s.note && s.note !== "null" ? <span class="note"> ({s.note})</span> : null;
  if (s.text.length <= FOLD)
    return (
      <>
        <code class="val">{s.text}</code>
        {note}
      </>
    );
  return (
    <details>
      <summary>
        <code>{s.text.slice(0, FOLD)}…</code>
        {note}
      </summary>
      <pre>{s.text}</pre>
    </details>
  );
}

export function RecordTable({ records, as, caption }: { records: ConsoleRecord[]; as: Decoding; caption: string }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table class="records">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Partition</th>
            <th scope="col">Offset</th>
            <th scope="col">Time</th>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
            <th scope="col">Headers</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={`${r.partition}:${r.offset}`} data-offset={r.offset} data-partition={r.partition}>
              <td class="num">{r.partition}</td>
              <td class="num">{r.offset}</td>
              <td>
                <time dateTime={new Date(r.timestamp).toISOString()}>{time(r.timestamp)}</time>
              </td>
              <td>
                <Cell bytes={r.key} as={as === "json" ? "string" : as} />
              </td>
              <td>
                <Cell bytes={r.value} as={as} />
              </td>
              <td>
                {r.headers.map(([k, v]) => (
                  <div key={k}>
                    <code>{k}</code>: <Cell bytes={v} as={as === "json" ? "string" : as} />
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
