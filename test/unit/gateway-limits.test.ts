// The gateway's memory and connection bounds (Kafka's socket.request.max.bytes, queued.max.request.bytes,
// connections.max.idle.ms, max.connections, and a request-read timeout) against a real in-process gateway
// over raw sockets, in front of a stand-in edgelog that can hold appends.

import { createServer, type Server, type ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayArgs, startGateway, type Gateway, type GatewayOptions } from "../../src/gateway/main.js";
import { decode, encode, Reader } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY } from "../../src/gateway/wire/messages.js";
import { requestFrame, wireClient, type WireClient } from "../support/kafka-wire.js";

const MiB = 1024 * 1024;

/** Appends wait here until the test lets them through; `holding` false answers at once. */
let holding = false;
const held: ServerResponse[] = [];
const answer = (res: ServerResponse) =>
  res.end(JSON.stringify({ batches: [{ base_offset: 0, last_offset: 0, log_start_offset: 0, timestamp: -1 }] }));
let upstream: Server;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.method === "POST" && req.url === "/v1/topics/t/partitions/0/records") {
      req.resume();
      req.on("end", () => (holding ? held.push(res) : answer(res)));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { code: "ROUTE_NOT_FOUND", message: "no", retriable: false } }));
  });
  await new Promise<void>((res) => upstream.listen(0, "127.0.0.1", res));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
});

afterAll(async () => {
  upstream?.closeAllConnections();
  await new Promise((res) => upstream?.close(res));
});

