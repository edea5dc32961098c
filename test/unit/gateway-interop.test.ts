// Requests real clients send that differ from what the gateway first expected, replayed from the
// recorded frames (fixtures/kafka-frames/) against a gateway over a stand-in edgelog.

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { decode, encode, Reader, type Value } from "../../src/gateway/wire/codec.js";
import { API, BY_KEY } from "../../src/gateway/wire/messages.js";
import { wireClient } from "../support/kafka-wire.js";

// Kafka's codes, written out: the expectation must not come from the table under test.
const INCONSISTENT_GROUP_PROTOCOL = 23;
const INVALID_REQUEST = 42;
const MEMBER_ID_REQUIRED = 79;
const ILLEGAL_GENERATION = 22;
const STALE_MEMBER_EPOCH = 113;

/** The request frame one client sent for an API at a version, from the recorded fixtures. */
function recorded(api: string, version: number, client: string): Buffer {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, `fixtures/kafka-frames/${api}.json`), "utf8"));
  const frame = fixture.frames.find(
    (f: { version: number; source: string }) => f.version === version && f.source.startsWith(client),
  );
  return Buffer.from(frame.request, "hex");
}

let upstream: Server;
let gateway: Gateway;
const producerCalls: unknown[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/v1/producers") {
        const parsed = JSON.parse(body || "{}");
        producerCalls.push(parsed);
        // edgelog knows producer 12 only; it issues 77 to a producer asking afresh.
        if (parsed.id !== undefined && parsed.id !== "12") {
          res.statusCode = 404;
          return res.end(
            JSON.stringify({ error: { code: "UNKNOWN_PRODUCER_ID", message: "never issued", retriable: false } }),
          );
        }
        return res.end(JSON.stringify(parsed.id === "12" ? { id: "12", epoch: 4 } : { id: "77", epoch: 0 }));
      }
      if (req.url?.endsWith("/offsets") && req.method === "POST") {
        // The coordinator's refusal of the member's epoch, as the router renders it.
        const code = JSON.parse(body).member_id === "classic-1" ? "ILLEGAL_GENERATION" : "STALE_MEMBER_EPOCH";
        res.statusCode = 409;
        return res.end(JSON.stringify({ error: { code, message: "old epoch", retriable: false } }));
      }
      if (req.url?.endsWith("/heartbeat")) {
        const hb = JSON.parse(body);
        return res.end(
          JSON.stringify({ member_id: hb.member_id, member_epoch: 1, heartbeat_interval_ms: 3000, assignment: [] }),
        );
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: "ROUTE_NOT_FOUND", message: "no", retriable: false } }));
    });
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

/** Sends a whole request frame (no size prefix) and decodes the answer. */
async function replay(frame: Buffer): Promise<Value> {
  const key = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  const spec = BY_KEY.get(key)!;
  const c = await wireClient(gateway.port);
  try {
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.byteLength);
    c.write(Buffer.concat([size, frame]));
    const answer = await c.next();
    expect(answer, "the gateway closed the connection").not.toBeNull();
    const r = new Reader(answer!, 4);
    if (version >= spec.request.flexibleFrom && key !== API.ApiVersions) r.skipTags();
    return decode(spec.response, version, r);
  } finally {
    c.close();
  }
}

/** The same frame with its body's fields changed. */
function edited(frame: Buffer, change: (req: Value) => void): Buffer {
  const spec = BY_KEY.get(frame.readInt16BE(0))!;
  const version = frame.readInt16BE(2);
  const r = new Reader(frame, 8);
  r.raw(r.int16());
  if (version >= spec.request.flexibleFrom) r.skipTags();
  const head = frame.subarray(0, r.pos);
  const req = decode(spec.request, version, r);
  change(req);
  return Buffer.concat([head, encode(spec.request, version, req).bytes()]);
}

