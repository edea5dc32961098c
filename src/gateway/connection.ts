// One client connection: frames read one at a time within the shared request-memory budget,
// reading paused while a request is handled, idle and request-read timeouts, and in-order replies.

import type { Socket } from "node:net";
import { Writer } from "./wire/codec.js";
import type { GatewayIdentity } from "./handlers/context.js";
import { dispatch, type Frame } from "./dispatch.js";
import type { GatewayLimits, RequestMemory } from "./limits.js";
import { errorMessage } from "./errors.js";
import type { Upstream } from "./upstream.js";
import { SASL_MAX_RECEIVE_BYTES, type SaslState } from "./sasl.js";

/** What every connection shares: the bounds, the request-memory budget, and the counters behind stats(). */
export interface Shared {
  limits: GatewayLimits;
  memory: RequestMemory;
  /** Request bytes held by all connections: received and not yet answered. */
  buffered: number;
  /** Connections whose reading is paused (a request in progress, or waiting for request memory). */
  paused: number;
  /** Keys already logged by RequestContext.notice. */
  notices: Set<string>;
}

/**
 * One client connection. As a broker mutes a channel, it reads one request, stops reading until
 * that request is answered and its response flushed, then reads the next: a client pipelining
 * requests is held back by TCP instead of filling the gateway's memory.
 */
export class Connection {
  /** Bytes received and not yet taken into a frame (at most one frame plus one read). */
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** The size of the frame being read, once its prefix is in; -1 between frames. */
  #frameSize = -1;
  /** Bytes of the shared budget this connection holds for its current frame. */
  #reserved = 0;
  #waitingForMemory = false;
  /** A request is being handled (and its response written). */
  #busy = false;
  #paused = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #timerKind: "idle" | "read" | undefined;
  readonly #abort = new AbortController();
  /** Read once: a socket forgets its remote address when it closes. */
  readonly #clientHost: string | null;

