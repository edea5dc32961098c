// The gateway's codec against recorded frames (test/unit/fixtures/kafka-frames/, one file per API,
// written by `node scripts/kafka-frames.mjs`): requests real clients sent through the gateway
// (kafkajs, librdkafka, @platformatic/kafka, each at its own versions and under lowered ones) or
// that another library's request encoder wrote, each with the gateway's answer. Every frame must
// decode and re-encode byte for byte; every API must have outside frames at its lowest, highest
// and first flexible version, except the versions listed below that nothing here sends.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  apiVersionsV4,
  consumerGroupDescribeV0,
  describeClusterV0,
  describeClusterV1,
  offsetForLeaderEpochV4,
  Reader as PReader,
} from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { decode, encode, Reader, type Schema } from "../../src/gateway/wire/codec.js";
import { API, APIS, BY_KEY, KNOWN } from "../../src/gateway/wire/messages.js";

interface StoredFrame {
  version: number;
  kind: "client" | "encoder";
  source: string;
  call: string;
  request: string;
  response: string | null;
}

const DIR = join(import.meta.dirname, "fixtures/kafka-frames");
const FIXTURES = readdirSync(DIR).map(
  (f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as { api: string; key: number; frames: StoredFrame[] },
);

/** Versions no client or encoder available here sends: only the codec's own round trip covers them. */
const SELF_ONLY: Record<string, number[]> = {
  Produce: [12], // @platformatic/kafka stops at v11
  ListOffsets: [10], // @platformatic/kafka stops at v9
  Metadata: [13], // @platformatic/kafka stops at v12
  FindCoordinator: [3], // librdkafka 2.0.2 stops at v2, @platformatic/kafka starts at v4
  DescribeGroups: [6], // @platformatic/kafka stops at v5
  CreateTopics: [5], // librdkafka 2.0.2 stops at v4, @platformatic/kafka writes v7 only
  DeleteTopics: [4], // kafkajs stops at v1, @platformatic/kafka writes v6 only
  OffsetForLeaderEpoch: [0], // only @platformatic/kafka writes it, at v4
  IncrementalAlterConfigs: [0], // only @platformatic/kafka writes it, at v1
  DescribeCluster: [2], // @platformatic/kafka stops at v1
  ConsumerGroupDescribe: [1], // @platformatic/kafka writes v0 only
};

/**
 * Bytes some clients write after a request's last field, which Kafka's brokers (and the gateway)
 * ignore: librdkafka 2.0.2 ends ListGroups v3-4 with a second tag section, @platformatic/kafka
 * ends DescribeConfigs v2 with one though v2 is not flexible.
 */
const TRAILING: Record<string, number> = {
  "ListGroups v3 librdkafka": 1,
  "ListGroups v4 librdkafka": 1,
  "DescribeConfigs v2 @platformatic/kafka": 1,
};

function messages(key: number) {
  const served = BY_KEY.get(key);
  return served ?? KNOWN.get(key)!.messages;
}

/** Reads a request frame: the header's fields, then the body at its version. */
function readRequest(frame: Buffer, request: Schema) {
  const r = new Reader(frame);
  const key = r.int16();
  const version = r.int16();
  const correlationId = r.int32();
  const n = r.int16();
  const clientId = n < 0 ? null : r.raw(n).toString();
  if (version >= request.flexibleFrom) r.skipTags();
  const bodyAt = r.pos;
  return { key, version, correlationId, clientId, body: frame.subarray(bodyAt), value: decode(request, version, r), r };
}

/** Every string a decoded request holds: a misread length shows up as bytes that are not text. */
function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (v instanceof Uint8Array || v === null || typeof v !== "object") return [];
  return Object.values(v).flatMap(strings);
}

describe("recorded frames", () => {
  for (const { api, key, frames } of FIXTURES) {
    for (const f of frames) {
      it(`${api} v${f.version} from ${f.source.split(",")[0]} (${f.call}): request and answer re-encode byte for byte`, () => {
        const spec = messages(key);
        const frame = Buffer.from(f.request, "hex");
        const req = readRequest(frame, spec.request);
        expect([req.key, req.version]).toEqual([key, f.version]);
        const trailing = TRAILING[`${api} v${f.version} ${f.source.split(" ")[0]}`] ?? 0;
        expect(req.r.remaining).toBe(trailing);
        expect(Buffer.from(encode(spec.request, f.version, req.value).bytes())).toEqual(
          req.body.subarray(0, req.body.byteLength - trailing),
        );
        for (const s of strings(req.value)) expect(s).toMatch(/^[\P{C}]*$/u);

        if (f.response === null) return;
        const res = new Reader(Buffer.from(f.response, "hex"));
        expect(res.int32()).toBe(req.correlationId);
        // ApiVersions answers with header v0 whatever the request's version (KIP-511).
        if (f.version >= spec.request.flexibleFrom && key !== API.ApiVersions) res.skipTags();
        const at = res.pos;
        const body = decode(spec.response, f.version, res);
        expect(res.remaining).toBe(0);
        expect(Buffer.from(encode(spec.response, f.version, body).bytes())).toEqual(
          Buffer.from(f.response, "hex").subarray(at),
        );
      });
    }
  }
});

describe("the independent encoders' parsers read the gateway's recorded answers", () => {
  const parsers: Record<string, { parseResponse: (id: number, key: number, v: number, r: PReader) => unknown }> = {
    "ApiVersions 4": apiVersionsV4,
    "OffsetForLeaderEpoch 4": offsetForLeaderEpochV4,
    "DescribeCluster 0": describeClusterV0,
    "DescribeCluster 1": describeClusterV1,
    "ConsumerGroupDescribe 0": consumerGroupDescribeV0,
  };
  for (const [which, parser] of Object.entries(parsers)) {
    it(which, () => {
      const [api, v] = which.split(" ");
      const fixture = FIXTURES.find((x) => x.api === api)!;
      const frame = fixture.frames.find((f) => f.version === Number(v) && f.kind === "encoder")!;
      const res = Buffer.from(frame.response!, "hex");
      const r = new Reader(res);
      const correlationId = r.int32();
      if (fixture.key !== API.ApiVersions) r.skipTags();
      expect(() =>
        parser.parseResponse(correlationId, fixture.key, Number(v), PReader.from(res.subarray(r.pos))),
      ).not.toThrow();
    });
  }
});

describe("coverage", () => {
  it("every API has outside frames at its lowest, highest and first flexible version, but the listed ones", () => {
    const missing: Record<string, number[]> = {};
    for (const a of APIS) {
      const versions = new Set([a.min, a.max]);
      if (a.request.flexibleFrom >= a.min && a.request.flexibleFrom <= a.max) versions.add(a.request.flexibleFrom);
      const have = new Set(FIXTURES.find((x) => x.key === a.key)?.frames.map((f) => f.version) ?? []);
      const lacking = [...versions].filter((v) => !have.has(v)).sort((x, y) => x - y);
      if (lacking.length > 0) missing[a.name] = lacking;
    }
    expect(missing).toEqual(SELF_ONLY);
  });

  it("every recorded frame names its source and is a served or known API", () => {
    for (const { key, frames } of FIXTURES) {
      expect(BY_KEY.has(key) || KNOWN.has(key)).toBe(true);
      for (const f of frames) expect(f.source).toMatch(/^(kafkajs|librdkafka|@platformatic\/kafka) \d/);
    }
  });
});
