// Writing records to a topic on a connector's behalf, with its own token: a source's output and a
// sink's dead letter queue (original bytes, Kafka's context headers when enabled).

import type { Message } from "../../client/messages.js";
import type { Transport } from "../../client/transport.js";
import type { ProduceReply } from "../../protocol/api.js";
import { EdgelogError } from "../../protocol/errors.js";
import { toBase64 } from "../../util/base64.js";
import { contextHeaders, type Errant } from "../errors.js";
import { RetriableException } from "../record.js";
import type { ConnectHeader } from "../record.js";

export interface OutRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: ConnectHeader[];
  timestamp: number | null;
  partition: number | null;
}

const enc = encodeURIComponent;

/** Appends `records` to `topic` (binary keys and values); retriable failures surface as RetriableException. */
export async function produceRecords(http: Transport, topic: string, records: OutRecord[]): Promise<ProduceReply> {
  const body = {
    format: "binary",
    records: records.map((r) => {
      const headers: Record<string, string | null> = {};
      for (const h of r.headers) headers[h.key] = h.value;
      return {
        ...(r.key === null ? { key: null } : { key_b64: toBase64(r.key) }),
        value: r.value === null ? null : toBase64(r.value),
        headers,
        ...(r.partition !== null && r.partition >= 0 ? { partition: r.partition } : {}),
        ...(r.timestamp !== null ? { timestamp: r.timestamp } : {}),
      };
    }),
  };
  try {
    return await http.request<ProduceReply>("POST", `/v1/topics/${enc(topic)}/records`, body, { retry: true });
  } catch (e) {
    if (e instanceof EdgelogError && e.retriable) throw new RetriableException(`${topic}: ${e.message}`);
    throw e;
  }
}

/** A sink's failed records as the DLQ gets them: as they were read, plus context headers when enabled. */
export function dlqRecords(entries: Errant[], contextHeadersEnabled: boolean): OutRecord[] {
  return entries.map((e) => ({
    key: e.raw?.key ?? null,
    value: e.raw?.value ?? null,
    headers: [...(e.raw?.headers ?? []), ...(contextHeadersEnabled ? contextHeaders(e.context) : [])],
    timestamp: e.raw?.timestamp ?? null,
    partition: null,
  }));
}

/** The DLQ writer of a sink (at least once: each write on its own). */
export function dlqWriter(http: Transport, topic: string, contextHeadersEnabled: boolean) {
  return async (entries: Errant[]): Promise<void> => {
    await produceRecords(http, topic, dlqRecords(entries, contextHeadersEnabled));
  };
}

/** An OutRecord as the SDK producer sends it (binary format). */
export function toMessage(r: OutRecord): Message {
  const headers: Record<string, string | null> = {};
  for (const h of r.headers) headers[h.key] = h.value;
  return {
    key: r.key,
    value: r.value,
    headers,
    ...(r.partition !== null && r.partition >= 0 ? { partition: r.partition } : {}),
    ...(r.timestamp !== null ? { timestamp: r.timestamp } : {}),
  };
}
