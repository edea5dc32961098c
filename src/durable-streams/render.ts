// Stream reads rendered for the wire: catch-up bodies, ETags, and Server-Sent Events.

import { toBase64 } from "../util/base64.js";
import { concat } from "../util/bytes.js";
import { isJsonType, isTextType } from "./protocol.js";
import type { StreamMessage, StreamRead } from "../contracts/durable-streams.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A JSON stream reads as one array of every value in range; any other stream as its bytes. */
export function catchUpBody(r: StreamRead): Uint8Array {
  const values = r.messages.flatMap((m) => m.values);
  if (!isJsonType(r.contentType)) return concat(values);
  return encoder.encode(`[${values.map((v) => decoder.decode(v)).join(",")}]`);
}

/** Names the exact range served and whether it ends the stream, so a close changes it too. */
export function etag(streamId: string, r: StreamRead): string {
  return `"${streamId}:${r.start}:${r.next}${r.closed && r.upToDate ? ":c" : ""}"`;
}

export interface ControlEvent {
  streamNextOffset: string;
  streamCursor?: string;
  upToDate?: true;
  streamClosed?: true;
}

/** One data event per message, each independently decodable: a JSON array, text lines, or base64. */
export function dataEvent(contentType: string, m: StreamMessage): string {
  let payload: string;
  if (isJsonType(contentType)) payload = `[${m.values.map((v) => decoder.decode(v)).join(",")}]`;
  else if (isTextType(contentType)) payload = decoder.decode(concat(m.values));
  else payload = toBase64(concat(m.values));
  // Every line of the payload gets its own data: field, so CR/LF in text can never end the event.
  const lines = payload
    .split(/\r\n|\r|\n/)
    .map((l) => `data:${l}\n`)
    .join("");
  return `event: data\n${lines}\n`;
}

export function controlEvent(c: ControlEvent): string {
  return `event: control\ndata:${JSON.stringify(c)}\n\n`;
}

/**
 * A read as SSE: each message followed by a control event naming the offset after it; an empty
 * read as one control event. Once a closed stream is fully sent, the final control event says so.
 */
export function sseEvents(r: StreamRead, cursor: () => string): string {
  const finalClose = r.closed && r.upToDate;
  const control = (next: string, last: boolean): string => {
    if (last && finalClose) return controlEvent({ streamNextOffset: next, upToDate: true, streamClosed: true });
    return controlEvent({
      streamNextOffset: next,
      streamCursor: cursor(),
      ...(last && r.upToDate ? { upToDate: true } : {}),
    });
  };
  if (r.messages.length === 0) return control(r.next, true);
  return r.messages.map((m, i) => dataEvent(r.contentType, m) + control(m.next, i === r.messages.length - 1)).join("");
}

export function sseBytes(text: string): Uint8Array {
  return encoder.encode(text);
}