const gateways: Gateway[] = [];
const clients: WireClient[] = [];
afterEach(async () => {
  holding = false;
  held.splice(0).forEach(answer);
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

async function gatewayWith(limits: Partial<GatewayOptions>): Promise<{ gw: Gateway; logs: string[] }> {
  const logs: string[] = [];
  const gw = await startGateway({ listen: "127.0.0.1:0", upstream: upstreamUrl, log: (m) => logs.push(m), ...limits });
  gateways.push(gw);
  return { gw, logs };
}

async function connect(gw: Gateway): Promise<WireClient> {
  const c = await wireClient(gw.port);
  clients.push(c);
  return c;
}

const spec = (key: number) => BY_KEY.get(key)!;

const produceTemplates = new Map<number, Buffer>();

/** A Produce v7 request (acks=1) carrying `bytes` of record data for t/0. */
function produceFrame(correlationId: number, bytes: number): Buffer {
  let template = produceTemplates.get(bytes);
  if (!template) {
    const body = encode(spec(API.Produce).request, 7, {
      TransactionalId: null,
      Acks: 1,
      TimeoutMs: 1000,
      TopicData: [{ Name: "t", PartitionData: [{ Index: 0, Records: new Uint8Array(bytes) }] }],
    }).bytes();
    template = requestFrame(API.Produce, 7, 0, body);
    produceTemplates.set(bytes, template);
  }
  const frame = Buffer.from(template);
  // After the size (4), the api key (2) and the version (2).
  frame.writeInt32BE(correlationId, 8);
  return frame;
}

function correlationId(frame: Uint8Array): number {
  return new Reader(frame).int32();
}

async function apiVersionsWorks(c: WireClient): Promise<void> {
  c.send(API.ApiVersions, 2, 99, new Uint8Array(0));
  const frame = await c.next();
  expect(frame).not.toBeNull();
  const r = new Reader(frame!);
  r.int32();
  expect(decode(spec(API.ApiVersions).response, 2, r).ErrorCode).toBe(0);
}

/** Polls a condition the gateway reaches asynchronously (a socket closing, reading pausing). */
async function until(what: string, ok: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("socket.request.max.bytes", () => {
  it("an oversized frame closes only its connection, logged once, without its body being kept", async () => {
    const { gw, logs } = await gatewayWith({ socketRequestMaxBytes: MiB, queuedMaxRequestBytes: 2 * MiB });
    const other = await connect(gw);
    const c = await connect(gw);
    const frame = produceFrame(1, MiB);
    // The prefix and half the body in one write, the rest after: refused from the prefix alone.
    c.write(frame.subarray(0, frame.byteLength / 2));
    c.write(frame.subarray(frame.byteLength / 2));
    expect(await c.next()).toBeNull();
    await until("the refused connection to be gone", () => gw.stats().connections === 1);
    expect(gw.stats()).toMatchObject({ bufferedBytes: 0, reservedBytes: 0 });
    expect(logs.filter((l) => l.includes(`frame size ${frame.byteLength - 4} outside 10..${MiB}`))).toHaveLength(1);
    expect(logs).toHaveLength(1);
    await apiVersionsWorks(other);
  });
});

describe("queued.max.request.bytes and one request per connection at a time", () => {
  it("pipelined large frames on several connections stay within the byte cap and are all answered in order", async () => {
    const recordBytes = 256 * 1024;
    const frameBytes = recordBytes + 200;
    const cap = 2 * frameBytes + 100;
    const { gw } = await gatewayWith({ socketRequestMaxBytes: frameBytes + 100, queuedMaxRequestBytes: cap });
    holding = true;
    // 12 frames on one connection (the probe's attack, scaled down) and 4 on each of two more.
    const plan = [12, 4, 4];
    const conns = await Promise.all(plan.map(() => connect(gw)));

    conns.forEach((c, i) =>
      c.write(Buffer.concat(Array.from({ length: plan[i]! }, (_, k) => produceFrame(k + 1, recordBytes)))),
    );
    // Beyond reserved frames, a connection holds at most the rest of one socket read (64 KiB).
    const bound = cap + plan.length * 64 * 1024;
    // Wait until every connection has stopped being read (a request in progress, or waiting for
    // memory), or the gateway has taken more than the bound off them.
    await until(
      "the gateway to stop reading",
      () => gw.stats().pausedConnections === plan.length || gw.stats().bufferedBytes > bound,
    );
    const peak = gw.stats();
    expect(peak.reservedBytes).toBeLessThanOrEqual(cap);
    expect(peak.bufferedBytes).toBeLessThanOrEqual(bound);
    expect(peak.pausedConnections).toBe(plan.length);
    // Two frames fit the budget: two appends reach edgelog, the third connection waits for memory.
    await until("two appends upstream", () => held.length === 2);
    holding = false;
    held.splice(0).forEach(answer);
    for (const [i, c] of conns.entries()) {
      for (let k = 1; k <= plan[i]!; k++) expect(correlationId((await c.next(20_000))!)).toBe(k);
    }
    await until("every request's bytes to be released", () => gw.stats().bufferedBytes === 0);
    expect(gw.stats()).toMatchObject({ reservedBytes: 0, pausedConnections: 0 });
  }, 30_000);
});

describe("timeouts", () => {
  it("a partial frame is closed after --request-read-timeout-ms, even while bytes keep trickling", async () => {
    const { gw, logs } = await gatewayWith({ requestReadTimeoutMs: 300 });
    const c = await connect(gw);
    const frame = requestFrame(API.ApiVersions, 2, 1, new Uint8Array(0));
    const started = Date.now();
    let i = 0;
    // A slowloris client: one byte every 50 ms, so the whole frame would take 700 ms.
    const trickle = setInterval(() => i < frame.byteLength - 1 && c.write(frame.subarray(i, ++i)), 50);
    try {
      expect(await c.next()).toBeNull();
    } finally {
      clearInterval(trickle);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(logs).toEqual([expect.stringContaining("request not received within 300 ms of its first byte")]);
  });

  it("an idle connection is closed after --connections-max-idle-ms; one in use is not", async () => {
    const { gw } = await gatewayWith({ connectionsMaxIdleMs: 1000 });
    // Taken before the silent connection opens: its idle period starts then, not after the second connect.
    const started = Date.now();
    const silent = await connect(gw);
    const used = await connect(gw);
    // A request answered well inside the idle period starts it again.
    await new Promise((r) => setTimeout(r, 300));
    await apiVersionsWorks(used);
    await silent.closed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    await apiVersionsWorks(used);
    const answered = Date.now();
    await used.closed();
    expect(Date.now() - answered).toBeGreaterThanOrEqual(990);
  });
});

describe("max.connections", () => {
  it("refuses the N+1th connection, logs it once, and accepts again once one closes", async () => {
    const { gw, logs } = await gatewayWith({ maxConnections: 2 });
    const a = await connect(gw);
    const b = await connect(gw);
    for (let i = 0; i < 3; i++) {
      const refused = await connect(gw);
      refused.send(API.ApiVersions, 2, 1, new Uint8Array(0));
      expect(await refused.next()).toBeNull();
    }
    expect(logs).toEqual([expect.stringContaining("2 connections open (--max-connections)")]);
    await apiVersionsWorks(a);
    await apiVersionsWorks(b);
    a.close();
    await until("the closed connection to be counted out", () => gw.stats().connections === 1);
    await apiVersionsWorks(await connect(gw));
  });
});

describe("flags", () => {
  it("parses each limit under Kafka's name and refuses bad values", () => {
    const base = ["--listen", "127.0.0.1:9092", "--upstream", "http://127.0.0.1:8787"];
    expect(
      parseGatewayArgs([
        ...base,
        "--socket-request-max-bytes",
        "1048576",
        "--queued-max-request-bytes",
        "4194304",
        "--connections-max-idle-ms",
        "60000",
        "--request-read-timeout-ms",
        "5000",
        "--max-connections",
        "50",
      ]),
    ).toMatchObject({
      socketRequestMaxBytes: 1048576,
      queuedMaxRequestBytes: 4194304,
      connectionsMaxIdleMs: 60000,
      requestReadTimeoutMs: 5000,
      maxConnections: 50,
    });
    expect(() => parseGatewayArgs([...base, "--max-connections", "-1"])).toThrow(/--max-connections/);
    expect(() => parseGatewayArgs([...base, "--connections-max-idle-ms", "0"])).toThrow(/--connections-max-idle-ms/);
    expect(() =>
      parseGatewayArgs([...base, "--socket-request-max-bytes", "2000", "--queued-max-request-bytes", "1000"]),
    ).toThrow(/--queued-max-request-bytes \(1000\) must be at least --socket-request-max-bytes \(2000\)/);
  });
});
