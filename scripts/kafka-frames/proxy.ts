// A recording TCP proxy between Kafka clients and the gateway: keeps each request frame with the
// response it got, and can lower the versions ApiVersions advertises so a client speaks older ones.

import { connect, createServer, type Server, type Socket } from "node:net";
import { decode, encode, Reader } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY } from "../../src/gateway/wire/messages.js";

/** One exchange: the request frame and its response frame, each without the size prefix. */
export interface Exchange {
  apiKey: number;
  version: number;
  request: Uint8Array;
  response: Uint8Array | null;
}

/** The highest version to advertise for an API key, or undefined to leave the gateway's. */
export type VersionCap = (apiKey: number, min: number, max: number) => number | undefined;

export interface RecordingProxy {
  port: number;
  /** Exchanges since the last take(), in the order their requests arrived. */
  take(): Exchange[];
  /** The cap applied to ApiVersions responses from now on. */
  cap: VersionCap;
  close(): Promise<void>;
}

/** Splits a byte stream into size-prefixed frames. */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.byteLength >= 4 && buf.byteLength >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      onFrame(buf.subarray(4, 4 + size));
      buf = buf.subarray(4 + size);
    }
  };
}

function sized(frame: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(frame.byteLength);
  return Buffer.concat([head, frame]);
}

/** An ApiVersions response (always a v0 header) with each MaxVersion lowered by `cap`. */
function capped(frame: Buffer, version: number, cap: VersionCap): Buffer {
  const spec = BY_KEY.get(API.ApiVersions)!;
  let body;
  try {
    body = decode(spec.response, version, new Reader(frame, 4));
  } catch {
    return frame; // a v0 answer to a version the gateway does not know: nothing to lower
  }
  const keys = body.ApiKeys as { ApiKey: number; MinVersion: number; MaxVersion: number }[];
  for (const k of keys) {
    const c = cap(k.ApiKey, k.MinVersion, k.MaxVersion);
    if (c !== undefined) k.MaxVersion = Math.max(k.MinVersion, Math.min(k.MaxVersion, c));
  }
  return Buffer.concat([frame.subarray(0, 4), encode(spec.response, version, body).bytes()]);
}

/** Prints an exchange decoded, for a person looking at what a client sent and got. */
export function dump(ex: Exchange & { call: string }): void {
  const spec = BY_KEY.get(ex.apiKey);
  if (!spec) return;
  const flexible = ex.version >= spec.request.flexibleFrom;
  const r = new Reader(ex.request, 8);
  r.raw(Math.max(r.int16(), 0));
  if (flexible) r.skipTags();
  const req = decode(spec.request, ex.version, r);
  let res: unknown = null;
  if (ex.response) {
    const rr = new Reader(ex.response, 4);
    if (flexible && ex.apiKey !== API.ApiVersions) rr.skipTags();
    res = decode(spec.response, ex.version, rr);
  }
  const json = (v: unknown) =>
    JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Buffer.from(x).toString("hex") : x));
  console.log(`${ex.call}: ${spec.name} v${ex.version}\n  request  ${json(req)}\n  response ${json(res)}`);
}

export async function startRecordingProxy(target: { host: string; port: number }): Promise<RecordingProxy> {
  let exchanges: Exchange[] = [];
  const sockets = new Set<Socket>();
  const proxy = { cap: (() => undefined) as VersionCap };
  const server: Server = createServer((client) => {
    const broker = connect(target.port, target.host);
    sockets.add(client).add(broker);
    const pending = new Map<number, Exchange>();
    client.on(
      "data",
      framer((frame) => {
        const ex: Exchange = {
          apiKey: frame.readInt16BE(0),
          version: frame.readInt16BE(2),
          request: new Uint8Array(frame),
          response: null,
        };
        exchanges.push(ex);
        pending.set(frame.readInt32BE(4), ex);
        broker.write(sized(frame));
      }),
    );
    broker.on(
      "data",
      framer((frame) => {
        const ex = pending.get(frame.readInt32BE(0));
        pending.delete(frame.readInt32BE(0));
        if (ex) ex.response = new Uint8Array(frame);
        const out = ex?.apiKey === API.ApiVersions && ex.version <= 4 ? capped(frame, ex.version, proxy.cap) : frame;
        client.write(sized(out));
      }),
    );
    const end = () => {
      client.destroy();
      broker.destroy();
      sockets.delete(client);
      sockets.delete(broker);
    };
    for (const s of [client, broker]) {
      s.on("close", end);
      s.on("error", end);
    }
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  return {
    port: (server.address() as { port: number }).port,
    take() {
      const out = exchanges;
      exchanges = [];
      return out;
    },
    get cap() {
      return proxy.cap;
    },
    set cap(c: VersionCap) {
      proxy.cap = c;
    },
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}
