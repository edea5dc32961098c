// The shown records as a JSON or CSV file, keys and values in the decoding the screen shows.

import { show, type Decoding } from "./decode.js";
import type { ConsoleRecord } from "./model.js";

function row(r: ConsoleRecord, as: Decoding) {
  const headers: Record<string, string | null> = {};
  for (const [name, value] of r.headers) headers[name] = value === null ? null : show(value, "string").text;
  return {
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : show(r.key, as === "json" ? "string" : as).text,
    value: r.value === null ? null : show(r.value, as).text,
    headers,
  };
}

/** JSON: an array of records; with the JSON decoding, values that are JSON are embedded as JSON. */
export function toJsonExport(records: ConsoleRecord[], as: Decoding): string {
  return JSON.stringify(
    records.map((r) => {
      const out: Record<string, unknown> = row(r, as);
      if (as === "json" && typeof out.value === "string") {
        try {
          out.value = JSON.parse(out.value);
        } catch {
          /* not JSON: kept as text */
        }
      }
      return out;
    }),
    null,
    2,
  );
}

const CSV_COLUMNS = ["partition", "offset", "timestamp", "time", "key", "value", "headers"] as const;

/** CSV (RFC 4180): one line per record, headers as a JSON object, time as ISO 8601 beside the ms. */
export function toCsvExport(records: ConsoleRecord[], as: Decoding): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of records) {
    const x = row(r, as);
    const cells = [
      x.partition,
      x.offset,
      x.timestamp,
      new Date(x.timestamp).toISOString(),
      x.key ?? "",
      x.value ?? "",
      r.headers.length ? JSON.stringify(x.headers) : "",
    ];
    lines.push(cells.map((c) => csvCell(String(c))).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
