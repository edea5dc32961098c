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
  return [
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