describe("InitProducerId", () => {
  it("gives @platformatic/kafka's idempotent producer, which asks with producer id 0 and epoch 0, a new id as Kafka does", async () => {
    const frame = recorded("InitProducerId", 5, "@platformatic/kafka");
    const req = decode(BY_KEY.get(API.InitProducerId)!.request, 5, new Reader(frame, 10 + frame.readInt16BE(8) + 1));
    expect([req.TransactionalId, req.ProducerId, req.ProducerEpoch]).toEqual([null, 0, 0]);
    expect(await replay(frame)).toMatchObject({ ErrorCode: 0, ProducerId: 77, ProducerEpoch: 0 });
  });

  it("bumps the epoch of a producer id edgelog issued (KIP-360), and refuses an id without an epoch", async () => {
    const frame = recorded("InitProducerId", 5, "@platformatic/kafka");
    const known = edited(frame, (r) => Object.assign(r, { ProducerId: 12, ProducerEpoch: 3 }));
    expect(await replay(known)).toMatchObject({ ErrorCode: 0, ProducerId: 12, ProducerEpoch: 4 });
    const half = edited(frame, (r) => Object.assign(r, { ProducerId: 12, ProducerEpoch: -1 }));
    expect(await replay(half)).toMatchObject({ ErrorCode: INVALID_REQUEST, ProducerId: -1 });
  });
});

describe("JoinGroup", () => {
  it("reads @platformatic/kafka's subscription, labelled v1 but ended after the v0 fields, and lets it join", async () => {
    const frame = recorded("JoinGroup", 9, "@platformatic/kafka");
    const first = await replay(frame);
    expect(first.ErrorCode).not.toBe(INCONSISTENT_GROUP_PROTOCOL);
    expect(first.ErrorCode).toBe(MEMBER_ID_REQUIRED);
    const again = await replay(edited(frame, (r) => (r.MemberId = first.MemberId)));
    expect(again).toMatchObject({ ErrorCode: 0, MemberId: first.MemberId, GenerationId: 1 });
  });

  it("still refuses a subscription that is not one at any version", async () => {
    const frame = recorded("JoinGroup", 9, "@platformatic/kafka");
    const broken = edited(frame, (r) => {
      (r.Protocols as { Metadata: Uint8Array }[])[0]!.Metadata = new Uint8Array([0, 1, 0, 0, 0, 9]);
    });
    expect((await replay(broken)).ErrorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe("OffsetCommit", () => {
  const codes = (answer: Value) =>
    (answer.Topics as { Partitions: { ErrorCode: number }[] }[]).flatMap((t) => t.Partitions.map((p) => p.ErrorCode));

  it("answers a KIP-848 member's stale epoch with STALE_MEMBER_EPOCH, which @platformatic/kafka retries instead of tearing its stream down", async () => {
    const frame = recorded("OffsetCommit", 9, "@platformatic/kafka");
    const answer = await replay(
      edited(frame, (r) => Object.assign(r, { MemberId: "kip848-1", GenerationIdOrMemberEpoch: 3 })),
    );
    expect(new Set(codes(answer))).toEqual(new Set([STALE_MEMBER_EPOCH]));
  });

  it("answers a classic member's old generation with ILLEGAL_GENERATION, so it rejoins", async () => {
    const frame = recorded("OffsetCommit", 9, "@platformatic/kafka");
    const answer = await replay(
      edited(frame, (r) => Object.assign(r, { MemberId: "classic-1", GenerationIdOrMemberEpoch: 3 })),
    );
    expect(new Set(codes(answer))).toEqual(new Set([ILLEGAL_GENERATION]));
  });

  it("never sends STALE_MEMBER_EPOCH below v9, which no client before KIP-848 knows", async () => {
    const frame = recorded("OffsetCommit", 8, "@platformatic/kafka");
    const answer = await replay(
      edited(frame, (r) => Object.assign(r, { MemberId: "kip848-1", GenerationIdOrMemberEpoch: 3 })),
    );
    expect(new Set(codes(answer))).toEqual(new Set([ILLEGAL_GENERATION]));
  });
});
