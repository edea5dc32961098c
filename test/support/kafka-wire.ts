// A raw Kafka-protocol socket for tests: send hand-built frames, read size-prefixed responses, see closes.

import { readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { decode, encode, Reader, type Value } from "../../src/gateway/wire/codec.js";
import { BY_KEY } from "../../src/gateway/wire/messages.js";

export interface WireClient {
  socket: Socket;
  /** Writes raw bytes (a frame or garbage). */
  write(bytes: Uint8Array): void;
  /** Sends a request with header v1 (or v2 when `flexible`); the body is already encoded. */
  send(
    apiKey: number,
    version: number,
    correlationId: number,
    body: Uint8Array,
    opts?: { clientId?: string; flexible?: boolean },
  ): void;
  /** The next response frame (without its size prefix), or null if the gateway closed the connection. */
  next(timeoutMs?: number): Promise<Uint8Array | null>;
  closed(): Promise<void>;
  close(): void;
}

export function requestFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Uint8Array,
  clientId = "test",
  flexible = false,
): Buffer {
  const id = Buffer.from(clientId);
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(id.byteLength, 8);
  const parts = [header, id, ...(flexible ? [Buffer.from([0])] : []), Buffer.from(body)];
  const size = Buffer.alloc(4);
  size.writeInt32BE(parts.reduce((n, p) => n + p.byteLength, 0));
  return Buffer.concat([size, ...parts]);
}

export async function wireClient(port: number): Promise<WireClient> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((res, rej) => {
    socket.once("connect", res);
    socket.once("error", rej);
  });
  let buf = Buffer.alloc(0);
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    wake();
  });
  const onEnd = () => {
    ended = true;
    wake();
  };
  socket.on("close", onEnd);
  socket.on("error", onEnd);
  const client: WireClient = {
    socket,
    write: (bytes) => void socket.write(bytes),
    send: (apiKey, version, correlationId, body, opts = {}) =>
      void socket.write(requestFrame(apiKey, version, correlationId, body, opts.clientId, opts.flexible)),
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (buf.byteLength >= 4 && buf.byteLength >= 4 + buf.readInt32BE(0)) {
          const size = buf.readInt32BE(0);
          const frame = buf.subarray(4, 4 + size);
          buf = buf.subarray(4 + size);
          return frame;
        }
        if (ended) return null;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no response from the gateway");
        await new Promise<void>((res) => {
          const t = setTimeout(res, left);
          waiters.push(() => (clearTimeout(t), res()));
        });
      }
    },
    async closed() {
      while (!ended) await new Promise<void>((res) => waiters.push(res));
    },
    close: () => void socket.destroy(),
  };
  return client;
}

/**
 * Broken copies of a recorded request (hex: the frame without its size prefix, header included):
 * its body cut two bytes short (some clients add a spare one), and its first field claiming 2^31-1
 * elements or bytes. Each comes back size-prefixed, ready to write; a gateway must close rather than answer.
 */
export function malformedCopies(requestHex: string, flexible: boolean): Buffer[] {
  const frame = Buffer.from(requestHex, "hex");
  const r = new Reader(frame, 8); // past api key, version and correlation id
  r.raw(r.int16()); // client id
  if (flexible) r.skipTags();
  const head = frame.subarray(0, r.pos);
  const body = frame.subarray(r.pos);
  const bad = body.byteLength >= 2 ? [body.subarray(0, body.byteLength - 2)] : [];
  if (body.byteLength >= 5) {
    const liar = Buffer.from(body);
    if (flexible) liar.set([0xff, 0xff, 0xff, 0xff, 0x07], 0);
    else liar.writeInt32BE(0x7fffffff, 0);
    bad.push(liar);
  }
  return bad.map((b) => {
    const whole = Buffer.concat([head, b]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(whole.byteLength);
    return Buffer.concat([size, whole]);
  });
}

/** A recorded fixture (test/unit/fixtures/kafka-frames/<api>.json): the request frames real clients sent. */
export interface RecordedFrames {
  api: string;
  key: number;
  frames: { version: number; request: string; source: string }[];
}

/** The recorded fixtures of these APIs. */
export function recordedFrames(apis: readonly string[]): RecordedFrames[] {
  const dir = join(import.meta.dirname, "../unit/fixtures/kafka-frames");
  return readdirSync(dir)
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as RecordedFrames)
    .filter((f) => apis.includes(f.api));
}

/** Sends each malformed copy of each recorded frame on a connection of its own, and expects the gateway to close it unanswered. */
export async function expectMalformedClosed(port: number, fixture: RecordedFrames): Promise<void> {
  for (const f of fixture.frames) {
    const flexible = f.version >= BY_KEY.get(fixture.key)!.request.flexibleFrom;
    for (const bad of malformedCopies(f.request, flexible)) {
      const socket = await wireClient(port);
      socket.write(bad);
      expect(await socket.next(), `${fixture.api} v${f.version} was answered`).toBeNull();
    }
  }
}

/**
 * Sends one request on `c` at `version` (header v2 when flexible) and decodes its answer; a closed
 * connection or a wrong correlation id fails the test.
 */
export async function exchange(
  c: WireClient,
  key: number,
  version: number,
  request: Value,
  correlationId: number,
  timeoutMs?: number,
): Promise<any> {
  const spec = BY_KEY.get(key)!;
  const flexible = version >= spec.request.flexibleFrom;
  c.send(key, version, correlationId, encode(spec.request, version, request).bytes(), { flexible });
  const frame = await c.next(timeoutMs);
  expect(frame, `${spec.name} v${version} closed the connection`).not.toBeNull();
  const r = new Reader(frame!);
  expect(r.int32()).toBe(correlationId);
  if (flexible) r.skipTags();
  return decode(spec.response, version, r);
}
