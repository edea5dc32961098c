// How r2-sink writes a run of records into one object: JSON lines of envelopes, or Parquet through
// hyparquet-writer (pure JavaScript, no code generation, so it runs in workerd).

import { parquetWriteBuffer } from "hyparquet-writer";
import { utf8Encoder } from "../../util/utf8.js";
import { type Envelope, envelope, type SinkRecord } from "./task.js";

export interface ObjectFormat {
  extension: string;
  contentType: string;
  encode(records: SinkRecord[]): Uint8Array;
}

export const JSON_LINES: ObjectFormat = {
  extension: "jsonl",
  contentType: "application/x-ndjson",
  encode: (records) => utf8Encoder.encode(records.map((r) => `${JSON.stringify(envelope(r))}\n`).join("")),
};

/** JSON columns hold any value; hyparquet-writer serialises them, and nulls stay nulls. */
const jsonColumn = (rows: Envelope[], pick: (e: Envelope) => unknown) =>
  rows.map((e) => {
    const v = pick(e);
    return v === null || v === undefined ? null : v;
  });

export function parquet(codec: "none" | "snappy"): ObjectFormat {
  return {
    extension: "parquet",
    contentType: "application/vnd.apache.parquet",
    encode(records) {
      const rows = records.map(envelope);
      const buf = parquetWriteBuffer({
        codec: codec === "snappy" ? "SNAPPY" : "UNCOMPRESSED",
        columnData: [
          { name: "topic", data: rows.map((e) => e.topic), type: "STRING" },
          { name: "partition", data: rows.map((e) => e.partition), type: "INT32" },
          { name: "offset", data: rows.map((e) => BigInt(e.offset)), type: "INT64" },
          {
            name: "timestamp",
            data: rows.map((e) => (e.timestamp === null ? null : new Date(e.timestamp))),
            type: "TIMESTAMP",
          },
          { name: "key", data: jsonColumn(rows, (e) => e.key), type: "JSON" },
          { name: "value", data: jsonColumn(rows, (e) => e.value), type: "JSON" },
          { name: "headers", data: rows.map((e) => e.headers), type: "JSON" },
        ],
      });
      return new Uint8Array(buf);
    },
  };
}
