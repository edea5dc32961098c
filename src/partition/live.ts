// Live subscribers of one partition: hibernatable WebSockets fed from the log with a bounded
// window of unacknowledged frames, so a slow reader never makes the partition buffer.

import { EdgelogError } from "../protocol/errors.js";
import { batchEnd, renderRecords } from "../protocol/fetched.js";
import {
  LIVE_CHUNK_BYTES,
  LIVE_CHUNK_RECORDS,
  LIVE_CLOSE,
  LIVE_STALL_MS,
  LIVE_WINDOW_FRAMES,
  type IsolationLevel,
  type ValueFormat,
} from "../protocol/constants.js";
import { committedBatches, type AbortedTxn } from "../protocol/transactions.js";
import { concat } from "../util/bytes.js";

/** One subscriber's cursor, kept as the socket's attachment so it survives hibernation (≤ 2 KB). */
export interface Subscriber {
  /** The next offset to send. */
  offset: number;
  format: ValueFormat;
  /** Binary frames of whole RecordBatch v2 instead of JSON. */
  raw: boolean;
  /** read_committed: frames stop at the last stable offset and leave aborted transactions out. */
  isolation?: IsolationLevel;
  /** next_offset of each frame sent and not yet acknowledged, oldest first. */
  inflight: number[];
  /** When the window first stood full with data waiting (ms), 0 when it is not. */
  stalledSince: number;
}

export interface LiveRead {
  batches: Uint8Array[];
  highWatermark: number;
  lastStableOffset: number;
  aborted?: AbortedTxn[];
}

/** Reads the log (hot or archived) from an offset, in bounded chunks. */
export type LiveReader = (
  offset: number,
  opts: { maxBytes: number; maxRecords: number; isolation?: IsolationLevel },
) => LiveRead | Promise<LiveRead>;

interface Frame {
  data: string | Uint8Array;
  next: number;
  /** The frame reaches the end the read saw: a later append pumps again, so no re-read is needed. */
  caughtUp: boolean;
}

/**
 * Sockets live in the object's hibernation set (ctx.getWebSockets()); this class keeps only what
 * an in-flight send needs, so an evicted object loses nothing a subscriber relies on.
 */
export class LiveTail {
  readonly #pumping = new Set<WebSocket>();
  /** Sockets that got new work while their pump was mid-flight. */
  readonly #again = new Set<WebSocket>();

  constructor(
    private readonly sockets: () => WebSocket[],
    private readonly read: LiveReader,
    private readonly now: () => number = Date.now,
  ) {}

  static subscriber(offset: number, format: ValueFormat, raw: boolean, isolation?: IsolationLevel): Subscriber {
    return { offset, format, raw, ...(isolation ? { isolation } : {}), inflight: [], stalledSince: 0 };
  }

  /** Starts feeding a socket the object has just accepted. */
  start(ws: WebSocket, sub: Subscriber): void {
    ws.serializeAttachment(sub);
    void this.#pump(ws);
  }

  /** New batches were appended: every subscriber with room in its window gets them. */
  onAppend(): void {
    const sockets = this.sockets();
    if (sockets.length === 0) return;
    // Caught-up subscribers all want the same frame: read and render it once per append.
    const shared = new Map<string, Promise<Frame | null>>();
    for (const ws of sockets) void this.#pump(ws, shared);
  }

