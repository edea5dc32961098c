// The transaction APIs at the wire, against a stand-in edgelog whose replies each test sets: what
// the gateway asks of the transaction routes, and which Kafka code each client version hears for
// edgelog's errors (PRODUCER_FENCED and TRANSACTION_ABORTABLE only from the versions that know
// them); bad transactional ids refused without an upstream call; RequireStable, isolation levels,
// the coordinator lookup and the admin listings.

import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import type { Value } from "../../src/gateway/wire/codec.js";
import { API } from "../../src/gateway/wire/messages.js";
import { encodeMultiFetch } from "../../src/protocol/multi-fetch-frame.js";
import { exchange, expectMalformedClosed, recordedFrames, wireClient, type WireClient } from "../support/kafka-wire.js";

// Kafka's codes, written out: the expectation must not come from the table under test.
const INVALID_REQUEST = 42;
const INVALID_PRODUCER_EPOCH = 47;
const INVALID_TXN_STATE = 48;
const INVALID_PRODUCER_ID_MAPPING = 49;
const CONCURRENT_TRANSACTIONS = 51;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;
const UNSTABLE_OFFSET_COMMIT = 88;
const PRODUCER_FENCED = 90;
const TRANSACTIONAL_ID_NOT_FOUND = 105;
const TRANSACTION_ABORTABLE = 120;
const INVALID_REGULAR_EXPRESSION = 128;
const UNKNOWN_MEMBER_ID = 25;

interface Call {
  method: string;
  path: string;
  body: any;
}
type Reply = { status?: number; json?: unknown; bytes?: Uint8Array };

let upstream: Server;
let gateway: Gateway;
let calls: Call[] = [];
let reply: (call: Call) => Reply = () => ({ status: 404, json: { error: { code: "UNKNOWN_SERVER_ERROR" } } });

const error = (status: number, code: string, extra: object = {}): Reply => ({
  status,
  json: { error: { code, message: code.toLowerCase(), retriable: code === "CONCURRENT_TRANSACTIONS" }, ...extra },
});

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d) => chunks.push(d));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString();
      const call = {
        method: req.method!,
        path: req.url!,
        body: req.headers["content-type"]?.includes("json") && text ? JSON.parse(text) : raw,
      };
      calls.push(call);
      const r = reply(call);
      res.statusCode = r.status ?? 200;
      if (r.bytes) {
        res.setHeader("content-type", "application/vnd.edgelog.multi-fetch");
        return res.end(Buffer.from(r.bytes));
      }
      res.setHeader("content-type", "application/json");
      res.end(r.json === undefined ? "" : JSON.stringify(r.json));
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

let c: WireClient;
let correlation = 0;
beforeEach(async () => {
  calls = [];
  c = await wireClient(gateway.port);
  return () => c.close();
});

/** One request on this test's connection, its answer decoded. */
function call(key: number, version: number, request: Value): Promise<any> {
  return exchange(c, key, version, request, ++correlation, 10_000);
}

const TXN_APIS = [
  "AddPartitionsToTxn",
  "AddOffsetsToTxn",
  "EndTxn",
  "TxnOffsetCommit",
  "DescribeProducers",
  "DescribeTransactions",
  "ListTransactions",
];

describe("malformed requests close their own connection, as Kafka does; the gateway keeps serving", () => {
  const recorded = recordedFrames(TXN_APIS);

  it("covers every transaction API", () => expect(recorded.map((f) => f.api).sort()).toEqual([...TXN_APIS].sort()));

  for (const fixture of recorded) {
    it(`${fixture.api}: each recorded request cut short, and with an array or string length past its end`, async () => {
      await expectMalformedClosed(gateway.port, fixture);
      expect(calls).toEqual([]);
      expect((await call(API.ApiVersions, 2, {})).ErrorCode).toBe(0);
    });
  }
});

const PRODUCER = { id: "4822371164307795", epoch: 3 };
const init = (version: number, TransactionalId: string | null, extra: Value = {}) =>
  call(API.InitProducerId, version, {
    TransactionalId,
    TransactionTimeoutMs: 30_000,
    ProducerId: -1,
    ProducerEpoch: -1,
    ...extra,
  });
const endTxn = (version: number, Committed = true) =>
  call(API.EndTxn, version, {
    TransactionalId: "billing-1",
    ProducerId: Number(PRODUCER.id),
    ProducerEpoch: 3,
    Committed,
  });

