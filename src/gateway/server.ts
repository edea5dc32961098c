// The Kafka-protocol TCP server: frames, request headers, in-order dispatch per connection, and
// per-connection failure handling (a bad client or an unreachable edgelog never affects others).

import { createServer, type Server, type Socket } from "node:net";
import { decode, encode, Reader, Writer, type Value } from "./wire/codec.js";
import { API, APIS, BY_KEY, type ApiName } from "./wire/messages.js";
import type { GatewayIdentity, Handler, RequestContext } from "./handlers/context.js";
import * as groups from "./handlers/groups.js";
import * as records from "./handlers/records.js";
import * as topics from "./handlers/topics.js";
import { KAFKA, Upstream, errorMessage } from "./upstream.js";

/** Frames above this are refused by closing the connection (Kafka's socket.request.max.bytes is 100 MiB). */
export const MAX_FRAME_BYTES = 100 * 1024 * 1024;

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

export interface GatewayOptions {
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
  close(): Promise<void>;
}

export function parseHostPort(s: string, what: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port > 65535) throw new Error(`${what} must be HOST:PORT, got ${JSON.stringify(s)}`);
  return { host: m[1].replace(/^\[(.*)\]$/, "$1"), port };
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const listen = parseHostPort(opts.listen, "--listen");
  const upstream = new Upstream({ url: opts.upstream, token: opts.token });
  const log = opts.log ?? ((m: string) => process.stderr.write(`kafka-gateway: ${m}\n`));
  const sockets = new Set<Socket>();
  const identity: GatewayIdentity = {
    host: listen.host,
    port: listen.port,
    autoCreateTopics: opts.autoCreateTopics ?? false,
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    new Connection(socket, upstream, identity, log);
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

/** One client connection: requests are handled one at a time and answered in order, as a broker does. */
class Connection {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #queue: Frame[] = [];
  #busy = false;
  #closed = false;
  readonly #abort = new AbortController();

  constructor(
    readonly socket: Socket,
    readonly upstream: Upstream,
    readonly identity: GatewayIdentity,
    readonly log: (m: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (d) => this.#onData(d));
    socket.on("error", () => this.#close());
    socket.on("close", () => this.#close());
  }

  #close(reason?: string): void {
    if (reason) this.log(`${this.socket.remoteAddress}:${this.socket.remotePort}: ${reason}; closing the connection`);
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#queue = [];
    this.#chunks = [];
    this.socket.destroy();
  }

  #onData(d: Buffer): void {
    if (this.#closed) return;
    this.#chunks.push(d);
    this.#buffered += d.byteLength;
    while (this.#buffered >= 4) {
      if (this.#chunks[0]!.byteLength < 4) this.#chunks = [Buffer.concat(this.#chunks)];
      const size = this.#chunks[0]!.readInt32BE(0);
      // The smallest request header is 8 bytes (key, version, correlation id) plus a client id length.
      if (size < 10 || size > MAX_FRAME_BYTES) return this.#close(`frame size ${size} outside 10..${MAX_FRAME_BYTES}`);
      // Chunks are joined only once the whole frame is here, so a large frame costs one copy.
      if (this.#buffered < 4 + size) break;
      const head = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      const frame = head.subarray(4, 4 + size);
      const rest = head.subarray(4 + size);
      this.#chunks = rest.byteLength > 0 ? [rest] : [];
      this.#buffered = rest.byteLength;
      this.#queue.push({
        apiKey: frame.readInt16BE(0),
        version: frame.readInt16BE(2),
        correlationId: frame.readInt32BE(4),
        body: frame,
      });
    }
    // Back-pressure: a client pipelining many requests waits while we work through them.
    if (this.#queue.length > 64) this.socket.pause();
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const frame = this.#queue.shift()!;
        if (this.#queue.length <= 16) this.socket.resume();
        try {
          await this.#handle(frame);
        } catch (e) {
          this.#close(`request ${frame.apiKey} v${frame.version} failed: ${errorMessage(e)}`);
        }
      }
    } finally {
      this.#busy = false;
    }
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
