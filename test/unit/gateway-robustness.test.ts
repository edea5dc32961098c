// The gateway under bad input and failures: every problem stays on its own connection, nothing crashes.

import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { DEFAULT_LIMITS } from "../../src/gateway/limits.js";
import { decode, encode, Reader } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY } from "../../src/gateway/wire/messages.js";
import { freePort } from "../support/server.js";
import { wireClient, type WireClient } from "../support/kafka-wire.js";

/** A stand-in for edgelog: a topic list, an append that answers offset 7, and a fetch that never returns. */
let upstream: Server;
let upstreamUrl: string;
const heldFetches: IncomingMessage[] = [];
let abortedFetches = 0;
let appends = 0;

let gateway: Gateway;
let downGateway: Gateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/v1/topics") {
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify({ topics: [{ name: "t", partitions: 1 }] }));
    }
    if (req.method === "POST" && req.url === "/v1/fetch") {
      heldFetches.push(req);
      res.once("close", () => abortedFetches++);
      return;
    }
    if (req.method === "POST" && req.url === "/v1/topics/t/partitions/0/records") {
      appends++;
      req.resume();
      req.on("end", () =>
        res.end(JSON.stringify({ batches: [{ base_offset: 7, last_offset: 7, log_start_offset: 0, timestamp: -1 }] })),
      );
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { code: "ROUTE_NOT_FOUND", message: "no", retriable: false } }));
  });
  await new Promise<void>((res) => upstream.listen(0, "127.0.0.1", res));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  gateway = await startGateway({ listen: "127.0.0.1:0", upstream: upstreamUrl, log: () => {} });
  // Nothing listens on this port: edgelog is down.
  downGateway = await startGateway({
    listen: "127.0.0.1:0",
    upstream: `http://127.0.0.1:${await freePort()}`,
    log: () => {},
  });
});

afterAll(async () => {
  await gateway?.close();
  await downGateway?.close();
  upstream?.closeAllConnections();
  await new Promise((res) => upstream?.close(res));
});

const spec = (key: number) => BY_KEY.get(key)!;
const req = (key: number, version: number, value: Record<string, unknown>) =>
  encode(spec(key).request, version, value).bytes();

function response(key: number, version: number, frame: Uint8Array, headerTags = false) {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (headerTags) r.skipTags();
  return { correlationId, body: decode(spec(key).response, version, r) };
}

async function apiVersionsWorks(c: WireClient): Promise<void> {
  c.send(API.ApiVersions, 2, 99, new Uint8Array(0));
  const frame = await c.next();
  expect(frame).not.toBeNull();
  expect(response(API.ApiVersions, 2, frame!).body.ErrorCode).toBe(0);
}

describe("ApiVersions", () => {
  it("answers an unknown version with a v0 body carrying UNSUPPORTED_VERSION and the table, and keeps the connection", async () => {
    const c = await wireClient(gateway.port);
    c.send(API.ApiVersions, 9, 1, new Uint8Array([1, 2, 3]));
    const { correlationId, body } = response(API.ApiVersions, 0, (await c.next())!);
    expect(correlationId).toBe(1);
    expect(body.ErrorCode).toBe(35);
    expect((body.ApiKeys as { ApiKey: number }[]).map((k) => k.ApiKey)).toEqual([
      0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 36,
      37, 42, 44, 47, 60, 61, 65, 66, 68, 69,
    ]);
    await apiVersionsWorks(c);
    c.close();
  });

  it("answers kcat's exact opening bytes (v3, flexible) with a compact body behind a v0 header", async () => {
    const c = await wireClient(gateway.port);
    // From the notes: librdkafka 2.0.2's first request, byte for byte.
    c.write(
      Buffer.concat([
        Buffer.from("00000024001200030000000100077264", "hex"),
        Buffer.from("kafka"),
        Buffer.from([0]),
        Buffer.from([0x0b]),
        Buffer.from("librdkafka"),
        Buffer.from([0x06]),
        Buffer.from("2.0.2"),
        Buffer.from([0]),
      ]),
    );
    const { correlationId, body } = response(API.ApiVersions, 3, (await c.next())!);
    expect(correlationId).toBe(1);
    expect(body.ErrorCode).toBe(0);
    expect(
      (body.ApiKeys as { ApiKey: number; MinVersion: number; MaxVersion: number }[]).find((k) => k.ApiKey === 0),
    ).toEqual({ ApiKey: 0, MinVersion: 0, MaxVersion: 12 });
    c.close();
  });
});

