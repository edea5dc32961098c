// The Kafka-protocol TCP listener: options, the connection cap, and the state every connection
// shares. Framing and flow control live in connection.ts; decoding and handling in dispatch.ts.

import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Connection } from "./connection.js";
import type { GatewayIdentity } from "./handlers/context.js";
import { type GatewayLimits, RequestMemory, resolveLimits } from "./limits.js";
import { SASL_MECHANISMS, SaslState, type SaslMechanism } from "./sasl.js";
import { Upstream } from "./upstream.js";

export interface GatewayOptions extends Partial<GatewayLimits> {
  /** "host:port" to listen on. */
  listen: string;
  /** edgelog's base URL. */
  upstream: string;
  /** "host:port" clients are told to connect to; defaults to the listen address. */
  advertise?: string;
  /**
   * Sent to edgelog as Authorization: Bearer: every client's credential on a listener without SASL;
   * with SASL, only the gateway's own, for checking sign-ins (it needs authenticate on the cluster).
   */
  token?: string;
  /** Require SASL (SASL_PLAINTEXT, or SASL_SSL with tls): each connection then acts as the token it signed in with. */
  sasl?: boolean;
  /** The mechanisms offered (default all: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
  saslMechanisms?: readonly SaslMechanism[];
  /** PEM certificate chain and private key: the listener speaks TLS (SSL, or SASL_SSL with sasl). */
  tls?: { cert: string | Buffer; key: string | Buffer };
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
  const shared = {
    limits,
    memory: new RequestMemory(limits.queuedMaxRequestBytes),
    buffered: 0,
    paused: 0,
    notices: new Set<string>(),
  };
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
  const mechanisms = opts.saslMechanisms ?? SASL_MECHANISMS;
  for (const m of mechanisms)
    if (!(SASL_MECHANISMS as readonly string[]).includes(m))
      throw new Error(`unknown SASL mechanism ${JSON.stringify(m)}; use ${SASL_MECHANISMS.join(", ")}`);
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      if (sockets.size < limits.maxConnections) refusing = false;
    });
    const sasl = opts.sasl ? new SaslState(upstream, mechanisms, log) : undefined;
    new Connection(socket, upstream, identity, shared, log, sasl);
  };
  // TLS handshakes that fail (a plaintext client, a bad certificate) end only their own connection.
  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, accept)
    : createServer(accept);
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
