// The Durable Streams vocabulary: header names, offset tokens, cursors, content types, and the
// request-header parsers shared by the router and the stream store. No Workers APIs.

import type { OffsetParam, ProducerHeaders, StreamPosition } from "../contracts/durable-streams.js";
import { EdgelogError } from "../protocol/errors.js";

export const H = {
  nextOffset: "Stream-Next-Offset",
  upToDate: "Stream-Up-To-Date",
  cursor: "Stream-Cursor",
  closed: "Stream-Closed",
  seq: "Stream-Seq",
  ttl: "Stream-TTL",
  expiresAt: "Stream-Expires-At",
  forkedFrom: "Stream-Forked-From",
  forkOffset: "Stream-Fork-Offset",
  forkSubOffset: "Stream-Fork-Sub-Offset",
  sseEncoding: "Stream-SSE-Data-Encoding",
  producerId: "Producer-Id",
  producerEpoch: "Producer-Epoch",
  producerSeq: "Producer-Seq",
  producerExpectedSeq: "Producer-Expected-Seq",
  producerReceivedSeq: "Producer-Received-Seq",
} as const;

/** Streams live under this URL prefix; the suite and the reference client hard-code it. */
export const STREAM_ROUTE_PREFIX = "/v1/stream/";
/** Every stream is the single partition of the edgelog topic named this prefix plus the stream name. */
export const STREAM_TOPIC_PREFIX = "stream.";
/** Stream names: what a topic name may hold after the prefix (249 - 7 characters). */
const STREAM_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,242}$/;

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";
/** The largest body one append (or create) may carry; the topic's max.message.bytes bounds the encoded batch. */
export const STREAM_MAX_APPEND_BYTES = 1024 * 1024;
/** A catch-up read returns at most about this many bytes (always at least one message). */
export const STREAM_READ_MAX_BYTES = 1024 * 1024;
/** A fork copies its inherited messages in one call; Durable Object RPC carries at most 32 MiB. */
export const STREAM_FORK_MAX_BYTES = 24 * 1024 * 1024;

/** Maps a stream name to its topic name, or throws the 400 that explains the rule. */
export function streamTopicName(name: string): string {
  if (!STREAM_NAME_PATTERN.test(name) || name === "." || name === "..") {
    throw new EdgelogError(
      "INVALID_TOPIC_EXCEPTION",
      `invalid stream path ${JSON.stringify(name)}: a stream name maps to the topic "${STREAM_TOPIC_PREFIX}<name>", ` +
        `so it must be 1-242 characters of [a-zA-Z0-9._-] (no '/'), not '.' or '..'`,
    );
  }
  return STREAM_TOPIC_PREFIX + name;
}

// ---- Offsets --------------------------------------------------------------------------------

/** A position between messages: the edgelog record offset there, and the payload bytes before it. */
export const START: StreamPosition = { offset: 0, bytes: 0 };

/** The reference token format: two 16-digit zero-padded decimals joined by '_', so tokens sort as strings. */
export function formatOffset(p: StreamPosition): string {
  return `${String(p.offset).padStart(16, "0")}_${String(p.bytes).padStart(16, "0")}`;
}

/** Parses an offset token's syntax; whether it names a real position is the store's check. */
export function parseOffsetToken(token: string): StreamPosition | null {
  const m = /^(\d{1,16})_(\d{1,16})$/.exec(token);
  if (!m) return null;
  return { offset: Number(m[1]), bytes: Number(m[2]) };
}

export function parseOffsetParam(values: string[] | undefined): OffsetParam | null {
  if (values === undefined || values.length === 0) return null;
  if (values.length > 1) throw badOffset("give offset once");
  const v = values[0]!;
  if (v === "-1") return { kind: "start" };
  if (v === "now") return { kind: "now" };
  const position = parseOffsetToken(v);
  if (!position) throw badOffset(`${JSON.stringify(v)} is not an offset; use -1, now, or a Stream-Next-Offset value`);
  return { kind: "at", position, token: v };
}

export function badOffset(message: string): EdgelogError {
  return new EdgelogError("INVALID_OFFSET", `invalid stream offset: ${message}`);
}

// ---- Cursors (CDN request collapsing, protocol §10.1) ----------------------------------------

const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);
const CURSOR_INTERVAL_S = 20;

export function nextCursor(now: number, client: string | undefined): string {
  const interval = Math.floor((now - CURSOR_EPOCH_MS) / (CURSOR_INTERVAL_S * 1000));
  const sent = client !== undefined && /^\d+$/.test(client) ? Number(client) : NaN;
  if (!Number.isSafeInteger(sent) || sent < interval) return String(interval);
  // A client at or ahead of the clock gets a jittered step forward so cached replies keep moving.
  const jitterS = 1 + Math.floor(Math.random() * 3600);
  return String(sent + Math.max(1, Math.ceil(jitterS / CURSOR_INTERVAL_S)));
}