describe("bad frames close only their own connection", () => {
  it("an unknown API key", async () => {
    const other = await wireClient(gateway.port);
    const c = await wireClient(gateway.port);
    c.send(99, 0, 1, new Uint8Array(0));
    expect(await c.next()).toBeNull();
    await apiVersionsWorks(other);
    other.close();
  });

  it("a version that was never advertised", async () => {
    const c = await wireClient(gateway.port);
    c.send(API.Fetch, 3, 1, new Uint8Array(0));
    expect(await c.next()).toBeNull();
  });

  it("a malformed body: array count past the end, truncated string", async () => {
    for (const body of [new Uint8Array([0x7f, 0xff, 0xff, 0xff]), new Uint8Array([0, 0, 0, 1, 0, 50, 65])]) {
      const c = await wireClient(gateway.port);
      c.send(API.Metadata, 1, 1, body);
      expect(await c.next()).toBeNull();
    }
    await apiVersionsWorks(await wireClient(gateway.port));
  });

  it("an oversize or negative frame size, refused before the body arrives", async () => {
    for (const size of [DEFAULT_LIMITS.socketRequestMaxBytes + 1, -5, 3]) {
      const c = await wireClient(gateway.port);
      const head = Buffer.alloc(4);
      head.writeInt32BE(size);
      c.write(head);
      expect(await c.next()).toBeNull();
    }
    await apiVersionsWorks(await wireClient(gateway.port));
  });

  it("a frame split into single bytes is still read", async () => {
    const c = await wireClient(gateway.port);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 10, 0, 18, 0, 2, 0, 0, 0, 5, 0, 0])]);
    for (const b of frame) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    expect(response(API.ApiVersions, 2, (await c.next())!).correlationId).toBe(5);
    c.close();
  });
});

describe("requests in flight", () => {
  it("a client that disconnects mid-fetch cancels the upstream long-poll; the gateway keeps serving", async () => {
    const c = await wireClient(gateway.port);
    const before = heldFetches.length;
    c.send(
      API.Fetch,
      11,
      1,
      req(API.Fetch, 11, {
        ReplicaId: -1,
        MaxWaitMs: 20_000,
        MinBytes: 1,
        MaxBytes: 1 << 20,
        Topics: [
          {
            Topic: "t",
            Partitions: [
              { Partition: 0, FetchOffset: 0, PartitionMaxBytes: 1 << 20, CurrentLeaderEpoch: -1, LogStartOffset: -1 },
            ],
          },
        ],
      }),
    );
    while (heldFetches.length === before) await new Promise((r) => setTimeout(r, 10));
    const aborted = abortedFetches;
    c.close();
    while (abortedFetches === aborted) await new Promise((r) => setTimeout(r, 10));
    await apiVersionsWorks(await wireClient(gateway.port));
  });

  it("acks=0 produce gets no response, and the next request's response follows in order", async () => {
    const c = await wireClient(gateway.port);
    const produce = (acks: number) =>
      req(API.Produce, 7, {
        TransactionalId: null,
        Acks: acks,
        TimeoutMs: 1000,
        TopicData: [{ Name: "t", PartitionData: [{ Index: 0, Records: new Uint8Array([1, 2, 3]) }] }],
      });
    const before = appends;
    c.send(API.Produce, 7, 1, produce(0));
    c.send(API.Produce, 7, 2, produce(1));
    const { correlationId, body } = response(API.Produce, 7, (await c.next())!);
    expect(correlationId).toBe(2);
    expect((body.Responses as any)[0].PartitionResponses[0]).toMatchObject({ ErrorCode: 0, BaseOffset: 7 });
    expect(appends - before).toBe(2);
    c.close();
  });

  it("Produce v0-2 (MessageSet v0/v1) is refused per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT", async () => {
    const c = await wireClient(gateway.port);
    c.send(
      API.Produce,
      2,
      1,
      req(API.Produce, 2, {
        Acks: 1,
        TimeoutMs: 1000,
        TopicData: [{ Name: "t", PartitionData: [{ Index: 0, Records: new Uint8Array([1]) }] }],
      }),
    );
    expect((response(API.Produce, 2, (await c.next())!).body.Responses as any)[0].PartitionResponses[0].ErrorCode).toBe(
      43,
    );
    c.close();
  });
});

describe("edgelog unreachable", () => {
  it("produce answers NOT_LEADER_OR_FOLLOWER, metadata closes the connection, ApiVersions still works", async () => {
    const c = await wireClient(downGateway.port);
    await apiVersionsWorks(c);
    c.send(
      API.Produce,
      7,
      2,
      req(API.Produce, 7, {
        TransactionalId: null,
        Acks: -1,
        TimeoutMs: 1000,
        TopicData: [{ Name: "t", PartitionData: [{ Index: 0, Records: new Uint8Array([1]) }] }],
      }),
    );
    expect((response(API.Produce, 7, (await c.next())!).body.Responses as any)[0].PartitionResponses[0].ErrorCode).toBe(
      6,
    );
    c.send(
      API.Heartbeat,
      3,
      3,
      req(API.Heartbeat, 3, { GroupId: "g", GenerationId: 1, MemberId: "m", GroupInstanceId: null }),
    );
    expect(response(API.Heartbeat, 3, (await c.next())!).body.ErrorCode).toBe(15);
    c.send(API.Metadata, 6, 4, req(API.Metadata, 6, { Topics: null, AllowAutoTopicCreation: false }));
    expect(await c.next()).toBeNull();
    await apiVersionsWorks(await wireClient(downGateway.port));
  });
});
