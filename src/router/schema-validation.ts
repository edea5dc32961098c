// Produce-side schema validation (Confluent's confluent.key/value.schema.validation topic configs):
// every key or value must carry a schema id registered under the topic's subject (TopicNameStrategy:
// `<topic>-key`, `<topic>-value`). Checked before anything is written; ids answered once are
// cached per isolate (schema-cache.ts), so the hot path makes no object call for known ids.

import type { Env } from "../env.js";
import { EdgelogError } from "../protocol/errors.js";
import { decodeRecords, readBatchHeader } from "../protocol/record-batch.js";
import type { Topic } from "../protocol/topic.js";
import { framedId } from "../schemas/wire.js";
import { isRegisteredUnder } from "./schema-cache.js";

interface KeyValue {
  key: Uint8Array | null;
  value: Uint8Array | null;
}

/** Whether the topic validates anything: callers skip all work when it does not. */
export function validatesSchemas(topic: Topic): boolean {
  return topic.config["confluent.value.schema.validation"] || topic.config["confluent.key.schema.validation"];
}

/** Refuses (INVALID_RECORD) the first record whose key or value the topic's validation rejects. */
export async function checkSchemaIds(
  env: Env,
  topic: Topic,
  records: readonly KeyValue[],
  label: (i: number) => string,
): Promise<void> {
  const parts: ("key" | "value")[] = [];
  if (topic.config["confluent.key.schema.validation"]) parts.push("key");
  if (topic.config["confluent.value.schema.validation"]) parts.push("value");
  // One lookup per distinct (part, id), remembering the first record that used it for the message.
  const firstUse = new Map<string, { part: "key" | "value"; id: number; index: number }>();
  records.forEach((r, i) => {
    for (const part of parts) {
      const bytes = r[part];
      if (bytes === null) continue; // tombstones and null keys carry no schema
      const id = framedId(bytes);
      if (id === undefined) {
        throw new EdgelogError(
          "INVALID_RECORD",
          `${label(i)}: the ${part} does not start with a schema registry frame (magic byte 0 and a 4-byte schema id), and topic ${topic.name} has confluent.${part}.schema.validation=true`,
        );
      }
      const k = `${part}/${id}`;
      if (!firstUse.has(k)) firstUse.set(k, { part, id, index: i });
    }
  });
  const checks = [...firstUse.values()].map(async (u) => {
    const subject = `${topic.name}-${u.part}`;
    if (!(await isRegisteredUnder(env, subject, u.id))) {
      throw new EdgelogError(
        "INVALID_RECORD",
        `${label(u.index)}: the ${u.part}'s schema id ${u.id} is not registered under subject ${subject}; register the schema there first`,
      );
    }
  });
  await Promise.all(checks);
}

/** The records of raw batches (already decompressed), for checking them. */
export function batchRecords(body: Uint8Array): KeyValue[] {
  const out: KeyValue[] = [];
  for (let pos = 0; pos < body.byteLength; ) {
    const h = readBatchHeader(body, pos);
    out.push(...decodeRecords(body.subarray(pos, pos + h.size)));
    pos += h.size;
  }
  return out;
}
