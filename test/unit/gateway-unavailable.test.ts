// The gateway in front of an edgelog whose partition or group object is briefly unavailable
// (overloaded, or reset): Kafka clients must hear a code they retry, and succeed once it clears.
// The stand-in edgelog answers with the router's own reply for such a fault.

import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { decode, encode, Reader, type Value } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY } from "../../src/gateway/wire/messages.js";
import { errorReply } from "../../src/protocol/error-reply.js";
import { toEdgelogError } from "../../src/router/errors.js";
import { wireClient } from "../support/kafka-wire.js";

// The codes each client retries, written out (kafkajs src/protocol/error.js, franz-go pkg/kerr,
// librdkafka's produce/fetch error actions): the expectation must not come from the table under test.
const RETRIED_BY_KAFKA_CLIENTS = new Set([5, 6, 7, 13, 14, 15, 16, 19, 56]);
const BROKER_NOT_AVAILABLE = 8; // kafkajs, franz-go and Kafka itself: not retriable

/** A Durable Object stub's overloaded fault, as Cloudflare throws it. */
const overloaded = Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), {
  overloaded: true,
});

/** How many of the next calls edgelog refuses as overloaded. */
let refuseNext = 0;
let appends = 0;
let upstream: Server;
let gateway: Gateway;

function refuse(res: ServerResponse): void {
  const r = errorReply(toEdgelogError(overloaded));
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.end(JSON.stringify(r.body));
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("content-type", "application/json");
  if (req.method === "GET" && req.url?.startsWith("/v1/topics?")) {
    res.end(JSON.stringify({ topics: [{ name: "orders", partitions: 1 }], next_after: null }));
    return;
  }
  if (refuseNext > 0) {
    refuseNext--;
    return refuse(res);
  }
  if (req.method === "POST" && req.url?.startsWith("/v1/topics/orders/partitions/0/records")) {
    const offset = appends++;
    res.end(
      JSON.stringify({ batches: [{ base_offset: offset, last_offset: offset, log_start_offset: 0, timestamp: -1 }] }),
    );
    return;
  }
  res.statusCode = 404;
  res.end(JSON.stringify({ error: { code: "ROUTE_NOT_FOUND", message: "no", retriable: false } }));
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(req, res));
  });
  await new Promise<void>((res) => upstream.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  gateway = await startGateway({ listen: "127.0.0.1:0", upstream: url, log: () => {} });
});

afterAll(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise((res) => upstream?.close(res));
});

beforeEach(() => {
  refuseNext = 0;
});

async function call(key: number, version: number, request: Value): Promise<any> {
  const spec = BY_KEY.get(key)!;
  const c = await wireClient(gateway.port);
  try {
    c.send(key, version, 1, encode(spec.request, version, request).bytes());
    const frame = await c.next();
    expect(frame).not.toBeNull();
    const r = new Reader(frame!);
    expect(r.int32()).toBe(1);
    return decode(spec.response, version, r);
  } finally {
    c.close();
  }
}

describe("an overloaded edgelog object behind the gateway", () => {
  it("Produce, Fetch, ListOffsets and the group APIs answer codes Kafka clients retry, not BROKER_NOT_AVAILABLE", async () => {
    refuseNext = 1;
    const produce = await call(API.Produce, 7, {
      TransactionalId: null,
      Acks: -1,
      TimeoutMs: 1000,
      TopicData: [{ Name: "orders", PartitionData: [{ Index: 0, Records: new Uint8Array([1]) }] }],
    });
    refuseNext = 1;
    const fetched = await call(API.Fetch, 11, {
      ReplicaId: -1,
      MaxWaitMs: 0,
      MinBytes: 0,
      MaxBytes: 1 << 20,
      IsolationLevel: 0,
      SessionId: 0,
      SessionEpoch: -1,
      Topics: [
        {
          Topic: "orders",
          Partitions: [
            { Partition: 0, CurrentLeaderEpoch: -1, FetchOffset: 0, LogStartOffset: -1, PartitionMaxBytes: 1024 },
          ],
        },
      ],
      ForgottenTopicsData: [],
      RackId: "",
    });
    refuseNext = 1;
    const offsets = await call(API.ListOffsets, 3, {
      ReplicaId: -1,
      IsolationLevel: 0,
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0, Timestamp: -1 }] }],
    });
    refuseNext = 1;
    const heartbeat = await call(API.Heartbeat, 3, {
      GroupId: "g",
      GenerationId: 1,
      MemberId: "m",
      GroupInstanceId: null,
    });
    const codes = [
      produce.Responses[0].PartitionResponses[0].ErrorCode,
      fetched.Responses[0].Partitions[0].ErrorCode,
      offsets.Topics[0].Partitions[0].ErrorCode,
      heartbeat.ErrorCode,
    ];
    for (const code of codes) {
      expect(code).not.toBe(BROKER_NOT_AVAILABLE);
      expect(RETRIED_BY_KAFKA_CLIENTS.has(code), `code ${code}`).toBe(true);
    }
  });

  it("a kafkajs producer retries through it and its send succeeds", async () => {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${gateway.port}`],
      clientId: "unavailable-test",
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 20, retries: 5 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      refuseNext = 2;
      const before = appends;
      const sent = await producer.send({ topic: "orders", messages: [{ value: "v" }] });
      expect(sent[0]).toMatchObject({ topicName: "orders", partition: 0, errorCode: 0 });
      expect(appends - before).toBe(1);
      expect(refuseNext).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });
});
