// The Kafka-protocol TCP server: frames, request headers, in-order dispatch per connection, and
// per-connection failure handling (a bad client or an unreachable edgelog never affects others).

import { createServer, type Server, type Socket } from "node:net";
import { decode, encode, Reader, Writer, type Value } from "./wire/codec.js";
import { API, APIS, BY_KEY, type ApiName } from "./wire/messages.js";
import type { GatewayIdentity, Handler, RequestContext } from "./handlers/context.js";
import * as groups from "./handlers/groups.js";
import * as records from "./handlers/records.js";
import * as topics from "./handlers/topics.js";
import { type GatewayLimits, RequestMemory, resolveLimits } from "./limits.js";
import { KAFKA, Upstream, errorMessage } from "./upstream.js";

const apiVersions: Handler = async () => apiVersionsBody(KAFKA.NONE);

function apiVersionsBody(errorCode: number): Value {
  return {
    ErrorCode: errorCode,
    ApiKeys: APIS.map((a) => ({ ApiKey: a.key, MinVersion: a.min, MaxVersion: a.max })),
    ThrottleTimeMs: 0,
  };
}

const HANDLERS: Record<ApiName, Handler> = {
  Produce: records.produce,
  Fetch: records.fetch,
  ListOffsets: records.listOffsets,
  Metadata: topics.metadata,
  OffsetCommit: groups.offsetCommit,
  OffsetFetch: groups.offsetFetch,
  FindCoordinator: groups.findCoordinator,
  JoinGroup: groups.joinGroup,
  Heartbeat: groups.heartbeatHandler,
  LeaveGroup: groups.leaveGroup,
  SyncGroup: groups.syncGroup,
  ApiVersions: apiVersions,
  CreateTopics: topics.createTopics,
  DeleteTopics: topics.deleteTopics,
  InitProducerId: records.initProducerId,
};

export interface GatewayOptions extends Partial<GatewayLimits> {
  /** "host:port" to listen on. */
  listen: string;
  /** edgelog's base URL. */
  upstream: string;
  /** "host:port" clients are told to connect to; defaults to the listen address. */
  advertise?: string;
  /** Sent to edgelog as Authorization: Bearer. */
  token?: string;
  autoCreateTopics?: boolean;
  /** Called for connection-level problems (malformed frames, handler bugs); default: stderr. */
  log?: (message: string) => void;
}

export interface Gateway {
  /** The bound address (port 0 in `listen` picks a free one). */
  host: string;
  port: number;
  server: Server;
  /** The bounds in force (defaults filled in). */
  limits: GatewayLimits;
  stats(): GatewayStats;
  close(): Promise<void>;
}

export interface GatewayStats {
  connections: number;
  /** Request bytes held in memory: received and not yet answered, across connections. */
  bufferedBytes: number;
  /** Bytes of --queued-max-request-bytes reserved by frames being read or handled. */
  reservedBytes: number;
  /** Connections not being read: a request in progress, or waiting for request memory. */
  pausedConnections: number;
}