// ---- Content types --------------------------------------------------------------------------

/** Lower-cased media type without parameters; undefined when absent or malformed. */
export function mediaType(header: string | undefined | null): string | undefined {
  if (header === undefined || header === null) return undefined;
  const t = header.split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : undefined;
}

export function isJsonType(type: string): boolean {
  return type === "application/json";
}

/** SSE carries text and JSON as is; anything else travels base64. */
export function isTextType(type: string): boolean {
  return type.startsWith("text/") || isJsonType(type);
}

// ---- Request headers ------------------------------------------------------------------------

const NON_NEGATIVE = /^(0|[1-9]\d*)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isTrue(header: string | undefined): boolean {
  return header?.trim().toLowerCase() === "true";
}

export interface Expiry {
  ttlSeconds: number | null;
  expiresAt: number | null;
}

export function parseExpiry(ttl: string | undefined, expiresAt: string | undefined): Expiry {
  if (ttl !== undefined && expiresAt !== undefined) {
    throw new EdgelogError("INVALID_CONFIG", `give ${H.ttl} or ${H.expiresAt}, not both`);
  }
  if (ttl !== undefined) {
    if (!NON_NEGATIVE.test(ttl) || !Number.isSafeInteger(Number(ttl))) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `${H.ttl} must be a whole number of seconds, got ${JSON.stringify(ttl)}`,
      );
    }
    return { ttlSeconds: Number(ttl), expiresAt: null };
  }
  if (expiresAt !== undefined) {
    const ms = RFC3339.test(expiresAt.trim()) ? Date.parse(expiresAt.trim()) : NaN;
    if (Number.isNaN(ms)) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `${H.expiresAt} must be an RFC 3339 time, got ${JSON.stringify(expiresAt)}`,
      );
    }
    return { ttlSeconds: null, expiresAt: ms };
  }
  return { ttlSeconds: null, expiresAt: null };
}

function producerInt(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new EdgelogError("INVALID_REQUEST", `${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** All three producer headers or none; a partial set is a client bug worth a 400. */
export function parseProducer(
  id: string | undefined,
  epoch: string | undefined,
  seq: string | undefined,
): ProducerHeaders | null {
  if (id === undefined && epoch === undefined && seq === undefined) return null;
  if (id === undefined || epoch === undefined || seq === undefined) {
    throw new EdgelogError("INVALID_REQUEST", `send ${H.producerId}, ${H.producerEpoch} and ${H.producerSeq} together`);
  }
  if (id.trim() === "") throw new EdgelogError("INVALID_REQUEST", `${H.producerId} must not be empty`);
  return { id, epoch: producerInt(H.producerEpoch, epoch.trim()), seq: producerInt(H.producerSeq, seq.trim()) };
}

export interface ForkHeaders {
  /** The source stream's name (the header carries its URL path). */
  source: string;
  offset: StreamPosition | null;
  /** The requested offset token as sent, for idempotent re-creates. */
  offsetToken: string | null;
  subOffset: number;
}

export function parseFork(
  from: string | undefined,
  offset: string | undefined,
  sub: string | undefined,
): ForkHeaders | null {
  if (from === undefined) {
    if (offset !== undefined || sub !== undefined) {
      throw new EdgelogError("INVALID_REQUEST", `${H.forkOffset} and ${H.forkSubOffset} need ${H.forkedFrom}`);
    }
    return null;
  }
  let path = from.trim();
  try {
    path = new URL(path, "http://x").pathname;
  } catch {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `${H.forkedFrom} must be a stream path such as ${STREAM_ROUTE_PREFIX}<name>`,
    );
  }
  if (!path.startsWith(STREAM_ROUTE_PREFIX)) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `${H.forkedFrom} must be a stream path such as ${STREAM_ROUTE_PREFIX}<name>`,
    );
  }
  const source = decodeURIComponent(path.slice(STREAM_ROUTE_PREFIX.length));
  streamTopicName(source);
  let position: StreamPosition | null = null;
  if (offset !== undefined) {
    position = parseOffsetToken(offset.trim());
    if (!position) throw badOffset(`${H.forkOffset} ${JSON.stringify(offset)} is not an offset token`);
  }
  let subOffset = 0;
  if (sub !== undefined) {
    if (!NON_NEGATIVE.test(sub.trim()) || !Number.isSafeInteger(Number(sub.trim()))) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `${H.forkSubOffset} must be a non-negative integer, got ${JSON.stringify(sub)}`,
      );
    }
    subOffset = Number(sub.trim());
  }
  return { source, offset: position, offsetToken: position ? formatOffset(position) : null, subOffset };
}
