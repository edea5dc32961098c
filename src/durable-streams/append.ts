// Appending to a stream: close, content type, idempotent producers, Stream-Seq, JSON flattening,
// in the protocol's order of checks. Everything is decided before anything is written.

import { EdgelogError } from "../protocol/errors.js";
import { utf8Encoder } from "../util/utf8.js";
import type { AppendStreamRequest, ProducerHeaders, StreamReply } from "../contracts/durable-streams.js";
import { formatOffset, H, isJsonType } from "./protocol.js";
import { conflict, type StreamStore } from "./store.js";

interface ProducerRow extends Record<string, SqlStorageValue> {
  epoch: number;
  last_seq: number;
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** A body as message values: one for bytes; for JSON a top-level array is flattened one level. */
export function bodyValues(contentType: string, body: Uint8Array, allowEmptyArray: boolean): Uint8Array[] {
  if (!isJsonType(contentType)) return body.byteLength > 0 ? [body] : [];
  if (body.byteLength === 0) return [];
  let value: unknown;
  try {
    value = JSON.parse(strictDecoder.decode(body));
  } catch (e) {
    throw new EdgelogError("INVALID_RECORD", `body is not valid JSON: ${(e as Error).message}`);
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0 && !allowEmptyArray) {
    throw new EdgelogError("INVALID_RECORD", "an empty JSON array appends nothing; send at least one value");
  }
  return items.map((v) => utf8Encoder.encode(JSON.stringify(v)));
}

export function appendToStream(
  store: StreamStore,
  req: AppendStreamRequest,
  now: number,
  maxMessageBytes: number,
): StreamReply {
  const m = store.require(now);
  const closeOnly = req.body.byteLength === 0 && req.close;
  const tailHeaders = (): Record<string, string> => ({ [H.nextOffset]: formatOffset(store.tail(m)) });
  const p = req.producer;
  const echo = (seq: number, epoch = p!.epoch) => ({ [H.producerEpoch]: String(epoch), [H.producerSeq]: String(seq) });

  if (m.closed) {
    const closedHeaders = { ...tailHeaders(), [H.closed]: "true" };
    if (p && m.closed_by === closedBy(p)) return { status: 204, headers: { ...closedHeaders, ...echo(p.seq) } };
    if (closeOnly && !p) {
      store.touch(m, now);
      return { status: 204, headers: closedHeaders };
    }
    const state = p ? producerState(store.sql, p.id) : undefined;
    if (p && state && p.epoch < state.epoch) {
      return conflict(
        "INVALID_PRODUCER_EPOCH",
        403,
        `producer ${p.id} epoch ${p.epoch} is fenced by epoch ${state.epoch}`,
        { ...closedHeaders, [H.producerEpoch]: String(state.epoch) },
      );
    }
    return conflict("STREAM_CLOSED", 409, `stream ${store.name} is closed`, closedHeaders);
  }
  if (!closeOnly && req.contentType !== m.content_type) {
    return conflict(
      "INCONSISTENT_CONTENT_TYPE",
      409,
      `stream ${store.name} holds ${m.content_type}; this append is ${req.contentType ?? "untyped"}`,
      tailHeaders(),
    );
  }
  if (p) {
    const refused = checkProducer(store.sql, p, tailHeaders);
    if (refused) return refused;
  }
  if (req.seq !== null && m.last_seq !== null && !(req.seq > m.last_seq)) {
    return conflict(
      "OUT_OF_ORDER_SEQUENCE_NUMBER",
      409,
      `${H.seq} ${JSON.stringify(req.seq)} is not after the last accepted ${JSON.stringify(m.last_seq)}`,
      tailHeaders(),
    );
  }
  const values = closeOnly ? [] : bodyValues(m.content_type, req.body, false);
  const batch = values.length > 0 ? store.encodeMessage(values, now, maxMessageBytes) : null;

  if (batch) store.writeMessage(m, batch, values, now, maxMessageBytes);
  if (req.seq !== null) store.sql.exec(`UPDATE stream_meta SET last_seq = ? WHERE id = 0`, req.seq);
  if (p) {
    store.sql.exec(
      `INSERT INTO stream_producers (producer_id, epoch, last_seq, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (producer_id) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq, updated_at = excluded.updated_at`,
      p.id,
      p.epoch,
      p.seq,
      now,
    );
  }
  if (req.close) {
    store.sql.exec(`UPDATE stream_meta SET closed = 1, closed_by = ? WHERE id = 0`, p ? closedBy(p) : null);
  }
  store.touch(m, now);
  const headers = tailHeaders();
  if (req.close) headers[H.closed] = "true";
  if (p) Object.assign(headers, echo(p.seq));
  return { status: p && !closeOnly ? 200 : 204, headers };
}

function closedBy(p: ProducerHeaders): string {
  return JSON.stringify([p.id, p.epoch, p.seq]);
}

function producerState(sql: SqlStorage, id: string): ProducerRow | undefined {
  return sql.exec<ProducerRow>(`SELECT epoch, last_seq FROM stream_producers WHERE producer_id = ?`, id).toArray()[0];
}

/** Kafka-style producer fencing and sequencing; undefined means the append may go ahead. */
function checkProducer(
  sql: SqlStorage,
  p: ProducerHeaders,
  tailHeaders: () => Record<string, string>,
): StreamReply | undefined {
  const state = producerState(sql, p.id);
  const gap = (expected: number) =>
    conflict("OUT_OF_ORDER_SEQUENCE_NUMBER", 409, `producer ${p.id} sent seq ${p.seq}; expected ${expected}`, {
      ...tailHeaders(),
      [H.producerExpectedSeq]: String(expected),
      [H.producerReceivedSeq]: String(p.seq),
    });
  if (!state) return p.seq === 0 ? undefined : gap(0);
  if (p.epoch < state.epoch) {
    return conflict(
      "INVALID_PRODUCER_EPOCH",
      403,
      `producer ${p.id} epoch ${p.epoch} is fenced by epoch ${state.epoch}`,
      { [H.producerEpoch]: String(state.epoch) },
    );
  }
  if (p.epoch > state.epoch) {
    if (p.seq === 0) return undefined;
    throw new EdgelogError(
      "INVALID_REQUEST",
      `producer ${p.id} starts epoch ${p.epoch} at seq ${p.seq}; a new epoch starts at 0`,
    );
  }
  if (p.seq <= state.last_seq) {
    // A retry of an append already in the log: acknowledged, not written again.
    return {
      status: 204,
      headers: { ...tailHeaders(), [H.producerEpoch]: String(state.epoch), [H.producerSeq]: String(state.last_seq) },
    };
  }
  return p.seq === state.last_seq + 1 ? undefined : gap(state.last_seq + 1);
}
