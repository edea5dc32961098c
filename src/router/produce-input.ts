// The JSON produce body checked without zod in the common case: a hot path, where zod walked every
// record (schema objects, issue lists, copies) only to hand back what JSON.parse had made.

import { ProducerSchema, type ProduceRecordInput, type ProduceRequest } from "../protocol/api.js";
import { MAX_PARTITIONS, VALUE_FORMATS, type ValueFormat } from "../protocol/constants.js";

/**
 * `json` as ProduceRequestSchema would output it, when it plainly conforms; undefined otherwise,
 * and the caller parses it with the schema, which finds and words the fault. So this accepts a
 * subset of what the schema accepts, and the schema stays the one source of error messages.
 */
export function conformingProduceRequest(json: unknown): ProduceRequest | undefined {
  if (!isPlainObject(json)) return undefined;
  let records: unknown;
  let format: ValueFormat = "json";
  let acks: ProduceRequest["acks"] = 1;
  let producer: ProduceRequest["producer"];
  for (const k in json) {
    const v = json[k];
    if (k === "records") records = v;
    else if (k === "format") {
      if (!(VALUE_FORMATS as readonly unknown[]).includes(v)) return undefined;
      format = v as ValueFormat;
    } else if (k === "acks") {
      if (v !== 0 && v !== 1 && v !== -1 && v !== "all") return undefined;
      acks = v;
    } else if (k === "producer") {
      // Small and once per request: the schema checks it (its refinements stay in one place).
      const p = ProducerSchema.safeParse(v);
      if (!p.success) return undefined;
      producer = p.data;
    } else return undefined;
  }
  if (!Array.isArray(records) || records.length === 0) return undefined;
  for (const r of records) if (!conformingRecord(r)) return undefined;
  const out: ProduceRequest = { records: records as ProduceRecordInput[], format, acks };
  if (producer !== undefined) out.producer = producer;
  return out;
}

function conformingRecord(r: unknown): boolean {
  if (!isPlainObject(r)) return false;
  for (const k in r) {
    const v = r[k];
    switch (k) {
      case "value":
        break;
      case "key":
        if (v !== null && typeof v !== "string") return false;
        break;
      case "key_b64":
        if (typeof v !== "string") return false;
        break;
      case "partition":
        if (v !== null && !(Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < MAX_PARTITIONS))
          return false;
        break;
      case "timestamp":
        if (v !== null && !(Number.isSafeInteger(v) && (v as number) >= 0)) return false;
        break;
      case "headers":
        if (!isPlainObject(v)) return false;
        for (const h in v) {
          if (h === "__proto__") return false;
          const hv = v[h];
          if (hv !== null && typeof hv !== "string") return false;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}

/** What JSON.parse makes of `{...}` (not an array, not null). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