  constructor(
    readonly socket: Socket,
    readonly upstream: Upstream,
    readonly identity: GatewayIdentity,
    readonly shared: Shared,
    readonly log: (m: string) => void,
    /** On an authenticated listener: this connection's SASL state; its requests then act as the signed-in token. */
    readonly sasl?: SaslState,
  ) {
    this.#clientHost = socket.remoteAddress?.replace(/^::ffff:/, "") ?? null;
    socket.setNoDelay(true);
    socket.on("data", (d) => this.#onData(d));
    socket.on("error", () => this.#close());
    socket.on("close", () => this.#close());
    this.#schedule();
  }

  /** Closes the connection; `reason` (logged once) is for problems worth an operator's attention; `flush` sends what was written first. */
  #close(reason?: string, flush = false): void {
    if (this.#closed) return;
    this.#closed = true;
    if (reason) this.log(`${this.socket.remoteAddress}:${this.socket.remotePort}: ${reason}; closing the connection`);
    this.#disarm();
    this.#abort.abort();
    if (this.#waitingForMemory) this.shared.memory.cancel(this.#granted);
    this.#waitingForMemory = false;
    // A request in progress gives its frame back when its handler returns (it still holds the bytes).
    if (!this.#busy) this.#releaseReservation();
    this.shared.buffered -= this.#buffered;
    this.#buffered = 0;
    this.#chunks = [];
    this.#setPaused(false);
    if (flush) {
      this.socket.end();
      // A client that never closes its side is not waited for.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else this.socket.destroy();
  }

  #onData(d: Buffer): void {
    if (this.#closed) return;
    this.#chunks.push(d);
    this.#buffered += d.byteLength;
    this.shared.buffered += d.byteLength;
    if (this.#timerKind === "idle") this.#disarm();
    this.#pump();
  }

  /** Reads frames while this connection may: not busy, and with its frame's memory reserved. */
  #pump(): void {
    // Before sign-in a frame may be at most 512 KiB, as Kafka bounds unauthenticated clients.
    const max =
      this.sasl && !this.sasl.authenticated
        ? Math.min(SASL_MAX_RECEIVE_BYTES, this.shared.limits.socketRequestMaxBytes)
        : this.shared.limits.socketRequestMaxBytes;
    while (!this.#closed && !this.#busy && !this.#waitingForMemory) {
      if (this.#frameSize < 0) {
        if (this.#buffered < 4) break;
        const size = this.#take(4).readInt32BE(0);
        this.shared.buffered -= 4;
        // Refused from its prefix alone, before any of its body is kept (as Kafka does).
        if (size < 10 || size > max)
          return this.#close(
            `frame size ${size} outside 10..${max} (${max === SASL_MAX_RECEIVE_BYTES ? "before SASL authentication" : "--socket-request-max-bytes"})`,
          );
        this.#frameSize = size;
        if (!this.shared.memory.reserve(size, this.#granted)) {
          this.#waitingForMemory = true;
          break;
        }
        this.#reserved = size;
      }
      if (this.#buffered < this.#frameSize) break;
      const frame = this.#take(this.#frameSize);
      this.#frameSize = -1;
      this.#busy = true;
      void this.#run(frame);
    }
    this.#schedule();
  }

  readonly #granted = (): void => {
    this.#waitingForMemory = false;
    this.#reserved = this.#frameSize;
    this.#pump();
  };

  /** The next `n` received bytes (n <= #buffered). */
  #take(n: number): Buffer {
    if (this.#chunks[0]!.byteLength < n) this.#chunks = [Buffer.concat(this.#chunks)];
    const head = this.#chunks[0]!;
    let rest = head.subarray(n);
    // After a large frame, copy the little that follows it so it does not pin the frame's memory.
    if (n >= 65536 && rest.byteLength > 0) rest = Buffer.from(rest);
    if (rest.byteLength > 0) this.#chunks[0] = rest;
    else this.#chunks.shift();
    this.#buffered -= n;
    return head.subarray(0, n);
  }

  async #run(bytes: Buffer): Promise<void> {
    const frame: Frame = {
      apiKey: bytes.readInt16BE(0),
      version: bytes.readInt16BE(2),
      correlationId: bytes.readInt32BE(4),
      body: bytes,
    };
    try {
      // A session ends with its connection: the client reconnects and signs in again.
      const expired = this.sasl?.authenticated === true && Date.now() >= this.sasl.expiresAt;
      if (expired) this.#close();
      const outcome = expired
        ? null
        : await dispatch(frame, {
            upstream: this.sasl?.upstream ?? this.upstream,
            identity: this.identity,
            signal: this.#abort.signal,
            notice: this.#notice,
            clientHost: this.#clientHost,
            sasl: this.sasl,
          });
      if (outcome && !this.#closed) {
        if ("respond" in outcome) {
          this.#respond(frame.correlationId, outcome.headerTags, outcome.respond);
          // A SASL failure: its answer goes out, then the connection closes (end() flushes it first).
          if (outcome.close !== undefined) this.#close(outcome.close, true);
        } else this.#close(outcome.close);
      }
    } catch (e) {
      // A response that cannot be encoded (a handler's bug): this connection only.
      this.#close(`request ${frame.apiKey} v${frame.version} failed: ${errorMessage(e)}`);
    }
    this.#releaseReservation();
    this.shared.buffered -= bytes.byteLength;
    if (this.#closed) return;
    // The response must leave before the next request is read, so a client that never reads costs one response.
    if (this.socket.writableNeedDrain) await this.#drained();
    this.#busy = false;
    this.#pump();
  }

  readonly #notice = (key: string, message: string): void => {
    const seen = this.shared.notices;
    if (seen.has(key)) return;
    // Bounded: a client cycling through ids cannot grow it without limit.
    if (seen.size >= 10_000) seen.clear();
    seen.add(key);
    this.log(message);
  };

  #releaseReservation(): void {
    if (this.#reserved === 0) return;
    const bytes = this.#reserved;
    this.#reserved = 0;
    this.shared.memory.release(bytes);
  }

  #drained(): Promise<void> {
    return new Promise((res) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        res();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  /** Pauses or resumes reading and arms the idle or read timer to match the connection's state. */
  #schedule(): void {
    if (this.#closed) return;
    const reading = !this.#busy && !this.#waitingForMemory;
    this.#setPaused(!reading);
    if (!reading) return this.#disarm();
    if (this.#frameSize >= 0 || this.#buffered > 0) {
      // A frame has begun: it must be complete within the read timeout, however slowly it trickles.
      if (this.#timerKind !== "read") {
        const ms = this.shared.limits.requestReadTimeoutMs;
        this.#arm("read", ms, () =>
          this.#close(`request not received within ${ms} ms of its first byte (--request-read-timeout-ms)`),
        );
      }
    } else {
      // Kafka closes idle connections without complaint; clients reconnect when they need to.
      this.#arm("idle", this.shared.limits.connectionsMaxIdleMs, () => this.#close());
    }
  }

  #arm(kind: "idle" | "read", ms: number, fire: () => void): void {
    this.#disarm();
    this.#timerKind = kind;
    this.#timer = setTimeout(fire, ms);
    // Timers never keep a stopping process alive.
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerKind = undefined;
  }

  #setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    this.shared.paused += paused ? 1 : -1;
    if (paused) this.socket.pause();
    else if (!this.#closed) this.socket.resume();
  }

  #respond(correlationId: number, headerTags: boolean, body: Uint8Array): void {
    if (this.#closed) return;
    const header = new Writer().int32(correlationId);
    if (headerTags) header.uvarint(0);
    const h = header.bytes();
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(h.byteLength + body.byteLength);
    this.socket.write(Buffer.concat([size, h, body]));
  }
}