export function parseHostPort(s: string, what: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port > 65535) throw new Error(`${what} must be HOST:PORT, got ${JSON.stringify(s)}`);
  return { host: m[1].replace(/^\[(.*)\]$/, "$1"), port };
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const listen = parseHostPort(opts.listen, "--listen");
  const limits = resolveLimits(opts);
  const shared = { limits, memory: new RequestMemory(limits.queuedMaxRequestBytes), buffered: 0, paused: 0 };
  const upstream = new Upstream({ url: opts.upstream, token: opts.token });
  const log = opts.log ?? ((m: string) => process.stderr.write(`kafka-gateway: ${m}\n`));
  const sockets = new Set<Socket>();
  const identity: GatewayIdentity = {
    host: listen.host,
    port: listen.port,
    autoCreateTopics: opts.autoCreateTopics ?? false,
  };
  // Logged once each time the limit is reached, not once per refused connection.
  let refusing = false;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      if (sockets.size < limits.maxConnections) refusing = false;
    });
    new Connection(socket, upstream, identity, shared, log);
  });
  // Node closes connections beyond this as soon as they are accepted (Kafka's max.connections).
  server.maxConnections = limits.maxConnections;
  server.on("drop", () => {
    if (refusing) return;
    refusing = true;
    log(`${limits.maxConnections} connections open (--max-connections); refusing new ones until one closes`);
  });
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(listen.port, listen.host, () => res());
  });
  const bound = server.address() as { address: string; port: number };
  const advertised = opts.advertise
    ? parseHostPort(opts.advertise, "--advertise")
    : { host: listen.host, port: bound.port };
  identity.host = advertised.host;
  identity.port = advertised.port;
  return {
    host: listen.host,
    port: bound.port,
    server,
    limits,
    stats: () => ({
      connections: sockets.size,
      bufferedBytes: shared.buffered,
      reservedBytes: shared.memory.used,
      pausedConnections: shared.paused,
    }),
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

interface Frame {
  apiKey: number;
  version: number;
  correlationId: number;
  body: Uint8Array;
}

/** What every connection shares: the bounds, the request-memory budget, and the counters behind stats(). */
interface Shared {
  limits: GatewayLimits;
  memory: RequestMemory;
  /** Request bytes held by all connections: received and not yet answered. */
  buffered: number;
  /** Connections whose reading is paused (a request in progress, or waiting for request memory). */
  paused: number;
}

/**
 * One client connection. As a broker mutes a channel, it reads one request, stops reading until
 * that request is answered and its response flushed, then reads the next: a client pipelining
 * requests is held back by TCP instead of filling the gateway's memory.
 */
class Connection {
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

  constructor(
    readonly socket: Socket,
    readonly upstream: Upstream,
    readonly identity: GatewayIdentity,
    readonly shared: Shared,
    readonly log: (m: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (d) => this.#onData(d));
    socket.on("error", () => this.#close());
    socket.on("close", () => this.#close());
    this.#schedule();
  }

  /** Closes the connection; `reason` (logged once) is for problems worth an operator's attention. */
  #close(reason?: string): void {
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
    this.socket.destroy();
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
    const max = this.shared.limits.socketRequestMaxBytes;
    while (!this.#closed && !this.#busy && !this.#waitingForMemory) {
      if (this.#frameSize < 0) {
        if (this.#buffered < 4) break;
        const size = this.#take(4).readInt32BE(0);
        this.shared.buffered -= 4;
        // Refused from its prefix alone, before any of its body is kept (as Kafka does).
        if (size < 10 || size > max)
          return this.#close(`frame size ${size} outside 10..${max} (--socket-request-max-bytes)`);
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
      await this.#handle(frame);
    } catch (e) {
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

  async #handle(frame: Frame): Promise<void> {
    const spec = BY_KEY.get(frame.apiKey);
    if (frame.apiKey === API.ApiVersions && spec && (frame.version < spec.min || frame.version > spec.max)) {
      // KIP-511: never close on an ApiVersions version we do not know; answer v0 with the table.
      return this.#respond(
        frame.correlationId,
        false,
        encode(spec.response, 0, apiVersionsBody(KAFKA.UNSUPPORTED_VERSION)).bytes(),
      );
    }
    if (!spec || frame.version < spec.min || frame.version > spec.max) {
      // A version we never advertised: Kafka closes the connection, and no client sends one.
      return this.#close(`unsupported request: api key ${frame.apiKey} version ${frame.version}`);
    }
    const flexible = frame.version >= spec.request.flexibleFrom;
    let req: Value;
    let clientId: string | null;
    try {
      const r = new Reader(frame.body, 8);
      const idLength = r.int16();
      clientId = idLength < 0 ? null : new TextDecoder().decode(r.raw(idLength));
      if (flexible) r.skipTags();
      req = decode(spec.request, frame.version, r);
    } catch (e) {
      if (frame.apiKey === API.ApiVersions) {
        return this.#respond(
          frame.correlationId,
          false,
          encode(spec.response, 0, apiVersionsBody(KAFKA.UNSUPPORTED_VERSION)).bytes(),
        );
      }
      return this.#close(`malformed ${spec.name} v${frame.version} request: ${errorMessage(e)}`);
    }
    const ctx: RequestContext = {
      upstream: this.upstream,
      identity: this.identity,
      version: frame.version,
      clientId,
      signal: this.#abort.signal,
    };
    let body: Value | null;
    try {
      body = await HANDLERS[spec.name](req, ctx);
    } catch (e) {
      if (this.#closed) return;
      // Failures a handler could not express as an error code (edgelog unreachable during
      // Metadata, a bug): close this connection only; the client reconnects.
      return this.#close(`${spec.name} failed: ${errorMessage(e)}`);
    }
    if (body === null || this.#closed) return;
    // ApiVersions always answers with response header v0, even when the request was flexible.
    const headerTags = flexible && frame.apiKey !== API.ApiVersions;
    this.#respond(frame.correlationId, headerTags, encode(spec.response, frame.version, body).bytes());
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
