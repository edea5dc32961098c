// r2-sink as a plugin definition: the bucket binding, object keys, rolling and formats.

import { addError } from "../config.js";
import { VERSION, type ConnectorPlugin } from "../plugin.js";

export const R2_SINK: ConnectorPlugin = {
  class: "r2-sink",
  aliases: [],
  type: "sink",
  version: VERSION,
  config: [
    {
      name: "r2.bucket.binding",
      type: "STRING",
      default: "ARCHIVE",
      importance: "HIGH",
      group: "Storage",
      documentation: "The R2 bucket binding (declared in wrangler.toml) objects are written to.",
    },
    {
      name: "topics.dir",
      type: "STRING",
      default: "connect",
      importance: "HIGH",
      group: "Storage",
      documentation:
        "Top-level directory of the object keys: <topics.dir>/<topic>/<partition>/<yyyy-MM-dd>/<startOffset>.<ext>.",
    },
    {
      name: "flush.size",
      type: "INT",
      default: 1_000,
      min: 1,
      max: 1_000_000,
      importance: "HIGH",
      group: "Storage",
      documentation: "Number of records written to one object.",
    },
    {
      name: "rotate.interval.ms",
      type: "LONG",
      default: -1,
      min: -1,
      importance: "HIGH",
      group: "Storage",
      documentation: "Close an open object this long after its first record arrived (wall clock); -1 disables.",
    },
    {
      name: "format.class",
      type: "STRING",
      default: "json",
      validValues: [
        "json",
        "parquet",
        "io.confluent.connect.s3.format.json.JsonFormat",
        "io.confluent.connect.s3.format.parquet.ParquetFormat",
      ],
      importance: "HIGH",
      group: "Storage",
      documentation: "json: JSON lines (.jsonl); parquet: Parquet (.parquet).",
    },
    {
      name: "parquet.codec",
      type: "STRING",
      default: "snappy",
      validValues: ["none", "snappy"],
      importance: "LOW",
      group: "Storage",
      documentation: "Compression of Parquet pages.",
    },
  ],
  validate(values, _raw, errors, facts) {
    const b = String(values["r2.bucket.binding"]);
    if (!facts.r2Bindings.includes(b))
      addError(
        errors,
        "r2.bucket.binding",
        `No R2 bucket binding ${b} in this deployment (declared: ${facts.r2Bindings.join(", ") || "none"})`,
      );
    const dir = String(values["topics.dir"]);
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(dir))
      addError(errors, "topics.dir", "Use path segments of [A-Za-z0-9._-] separated by /");
    // The archive bucket keeps edgelog's own segments under topics/.
    if (b === "ARCHIVE" && (dir === "topics" || dir.startsWith("topics/")))
      addError(errors, "topics.dir", "topics/ in the ARCHIVE bucket holds edgelog's segments; pick another directory");
  },
};
