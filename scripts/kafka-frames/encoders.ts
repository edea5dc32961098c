// Requests written by other projects' encoders, for versions no client here sends in its own flows:
// @platformatic/kafka's request writers and kafkajs's versioned ones, sent through the recording
// proxy so the gateway's answers are recorded beside them.

import {
  apiVersionsV4,
  consumerGroupDescribeV0,
  describeClusterV0,
  describeClusterV1,
  offsetForLeaderEpochV4,
  saslAuthenticateV2,
  saslHandshakeV1,
  addOffsetsToTxnV3,
  addOffsetsToTxnV4,
  addPartitionsToTxnV3,
  addPartitionsToTxnV4,
  addPartitionsToTxnV5,
  describeProducersV0,
  describeTransactionsV0,
  endTxnV3,
  endTxnV4,
  listTransactionsV0,
  listTransactionsV1,
  listTransactionsV2,
  txnOffsetCommitV3,
  txnOffsetCommitV4,
} from "@platformatic/kafka";
import { createRequire } from "node:module";
import { connect } from "node:net";

const require = createRequire(import.meta.url);

export interface EncoderRequest {
  source: string;
  call: string;
  /** The whole request frame, size prefix included. */
  frame: Uint8Array;
}

/** A request frame around a body another encoder wrote: header v1, or v2 (with empty tags) when flexible. */
function frameOf(key: number, version: number, body: Uint8Array, flexible: boolean): Uint8Array {
  const id = Buffer.from("platformatic-encoder");
  const head = Buffer.alloc(10);
  head.writeInt16BE(key, 0);
  head.writeInt16BE(version, 2);
  head.writeInt32BE(1, 4);
  head.writeInt16BE(id.byteLength, 8);
  const rest = Buffer.concat([head, id, flexible ? Buffer.from([0]) : Buffer.alloc(0), Buffer.from(body)]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(rest.byteLength);
  return Buffer.concat([size, rest]);
}

/** kafkajs frames a request itself (src/protocol/request.js): header v1, client id "kafkajs-encoder". */
async function kafkajsFrame(request: unknown): Promise<Uint8Array> {
  const frame = require("kafkajs/src/protocol/request.js") as (r: unknown) => Promise<{ buffer: Buffer }>;
  return new Uint8Array((await frame({ correlationId: 1, clientId: "kafkajs-encoder", request })).buffer);
}

export async function encoderRequests(
  names: { topic: string; group: string },
  versions: { kafkajs: string; platformatic: string },
): Promise<EncoderRequest[]> {
  const pl = (what: string) => `@platformatic/kafka ${versions.platformatic} (${what})`;
  const kjs = (what: string) => `kafkajs ${versions.kafkajs} (${what})`;
  const body = (w: { buffer: Buffer }) => new Uint8Array(w.buffer);
  const produceV0 = require("kafkajs/src/protocol/requests/produce/v0/request.js");
  const apiVersionsV0 = require("kafkajs/src/protocol/requests/apiVersions/v0/request.js");
  // SASL: sent to the recording gateway, which has no --sasl, so each is answered ILLEGAL_SASL_STATE
  // (Kafka's answer on a listener without SASL); the layouts are what is recorded.
  const plain = Buffer.from("\0user\0secret");
  // kafkajs's authenticators hand SaslAuthenticate their bytes already length-prefixed (writeBytes).
  const prefixed = Buffer.concat([Buffer.from([0, 0, 0, plain.byteLength]), plain]);
  const kjsSasl = (api: string, v: number, arg: unknown) => ({
    source: kjs(`its v${v} encoder: src/protocol/requests/${api}/v${v}`),
    call: `${api} v${v} request`,
    request: require(`kafkajs/src/protocol/requests/${api}/v${v}/request.js`)(arg),
  });
  const sasl = [
    kjsSasl("saslHandshake", 0, { mechanism: "PLAIN" }),
    kjsSasl("saslHandshake", 1, { mechanism: "PLAIN" }),
    kjsSasl("saslAuthenticate", 0, { authBytes: prefixed }),
    kjsSasl("saslAuthenticate", 1, { authBytes: prefixed }),
  ];
  // Transactions: lowest versions from kafkajs's v0 encoders, the first flexible and highest from
  // @platformatic/kafka's writers, for a transactional id nobody initialised (answered with errors).
  const tid = `${names.topic}-encoder-txn`;
  const txnLow = [
    kjsSasl("addPartitionsToTxn", 0, {
      transactionalId: tid,
      producerId: 1,
      producerEpoch: 0,
      topics: [{ topic: names.topic, partitions: [0] }],
    }),
    kjsSasl("addOffsetsToTxn", 0, { transactionalId: tid, producerId: 1, producerEpoch: 0, groupId: names.group }),
    kjsSasl("endTxn", 0, { transactionalId: tid, producerId: 1, producerEpoch: 0, transactionResult: false }),
    kjsSasl("txnOffsetCommit", 0, {
      transactionalId: tid,
      groupId: names.group,
      producerId: 1,
      producerEpoch: 0,
      topics: [{ topic: names.topic, partitions: [{ partition: 0, offset: "0" }] }],
    }),
  ];
  const txns = (verifyOnly: boolean) => [
    {
      transactionalId: tid,
      producerId: 1n,
      producerEpoch: 0,
      verifyOnly,
      topics: [{ name: names.topic, partitions: [0] }],
    },
  ];
  const offsets = [
    { name: names.topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1 }] },
  ];
  const plTxn: [string, number, number, Uint8Array][] = [
    ["addPartitionsToTxnV3", 24, 3, body(addPartitionsToTxnV3.createRequest(txns(false)))],
    ["addPartitionsToTxnV4", 24, 4, body(addPartitionsToTxnV4.createRequest(txns(true)))],
    ["addPartitionsToTxnV5", 24, 5, body(addPartitionsToTxnV5.createRequest(txns(false)))],
    ["addOffsetsToTxnV3", 25, 3, body(addOffsetsToTxnV3.createRequest(tid, 1n, 0, names.group))],
    ["addOffsetsToTxnV4", 25, 4, body(addOffsetsToTxnV4.createRequest(tid, 1n, 0, names.group))],
    ["endTxnV3", 26, 3, body(endTxnV3.createRequest(tid, 1n, 0, false))],
    ["endTxnV4", 26, 4, body(endTxnV4.createRequest(tid, 1n, 0, false))],
    ["txnOffsetCommitV3", 28, 3, body(txnOffsetCommitV3.createRequest(tid, names.group, 1n, 0, -1, "", null, offsets))],
    ["txnOffsetCommitV4", 28, 4, body(txnOffsetCommitV4.createRequest(tid, names.group, 1n, 0, -1, "", null, offsets))],
    [
      "describeProducersV0",
      61,
      0,
      body(describeProducersV0.createRequest([{ name: names.topic, partitionIndexes: [0] }])),
    ],
    ["describeTransactionsV0", 65, 0, body(describeTransactionsV0.createRequest([tid]))],
    ["listTransactionsV0", 66, 0, body(listTransactionsV0.createRequest([], [], -1n, null))],
    ["listTransactionsV1", 66, 1, body(listTransactionsV1.createRequest([], [], -1n, null))],
    ["listTransactionsV2", 66, 2, body(listTransactionsV2.createRequest([], [], -1n, "frames-.*"))],
  ];
  return [
    ...(await Promise.all(
      txnLow.map(async ({ source, call, request }) => ({ source, call, frame: await kafkajsFrame(request) })),
    )),
    ...plTxn.map(([writer, key, version, b]) => ({
      source: pl(`its request writer ${writer}.createRequest`),
      call: `${writer}.createRequest`,
      frame: frameOf(key, version, b, true),
    })),
    ...(await Promise.all(
      sasl.map(async ({ source, call, request }) => ({ source, call, frame: await kafkajsFrame(request) })),
    )),
    {
      source: pl("its request writer saslHandshakeV1.createRequest"),
      call: "saslHandshakeV1.createRequest",
      frame: frameOf(17, 1, body(saslHandshakeV1.createRequest("SCRAM-SHA-256")), false),
    },
    {
      source: pl("its request writer saslAuthenticateV2.createRequest"),
      call: "saslAuthenticateV2.createRequest",
      frame: frameOf(36, 2, body(saslAuthenticateV2.createRequest(plain)), true),
    },
    {
      source: kjs("its v0 encoder: src/protocol/requests/apiVersions/v0"),
      call: "apiVersions v0 request",
      frame: await kafkajsFrame(apiVersionsV0()),
    },
    {
      source: kjs("its v0 encoder: src/protocol/requests/produce/v0 (MessageSet v0)"),
      call: "produce v0 request",
      frame: await kafkajsFrame(
        produceV0({
          acks: 1,
          timeout: 1000,
          topicData: [{ topic: names.topic, partitions: [{ partition: 0, messages: [{ key: "k", value: "v" }] }] }],
        }),
      ),
    },
    {
      source: pl("its request writer apiVersionsV4.createRequest"),
      call: "apiVersionsV4.createRequest",
      frame: frameOf(18, 4, body(apiVersionsV4.createRequest("platformatic-encoder", "1")), true),
    },
    {
      source: pl("its request writer offsetForLeaderEpochV4.createRequest"),
      call: "offsetForLeaderEpochV4.createRequest",
      frame: frameOf(
        23,
        4,
        body(
          offsetForLeaderEpochV4.createRequest(-1, [
            { name: names.topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] },
          ]),
        ),
        true,
      ),
    },
    {
      source: pl("its request writer describeClusterV0.createRequest"),
      call: "describeClusterV0.createRequest",
      frame: frameOf(60, 0, body(describeClusterV0.createRequest(false, 1)), true),
    },
    {
      source: pl("its request writer describeClusterV1.createRequest"),
      call: "describeClusterV1.createRequest",
      frame: frameOf(60, 1, body(describeClusterV1.createRequest(false, 1)), true),
    },
    {
      source: pl("its request writer consumerGroupDescribeV0.createRequest"),
      call: "consumerGroupDescribeV0.createRequest",
      frame: frameOf(69, 0, body(consumerGroupDescribeV0.createRequest([names.group], false)), true),
    },
  ];
}

/** Sends one request frame and waits for its answer (the proxy records both). */
export async function send(port: number, frame: Uint8Array): Promise<void> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((res, rej) => {
    let buf = Buffer.alloc(0);
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.byteLength >= 4 && buf.byteLength >= 4 + buf.readInt32BE(0)) res();
    });
    socket.on("error", rej);
    socket.on("close", () => res());
    socket.write(frame);
  });
  socket.destroy();
}
