import { describe, expect, it } from "vitest";
import { CONTENT_TYPE_RECORD_BATCH, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES } from "../../src/protocol/constants.js";
import { ATTRIBUTES_AT, BATCH_HEADER_SIZE, CRC_AT, encodeBatch } from "../../src/protocol/record-batch.js";
import { crc32c } from "../../src/protocol/crc32c.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";

const enc = new TextEncoder();

async function totalHighWatermark(topic: string): Promise<number> {
  const d = await call("GET", `/v1/topics/${topic}`);
  return d.body.partitions.reduce((n: number, p: any) => n + p.high_watermark, 0);
}

function expectError(r: { status: number; body: any }, status: number, code: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(r.body.error.message.length).toBeGreaterThan(5);
  expect(typeof r.body.error.retriable).toBe("boolean");
}

describe("bad produce input writes nothing", () => {
  const cases: [string, unknown, number, string][] = [
    ["a body that is not an object", [1, 2], 400, "INVALID_REQUEST"],
    ["no records", { records: [] }, 400, "INVALID_REQUEST"],
    ["records of the wrong type", { records: "x" }, 400, "INVALID_REQUEST"],
    ["a key of the wrong type", { records: [{ key: 5, value: 1 }] }, 400, "INVALID_REQUEST"],
    ["both key and key_b64", { records: [{ key: "a", key_b64: "YQ==", value: 1 }] }, 400, "INVALID_RECORD"],
    ["bad key_b64", { records: [{ key_b64: "not base64!", value: 1 }] }, 400, "INVALID_RECORD"],
    ["a header value that is not a string", { records: [{ value: 1, headers: { h: 1 } }] }, 400, "INVALID_REQUEST"],
    ["a negative timestamp", { records: [{ value: 1, timestamp: -1 }] }, 400, "INVALID_REQUEST"],
    ["a negative partition", { records: [{ value: 1, partition: -1 }] }, 400, "INVALID_REQUEST"],
    ["an unknown format", { records: [{ value: 1 }], format: "xml" }, 400, "INVALID_REQUEST"],
    ["an unknown acks", { records: [{ value: 1 }], acks: 2 }, 400, "INVALID_REQUEST"],
    ["an unknown field", { records: [{ value: 1, colour: "red" }] }, 400, "INVALID_REQUEST"],
    [
      "a non-string value with format string",
      { records: [{ value: 1 }, { value: { a: 1 } }], format: "string" },
      400,
      "INVALID_RECORD",
    ],
    [
      "bad base64 with format binary",
      { records: [{ value: "AAAA" }, { value: "%%%" }], format: "binary" },
      400,
      "INVALID_RECORD",
    ],
    [
      "a partition the topic does not have",
      { records: [{ value: 1 }, { value: 2, partition: 7 }] },
      404,
      "UNKNOWN_TOPIC_OR_PARTITION",
    ],
  ];
  for (const [what, body, status, code] of cases) {
    it(`rejects ${what}: ${status} ${code}`, async () => {
      const topic = uniqueTopic();
      await createTopic(topic, 3);
      expectError(await call("POST", `/v1/topics/${topic}/records`, body), status, code);
      expect(await totalHighWatermark(topic)).toBe(0);
    });
  }

  it("rejects malformed JSON", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    expectError(await call("POST", `/v1/topics/${topic}/records`, '{"records": [{"value": 1}'), 400, "INVALID_REQUEST");
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  it("rejects a record over max.message.bytes with 413, writing none of the request's other records", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 3, { "max.message.bytes": 1024 });
    const r = await call("POST", `/v1/topics/${topic}/records`, {
      records: [
        { key: "a", value: "small" },
        { key: "b", value: "x".repeat(2000) },
        { key: "c", value: "small" },
      ],
    });
    expectError(r, 413, "MESSAGE_TOO_LARGE");
    expect(r.body.error.message).toMatch(/records\[1\]/);
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  it(`rejects more than ${MAX_RECORDS_PER_REQUEST} records in one request with 413`, async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const records = Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, () => ({ value: 1 }));
    expectError(await call("POST", `/v1/topics/${topic}/records`, { records }), 413, "RECORD_LIST_TOO_LARGE");
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  it("rejects a body over the request size bound with 413", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const huge = `{"records":[{"value":"${"x".repeat(MAX_REQUEST_BYTES)}"}]}`;
    expectError(await call("POST", `/v1/topics/${topic}/records`, huge), 413, "RECORD_LIST_TOO_LARGE");
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  it("rejects a non-integer partition in the path", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    expectError(
      await call("POST", `/v1/topics/${topic}/partitions/x/records`, { records: [{ value: 1 }] }),
      400,
      "INVALID_REQUEST",
    );
    expectError(
      await call("POST", `/v1/topics/${topic}/partitions/3/records`, { records: [{ value: 1 }] }),
      404,
      "UNKNOWN_TOPIC_OR_PARTITION",
    );
  });

  it("rejects producing to an unknown topic", async () => {
    expectError(
      await call("POST", "/v1/topics/never-made/records", { records: [{ value: 1 }] }),
      404,
      "UNKNOWN_TOPIC_OR_PARTITION",
    );
  });

  it("rejects raw batches on the topic route", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const batch = encodeBatch([{ key: null, value: enc.encode("1"), timestamp: 1 }]);
    expectError(
      await call("POST", `/v1/topics/${topic}/records`, batch, { "content-type": CONTENT_TYPE_RECORD_BATCH }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });
});

describe("bad binary batches write nothing", () => {
  const good = () =>
    encodeBatch([
      { key: enc.encode("k"), value: enc.encode("v"), timestamp: 1 },
      { key: null, value: enc.encode("w"), timestamp: 2 },
    ]);
  const post = async (topic: string, body: Uint8Array) =>
    call("POST", `/v1/topics/${topic}/partitions/0/records`, body, { "content-type": CONTENT_TYPE_RECORD_BATCH });

  const cases: [string, () => Uint8Array, number, string][] = [
    [
      "a bad CRC",
      () => {
        const b = good();
        b[b.length - 1]! ^= 0xff;
        return b;
      },
      400,
      "CORRUPT_MESSAGE",
    ],
    [
      "a flipped CRC field",
      () => {
        const b = good();
        b[17]! ^= 0x01;
        return b;
      },
      400,
      "CORRUPT_MESSAGE",
    ],
    [
      "magic 1",
      () => {
        const b = good();
        b[16] = 1;
        return b;
      },
      400,
      "INVALID_RECORD",
    ],
    ["a truncated batch", () => good().subarray(0, 40), 400, "CORRUPT_MESSAGE"],
    [
      "trailing garbage",
      () => {
        const b = good();
        const o = new Uint8Array(b.length + 3);
        o.set(b);
        return o;
      },
      400,
      "CORRUPT_MESSAGE",
    ],
    ["an empty body", () => new Uint8Array(0), 400, "CORRUPT_MESSAGE"],
  ];
  for (const [what, body, status, code] of cases) {
    it(`rejects ${what}: ${status} ${code}`, async () => {
      const topic = uniqueTopic();
      await createTopic(topic);
      expectError(await post(topic, body()), status, code);
      expect(await totalHighWatermark(topic)).toBe(0);
    });
  }

  it("rejects the whole request when a later batch is bad, keeping the good first one out too", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const a = good();
    const b = good();
    b[b.length - 2]! ^= 0x55;
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expectError(await post(topic, both), 400, "CORRUPT_MESSAGE");
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  it("rejects a batch over max.message.bytes with 413", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 1, { "max.message.bytes": 256 });
    const big = encodeBatch([{ key: null, value: new Uint8Array(400), timestamp: 1 }]);
    expectError(await post(topic, big), 413, "MESSAGE_TOO_LARGE");
    expect(await totalHighWatermark(topic)).toBe(0);
  });
});

describe("bad fetch input", () => {
  const queries: [string, string][] = [
    ["a negative offset", "offset=-1"],
    ["a fractional offset", "offset=1.5"],
    ["a missing offset", ""],
    ["a non-numeric offset", "offset=abc"],
    ["max_records of zero", "offset=0&max_records=0"],
    ["max_records over the cap", "offset=0&max_records=100000"],
    ["wait_ms over the cap", "offset=0&wait_ms=600000"],
    ["an unknown format", "offset=0&format=xml"],
  ];
  for (const [what, q] of queries) {
    it(`rejects ${what} with 400 INVALID_REQUEST`, async () => {
      const topic = uniqueTopic();
      await createTopic(topic);
      expectError(await call("GET", `/v1/topics/${topic}/partitions/0/records?${q}`), 400, "INVALID_REQUEST");
    });
  }

  it("rejects a malformed multi-partition fetch", async () => {
    expectError(
      await call("POST", "/v1/fetch", { partitions: [{ topic: "t", partition: 0, offset: -3 }] }),
      400,
      "INVALID_REQUEST",
    );
    expectError(await call("POST", "/v1/fetch", { partitions: [] }), 400, "INVALID_REQUEST");
  });

  it("answers unknown routes with a coded 404", async () => {
    expectError(await call("GET", "/v2/nothing"), 404, "ROUTE_NOT_FOUND");
  });

  it("does not know the benchmark's trace path unless EDGELOG_BENCH_TRACE is on", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    expectError(await call("GET", `/_bench/trace/${topic}/0`), 404, "ROUTE_NOT_FOUND");
  });
});