  /** A client message: `{"ack": next_offset}` frees window slots up to that frame. */
  onMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    let ack: unknown;
    try {
      ack = typeof message === "string" ? (JSON.parse(message) as { ack?: unknown }).ack : undefined;
    } catch {
      ack = undefined;
    }
    if (typeof ack !== "number" || !Number.isSafeInteger(ack)) {
      ws.close(LIVE_CLOSE.BAD_MESSAGE, 'expected {"ack": <next_offset of a received frame>}');
      return;
    }
    const sub = ws.deserializeAttachment() as Subscriber | null;
    if (!sub) return;
    sub.inflight = sub.inflight.filter((next) => next > ack);
    sub.stalledSince = 0;
    ws.serializeAttachment(sub);
    void this.#pump(ws);
  }

  /** The partition is gone (topic deleted): tell every subscriber why. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.sockets()) safeClose(ws, code, reason);
  }

  async #pump(ws: WebSocket, shared?: Map<string, Promise<Frame | null>>): Promise<void> {
    if (this.#pumping.has(ws)) {
      this.#again.add(ws);
      return;
    }
    this.#pumping.add(ws);
    try {
      for (let first = true; ; first = false) {
        const sub = ws.deserializeAttachment() as Subscriber | null;
        if (!sub) return;
        if (sub.inflight.length >= LIVE_WINDOW_FRAMES) {
          this.#stalled(ws, sub);
          return;
        }
        const key = `${sub.offset}/${sub.format}/${sub.raw}/${sub.isolation}`;
        let framing = first ? shared?.get(key) : undefined;
        if (!framing) {
          framing = this.#frame(sub);
          if (first) shared?.set(key, framing);
        }
        const frame = await framing;
        if (!frame) return; // caught up
        // An ack may have landed while the read was in flight: apply the send to the current cursor.
        const now = ws.deserializeAttachment() as Subscriber | null;
        if (!now || now.offset !== sub.offset) return;
        ws.send(frame.data);
        now.offset = frame.next;
        now.inflight.push(frame.next);
        ws.serializeAttachment(now);
        // Caught up: an append while this pump ran set #again, and one after it pumps anew.
        if (frame.caughtUp) return;
        // Let other subscribers and requests run between chunks of a long catch-up.
        await new Promise((r) => setTimeout(r, 0));
      }
    } catch (e) {
      if (e instanceof EdgelogError && e.code === "OFFSET_OUT_OF_RANGE") {
        safeClose(
          ws,
          LIVE_CLOSE.OFFSET_OUT_OF_RANGE,
          "offset fell below the log start (retention); reconnect from earliest",
        );
      } else if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") {
        safeClose(ws, LIVE_CLOSE.GONE, "topic deleted");
      } else {
        // A send on a socket the peer already closed lands here too; close is then a no-op.
        safeClose(ws, LIVE_CLOSE.INTERNAL, "internal error; reconnect from your last next_offset");
      }
    } finally {
      this.#pumping.delete(ws);
      if (this.#again.delete(ws)) void this.#pump(ws);
    }
  }

  async #frame(sub: Subscriber): Promise<Frame | null> {
    const r = await this.read(sub.offset, {
      maxBytes: LIVE_CHUNK_BYTES,
      maxRecords: LIVE_CHUNK_RECORDS,
      isolation: sub.isolation,
    });
    if (r.batches.length === 0) return null;
    const end = sub.isolation === "read_committed" ? r.lastStableOffset : r.highWatermark;
    const aborted = sub.isolation === "read_committed" ? (r.aborted ?? []) : undefined;
    if (sub.raw) {
      // Raw frames are the log's batches, markers included; read_committed leaves aborted ones out.
      const batches = aborted ? committedBatches(r.batches, aborted, { keepControl: true }) : r.batches;
      const next = batchEnd(r.batches.at(-1)!);
      return { data: concat(batches), next, caughtUp: next >= end };
    }
    const { records, nextOffset } = renderRecords(
      r.batches,
      sub.offset,
      LIVE_CHUNK_RECORDS,
      sub.format,
      undefined,
      aborted,
    );
    const data = JSON.stringify({
      records,
      next_offset: nextOffset,
      high_watermark: r.highWatermark,
      last_stable_offset: r.lastStableOffset,
    });
    return { data, next: nextOffset, caughtUp: nextOffset >= end };
  }

  /** A full window with data waiting: tolerated for LIVE_STALL_MS, then the subscriber is dropped. */
  #stalled(ws: WebSocket, sub: Subscriber): void {
    const now = this.now();
    if (sub.stalledSince === 0) {
      sub.stalledSince = now;
      ws.serializeAttachment(sub);
    } else if (now - sub.stalledSince >= LIVE_STALL_MS) {
      safeClose(
        ws,
        LIVE_CLOSE.SLOW,
        `slow subscriber: ${sub.inflight.length} frames unacknowledged for ${now - sub.stalledSince} ms; ` +
          "reconnect from your last acknowledged next_offset",
      );
    }
  }
}

function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    // Close reasons are limited to 123 bytes.
    ws.close(code, reason.slice(0, 123));
  } catch {
    /* already closed */
  }
}

/** The router's upgrade request to the partition: `?offset=&format=&raw=&isolation=` plus the topic ref header. */
export function parseLiveRequest(
  request: Request,
  refHeader: string,
): { ref: unknown; offset: number; format: ValueFormat; raw: boolean; isolation?: IsolationLevel } {
  const url = new URL(request.url);
  const offset = Number(url.searchParams.get("offset"));
  const format = (url.searchParams.get("format") ?? "json") as ValueFormat;
  const isolation = url.searchParams.get("isolation") === "read_committed" ? "read_committed" : undefined;
  return {
    ref: JSON.parse(request.headers.get(refHeader) ?? "null"),
    offset,
    format,
    raw: url.searchParams.get("raw") === "true",
    ...(isolation ? { isolation } : {}),
  };
}