describe("InitProducerId with a transactional id", () => {
  it("takes the id through POST /v1/transactions/{id}/init, version 1, with KIP-360's producer when given", async () => {
    reply = () => ({
      json: { transactional_id: "billing-1", producer: PRODUCER, version: 1, transaction_timeout_ms: 30_000 },
    });
    const r = await init(4, "billing-1");
    expect(r).toMatchObject({ ErrorCode: 0, ProducerId: Number(PRODUCER.id), ProducerEpoch: 3 });
    await init(4, "billing-1", { ProducerId: Number(PRODUCER.id), ProducerEpoch: 2 });
    expect(calls.map((x) => [x.method, x.path, x.body])).toEqual([
      ["POST", "/v1/transactions/billing-1/init", { transaction_timeout_ms: 30_000, version: 1 }],
      [
        "POST",
        "/v1/transactions/billing-1/init",
        { transaction_timeout_ms: 30_000, version: 1, producer: { id: PRODUCER.id, epoch: 2 } },
      ],
    ]);
  });

  it("refuses a malformed id or half of KIP-360's pair without asking edgelog", async () => {
    expect((await init(4, "bad id/")).ErrorCode).toBe(INVALID_REQUEST);
    expect((await init(4, "x".repeat(250))).ErrorCode).toBe(INVALID_REQUEST);
    expect((await init(4, "billing-1", { ProducerId: 7, ProducerEpoch: -1 })).ErrorCode).toBe(INVALID_REQUEST);
    expect(calls).toEqual([]);
  });

  it("answers edgelog's errors with Kafka's codes, PRODUCER_FENCED only from v4 (KIP-588)", async () => {
    reply = () => error(409, "PRODUCER_FENCED");
    expect((await init(3, "billing-1", { ProducerId: 7, ProducerEpoch: 1 })).ErrorCode).toBe(INVALID_PRODUCER_EPOCH);
    expect((await init(4, "billing-1", { ProducerId: 7, ProducerEpoch: 1 })).ErrorCode).toBe(PRODUCER_FENCED);
    reply = () => error(409, "CONCURRENT_TRANSACTIONS");
    expect((await init(1, "billing-1")).ErrorCode).toBe(CONCURRENT_TRANSACTIONS);
    reply = () => error(403, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    expect((await init(1, "billing-1")).ErrorCode).toBe(TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });
});

describe("EndTxn, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit", () => {
  it("EndTxn commits or aborts; fenced and abortable codes follow the client's version", async () => {
    reply = () => ({
      json: { transactional_id: "billing-1", result: "committed", producer: PRODUCER, complete: true },
    });
    expect((await endTxn(3)).ErrorCode).toBe(0);
    expect((await endTxn(0, false)).ErrorCode).toBe(0);
    expect(calls.map((x) => [x.path, x.body])).toEqual([
      ["/v1/transactions/billing-1/commit", { producer: PRODUCER }],
      ["/v1/transactions/billing-1/abort", { producer: PRODUCER }],
    ]);
    reply = () => error(409, "PRODUCER_FENCED");
    expect([(await endTxn(1)).ErrorCode, (await endTxn(2)).ErrorCode]).toEqual([
      INVALID_PRODUCER_EPOCH,
      PRODUCER_FENCED,
    ]);
    reply = () => error(409, "TRANSACTION_ABORTABLE");
    expect([(await endTxn(3)).ErrorCode, (await endTxn(4)).ErrorCode]).toEqual([
      INVALID_TXN_STATE,
      TRANSACTION_ABORTABLE,
    ]);
    reply = () => error(409, "INVALID_TXN_STATE");
    expect((await endTxn(4)).ErrorCode).toBe(INVALID_TXN_STATE);
    // An id nobody initialised: Kafka's coordinator answers INVALID_PRODUCER_ID_MAPPING.
    reply = () => error(404, "TRANSACTIONAL_ID_NOT_FOUND");
    expect((await endTxn(4)).ErrorCode).toBe(INVALID_PRODUCER_ID_MAPPING);
  });

  it("AddPartitionsToTxn v3 registers a producer's partitions, answered per partition", async () => {
    reply = () => ({ json: { topics: [] } });
    const request = {
      V3AndBelowTransactionalId: "billing-1",
      V3AndBelowProducerId: Number(PRODUCER.id),
      V3AndBelowProducerEpoch: 3,
      V3AndBelowTopics: [{ Name: "orders", Partitions: [0, 1] }],
    };
    const ok = await call(API.AddPartitionsToTxn, 3, request);
    expect(ok.ResultsByTopicV3AndBelow).toEqual([
      {
        Name: "orders",
        ResultsByPartition: [
          { PartitionIndex: 0, PartitionErrorCode: 0 },
          { PartitionIndex: 1, PartitionErrorCode: 0 },
        ],
      },
    ]);
    expect(calls[0]!.body).toEqual({ producer: PRODUCER, topics: [{ topic: "orders", partitions: [0, 1] }] });
    reply = () => error(409, "PRODUCER_FENCED");
    const fenced = async (v: number) =>
      (await call(API.AddPartitionsToTxn, v, request)).ResultsByTopicV3AndBelow[0].ResultsByPartition.map(
        (p: any) => p.PartitionErrorCode,
      );
    expect(await fenced(1)).toEqual([INVALID_PRODUCER_EPOCH, INVALID_PRODUCER_EPOCH]);
    expect(await fenced(2)).toEqual([PRODUCER_FENCED, PRODUCER_FENCED]);
  });

  it("AddPartitionsToTxn v4+ (brokers' batches): VerifyOnly checks the transaction, the rest register", async () => {
    reply = (x) =>
      x.method === "GET"
        ? {
            json: {
              transactional_id: "billing-1",
              state: "Ongoing",
              producer: PRODUCER,
              topics: [{ topic: "orders", partitions: [0] }],
              groups: [],
            },
          }
        : { json: { topics: [] } };
    const txn = (TransactionalId: string, VerifyOnly: boolean, ProducerEpoch = 3) => ({
      TransactionalId,
      ProducerId: Number(PRODUCER.id),
      ProducerEpoch,
      VerifyOnly,
      Topics: [{ Name: "orders", Partitions: [0, 1] }],
    });
    const r = await call(API.AddPartitionsToTxn, 5, {
      Transactions: [txn("billing-1", true), txn("billing-1", true, 2), txn("other-1", false), txn("bad id", false)],
    });
    const codes = r.ResultsByTransaction.map((t: any) =>
      t.TopicResults[0].ResultsByPartition.map((p: any) => p.PartitionErrorCode),
    );
    expect(codes).toEqual([
      [0, INVALID_TXN_STATE],
      [INVALID_PRODUCER_EPOCH, INVALID_PRODUCER_EPOCH],
      [0, 0],
      [INVALID_REQUEST, INVALID_REQUEST],
    ]);
    expect(calls.filter((x) => x.method === "POST").map((x) => x.path)).toEqual([
      "/v1/transactions/other-1/partitions",
    ]);
  });

  it("AddOffsetsToTxn and TxnOffsetCommit: a member's id and generation from v3, none before", async () => {
    reply = (x) => (x.path.endsWith("/groups") ? { json: { group_id: "g" } } : { status: 204 });
    const addOffsets = await call(API.AddOffsetsToTxn, 3, {
      TransactionalId: "billing-1",
      ProducerId: Number(PRODUCER.id),
      ProducerEpoch: 3,
      GroupId: "g",
    });
    expect(addOffsets.ErrorCode).toBe(0);
    const commit = (version: number) =>
      call(API.TxnOffsetCommit, version, {
        TransactionalId: "billing-1",
        GroupId: "g",
        ProducerId: Number(PRODUCER.id),
        ProducerEpoch: 3,
        GenerationId: 4,
        MemberId: "m-1",
        GroupInstanceId: null,
        Topics: [
          {
            Name: "orders",
            Partitions: [
              { PartitionIndex: 0, CommittedOffset: 120, CommittedLeaderEpoch: -1, CommittedMetadata: null },
            ],
          },
        ],
      });
    expect((await commit(3)).Topics[0].Partitions[0].ErrorCode).toBe(0);
    expect((await commit(0)).Topics[0].Partitions[0].ErrorCode).toBe(0);
    const offsets = [{ topic: "orders", partition: 0, offset: 120, metadata: null }];
    expect(calls.map((x) => [x.path, x.body])).toEqual([
      ["/v1/transactions/billing-1/groups", { producer: PRODUCER, group_id: "g" }],
      [
        "/v1/transactions/billing-1/offsets",
        { producer: PRODUCER, group_id: "g", member_id: "m-1", member_epoch: 4, offsets },
      ],
      ["/v1/transactions/billing-1/offsets", { producer: PRODUCER, group_id: "g", offsets }],
    ]);
    reply = () => error(400, "UNKNOWN_MEMBER_ID");
    expect((await commit(3)).Topics[0].Partitions[0].ErrorCode).toBe(UNKNOWN_MEMBER_ID);
    reply = () => error(409, "TRANSACTION_ABORTABLE");
    expect((await commit(3)).Topics[0].Partitions[0].ErrorCode).toBe(INVALID_TXN_STATE);
    expect((await commit(4)).Topics[0].Partitions[0].ErrorCode).toBe(TRANSACTION_ABORTABLE);
  });
});

describe("reads and lookups", () => {
  it("FindCoordinator key type 1 names the gateway to a token that may see the id; other key types are refused", async () => {
    reply = () => error(404, "TRANSACTIONAL_ID_NOT_FOUND");
    const r = await call(API.FindCoordinator, 4, { KeyType: 1, CoordinatorKeys: ["billing-1"] });
    expect(r.Coordinators[0]).toMatchObject({ Key: "billing-1", ErrorCode: 0, NodeId: 0, Port: gateway.port });
    expect(calls.map((x) => x.path)).toEqual(["/v1/transactions/billing-1"]);
    reply = () => error(403, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    const denied = await call(API.FindCoordinator, 2, { Key: "billing-1", KeyType: 1 });
    expect([denied.ErrorCode, denied.NodeId]).toEqual([TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1]);
    const share = await call(API.FindCoordinator, 6, { KeyType: 2, CoordinatorKeys: ["g:t:0"] });
    expect(share.Coordinators[0].ErrorCode).toBe(INVALID_REQUEST);
  });

  it("Fetch isolation level 1 reads read_committed: LastStableOffset and AbortedTransactions passed on", async () => {
    reply = () => ({
      bytes: encodeMultiFetch(
        [
          {
            topic: "orders",
            partition: 0,
            high_watermark: 9,
            log_start_offset: 0,
            last_stable_offset: 4,
            aborted_transactions: [{ producer_id: PRODUCER.id, first_offset: 1 }],
            batches_bytes: 0,
          } as any,
        ],
        [[]],
      ),
    });
    const fetch = (IsolationLevel: number) =>
      call(API.Fetch, 11, {
        ReplicaId: -1,
        MaxWaitMs: 0,
        MinBytes: 0,
        MaxBytes: 1 << 20,
        IsolationLevel,
        SessionId: 0,
        SessionEpoch: -1,
        Topics: [
          {
            Topic: "orders",
            Partitions: [
              { Partition: 0, CurrentLeaderEpoch: -1, FetchOffset: 0, LogStartOffset: -1, PartitionMaxBytes: 1 << 20 },
            ],
          },
        ],
        ForgottenTopicsData: [],
        RackId: "",
      });
    const p = (await fetch(1)).Responses[0].Partitions[0];
    expect([p.HighWatermark, p.LastStableOffset, p.AbortedTransactions]).toEqual([
      9,
      4,
      [{ ProducerId: Number(PRODUCER.id), FirstOffset: 1 }],
    ]);
    await fetch(0);
    expect(calls.map((x) => x.body.isolation)).toEqual(["read_committed", undefined]);
  });

  it("ListOffsets isolation level 1 asks for the last stable offset", async () => {
    reply = () => ({ json: { offset: 4, timestamp: -1 } });
    const r = await call(API.ListOffsets, 5, {
      ReplicaId: -1,
      IsolationLevel: 1,
      Topics: [{ Name: "orders", Partitions: [{ PartitionIndex: 0, CurrentLeaderEpoch: -1, Timestamp: -1 }] }],
    });
    expect(r.Topics[0].Partitions[0]).toMatchObject({ ErrorCode: 0, Offset: 4 });
    expect(calls[0]!.path).toBe("/v1/topics/orders/partitions/0/offsets?at=latest&isolation=read_committed");
  });

  it("OffsetFetch RequireStable: UNSTABLE_OFFSET_COMMIT on the pending partitions, offsets on the others", async () => {
    reply = () =>
      error(409, "UNSTABLE_OFFSET_COMMIT", {
        partitions: [{ topic: "orders", partition: 1 }],
        offsets: [{ topic: "orders", partition: 0, offset: 100, metadata: null }],
      });
    const r = await call(API.OffsetFetch, 7, {
      GroupId: "g",
      Topics: [{ Name: "orders", PartitionIndexes: [0, 1] }],
      RequireStable: true,
    });
    expect(r.Topics[0].Partitions.map((p: any) => [p.CommittedOffset, p.ErrorCode])).toEqual([
      [100, 0],
      [-1, UNSTABLE_OFFSET_COMMIT],
    ]);
    expect(calls[0]!.path).toBe("/v1/groups/g/offsets?require_stable=true");
  });

  it("DescribeTransactions, ListTransactions and DescribeProducers", async () => {
    reply = (x) => {
      if (x.path === "/v1/transactions/billing-1")
        return {
          json: {
            transactional_id: "billing-1",
            state: "Ongoing",
            producer: PRODUCER,
            transaction_timeout_ms: 60_000,
            transaction_start_ms: 1_767_225_600_000,
            topics: [{ topic: "orders", partitions: [0, 1] }],
            groups: [],
          },
        };
      if (x.path.startsWith("/v1/transactions?"))
        return {
          json: {
            transactions: [
              { transactional_id: "billing-1", state: "Ongoing", producer_id: PRODUCER.id },
              { transactional_id: "audit-1", state: "Empty", producer_id: "12" },
            ],
            next_after: null,
          },
        };
      if (x.path === "/v1/topics/orders/partitions/0/transactions")
        return {
          json: {
            partition: 0,
            last_stable_offset: 4,
            high_watermark: 9,
            transactions: [
              {
                producer_id: PRODUCER.id,
                producer_epoch: 3,
                transactional_id: "billing-1",
                first_offset: 4,
                last_offset: 8,
                open_ms: 10,
                hanging: false,
              },
            ],
          },
        };
      return error(404, "TRANSACTIONAL_ID_NOT_FOUND");
    };
    const d = await call(API.DescribeTransactions, 0, { TransactionalIds: ["billing-1", "gone-1", "bad id"] });
    expect(d.TransactionStates.map((t: any) => [t.TransactionalId, t.ErrorCode, t.TransactionState])).toEqual([
      ["billing-1", 0, "Ongoing"],
      ["gone-1", TRANSACTIONAL_ID_NOT_FOUND, ""],
      ["bad id", TRANSACTIONAL_ID_NOT_FOUND, ""],
    ]);
    expect(d.TransactionStates[0]).toMatchObject({
      ProducerId: Number(PRODUCER.id),
      ProducerEpoch: 3,
      TransactionTimeoutMs: 60_000,
      Topics: [{ Topic: "orders", Partitions: [0, 1] }],
    });
    const list = (req: Value) =>
      call(API.ListTransactions, 2, {
        StateFilters: [],
        ProducerIdFilters: [],
        DurationFilter: -1,
        TransactionalIdPattern: null,
        ...req,
      });
    expect((await list({})).TransactionStates.map((t: any) => t.TransactionalId)).toEqual(["billing-1", "audit-1"]);
    expect((await list({ ProducerIdFilters: [12] })).TransactionStates.map((t: any) => t.TransactionalId)).toEqual([
      "audit-1",
    ]);
    expect(
      (await list({ TransactionalIdPattern: "bill.*" })).TransactionStates.map((t: any) => t.TransactionalId),
    ).toEqual(["billing-1"]);
    const unknown = await list({ StateFilters: ["Ongoing", "Sleeping"] });
    expect(unknown.UnknownStateFilters).toEqual(["Sleeping"]);
    expect(calls.at(-1)!.path).toContain("state=Ongoing");
    expect((await list({ TransactionalIdPattern: "(a+" })).ErrorCode).toBe(INVALID_REGULAR_EXPRESSION);
    const producers = await call(API.DescribeProducers, 0, { Topics: [{ Name: "orders", PartitionIndexes: [0] }] });
    expect(producers.Topics[0].Partitions[0].ActiveProducers).toEqual([
      {
        ProducerId: Number(PRODUCER.id),
        ProducerEpoch: 3,
        LastSequence: -1,
        LastTimestamp: -1,
        CoordinatorEpoch: -1,
        CurrentTxnStartOffset: 4,
      },
    ]);
  });
});

describe("transactional Produce", () => {
  const produce = (version: number) =>
    call(API.Produce, version, {
      TransactionalId: "billing-1",
      Acks: -1,
      TimeoutMs: 1000,
      TopicData: [{ Name: "orders", PartitionData: [{ Index: 0, Records: new Uint8Array([1, 2, 3]) }] }],
    });
  const code = async (version: number) => (await produce(version)).Responses[0].PartitionResponses[0].ErrorCode;

  it("goes to the raw route with the transactional id; a stale epoch is the partition's INVALID_PRODUCER_EPOCH", async () => {
    reply = () => ({ json: { batches: [{ base_offset: 7, timestamp: 1, log_start_offset: 0 }] } });
    expect(await code(7)).toBe(0);
    expect(calls[0]!.path).toBe("/v1/topics/orders/partitions/0/records?acks=all&transactional_id=billing-1");
    reply = () => error(409, "PRODUCER_FENCED");
    expect(await code(11)).toBe(INVALID_PRODUCER_EPOCH);
    reply = () => error(409, "TRANSACTION_ABORTABLE");
    expect([await code(10), await code(11)]).toEqual([INVALID_TXN_STATE, TRANSACTION_ABORTABLE]);
    reply = () => error(403, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    expect(await code(7)).toBe(TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });
});