describe("text that is not well-formed UTF-8 is refused, never replaced", () => {
  const post = (topic: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    call("POST", `/v1/topics/${topic}/records`, body, { "content-type": "application/json", ...headers });

  async function fresh(): Promise<string> {
    const topic = uniqueTopic();
    await createTopic(topic, 3);
    return topic;
  }

  it("rejects a JSON body holding bytes that are not UTF-8 (FF C3 in a key)", async () => {
    const topic = await fresh();
    const body = Buffer.concat([
      Buffer.from('{"records":[{"key":"a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('","value":1}]}'),
    ]);
    const r = await post(topic, new Uint8Array(body));
    expectError(r, 400, "INVALID_REQUEST");
    expect(r.body.error.message).toMatch(/UTF-8/);
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  // JSON escapes can spell a lone surrogate, which UTF-8 cannot carry.
  const lone: [string, string, RegExp][] = [
    ["a key", '{"records":[{"key":"a\\ud800","value":1}]}', /records\[0\].*key/],
    ["a header name", '{"records":[{"value":1},{"value":2,"headers":{"h\\udc00":"v"}}]}', /records\[1\].*header/],
    ["a header value", '{"records":[{"value":1,"headers":{"h":"\\ud800"}}]}', /records\[0\].*header "h"/],
    ["a string value", '{"format":"string","records":[{"value":"x\\udfff"}]}', /records\[0\].*value/],
  ];
  for (const [what, body, names] of lone) {
    it(`rejects a lone surrogate in ${what}, naming the field`, async () => {
      const topic = await fresh();
      const r = await post(topic, body);
      expectError(r, 400, "INVALID_RECORD");
      expect(r.body.error.message).toMatch(names);
      expect(await totalHighWatermark(topic)).toBe(0);
    });
  }

  it("rejects a raw batch whose header key is not UTF-8", async () => {
    const topic = await fresh();
    const batch = encodeBatch([
      { key: null, value: enc.encode("v"), headers: [{ key: "ab", value: null }], timestamp: 1 },
    ]);
    const at = Buffer.from(batch).indexOf(Buffer.from("ab"), BATCH_HEADER_SIZE);
    batch.set([0xff, 0xc3], at);
    new DataView(batch.buffer).setUint32(CRC_AT, crc32c(batch, ATTRIBUTES_AT, batch.length));
    const r = await call("POST", `/v1/topics/${topic}/partitions/0/records`, batch, {
      "content-type": CONTENT_TYPE_RECORD_BATCH,
    });
    expectError(r, 400, "INVALID_RECORD");
    expect(r.body.error.message).toMatch(/header key/);
    expect(await totalHighWatermark(topic)).toBe(0);
  });

  it("still accepts surrogate pairs, and binary keys as bytes (key_b64 and raw batches)", async () => {
    const topic = await fresh();
    const ok = await post(topic, JSON.stringify({ records: [{ key: "k😀", value: "😀", headers: { "h😀": "😀" } }] }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const bin = await post(topic, JSON.stringify({ records: [{ key_b64: "/8M=", value: 1, partition: 0 }] }));
    expect(bin.status, JSON.stringify(bin.body)).toBe(200);
    const f = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=${bin.body.records[0].offset}`);
    expect(f.body.records[0].key_b64).toBe("/8M=");
  });
});
