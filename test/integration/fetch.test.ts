import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { parkedPolls } from "../support/objects.js";

async function filled(n: number, partitions = 1) {
  const topic = uniqueTopic();
  await createTopic(topic, partitions);
  const r = await produce(
    topic,
    Array.from({ length: n }, (_, i) => ({ value: i, partition: 0, timestamp: 1_000_000 + i * 10 })),
  );
  expect(r.status).toBe(200);
  return topic;
}

describe("fetch", () => {
  it("honours max_records and never returns records below the offset", async () => {
    const topic = await filled(50);
    const r = await fetchRecords(topic, 0, 7, "&max_records=5");
    expect(r.body.records.map((x: any) => x.offset)).toEqual([7, 8, 9, 10, 11]);
    expect(r.body.next_offset).toBe(12);
    const all: number[] = [];
    let next = 0;
    while (next < 50) {
      const page = await fetchRecords(topic, 0, next, "&max_records=9");
      all.push(...page.body.records.map((x: any) => x.value));
      next = page.body.next_offset;
    }
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("honours max_bytes but always returns at least one batch", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    for (let i = 0; i < 5; i++) await produce(topic, [{ value: "y".repeat(1000) }]);
    const r = await fetchRecords(topic, 0, 0, "&max_bytes=1");
    expect(r.body.records).toHaveLength(1);
    const r2 = await fetchRecords(topic, 0, 0, "&max_bytes=2500");
    expect(r2.body.records.length).toBeGreaterThanOrEqual(2);
    expect(r2.body.records.length).toBeLessThan(5);
  });

  it("returns an empty page at the end of the log", async () => {
    const topic = await filled(3);
    const r = await fetchRecords(topic, 0, 3);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      records: [],
      next_offset: 3,
      high_watermark: 3,
      log_start_offset: 0,
      last_stable_offset: 3,
    });
  });

  it("answers 416 OFFSET_OUT_OF_RANGE past the end, with the log bounds beside the error", async () => {
    const topic = await filled(3);
    const r = await fetchRecords(topic, 0, 4);
    expect(r.status).toBe(416);
    expect(r.body.error.code).toBe("OFFSET_OUT_OF_RANGE");
    expect(r.body.log_start_offset).toBe(0);
    expect(r.body.high_watermark).toBe(3);
  });

  it("long-poll wakes when a record is appended", async () => {
    const topic = await filled(1);
    const waiting = fetchRecords(topic, 0, 1, "&wait_ms=10000");
    // The append is sent only once the poll is parked, so the wake-up (not a first read) must deliver it.
    await parkedPolls(topic, 0);
    await produce(topic, [{ value: "wake", partition: 0 }]);
    // A poll that runs out its wait answers an empty page: the record shows the append woke it.
    const r = await waiting;
    expect(r.body.records.map((x: any) => x.value)).toEqual(["wake"]);
  });

  it("long-poll returns an empty page when wait_ms passes", async () => {
    const topic = await filled(1);
    const started = Date.now();
    const r = await fetchRecords(topic, 0, 1, "&wait_ms=300");
    expect(r.body.records).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("POST /v1/fetch reads many partitions and returns as soon as one has data", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 3);
    await produce(topic, [
      { value: "a", partition: 0 },
      { value: "b", partition: 1 },
    ]);
    const now = await call("POST", "/v1/fetch", {
      partitions: [0, 1, 2].map((p) => ({ topic, partition: p, offset: 0 })),
    });
    expect(now.status).toBe(200);
    expect(now.body.partitions.map((p: any) => p.records.map((r: any) => r.value))).toEqual([["a"], ["b"], []]);
    expect(now.body.partitions[2]).toMatchObject({ topic, partition: 2, next_offset: 0, high_watermark: 0 });

    const waiting = call("POST", "/v1/fetch", {
      partitions: [
        { topic, partition: 0, offset: 1 },
        { topic, partition: 1, offset: 1 },
        { topic, partition: 2, offset: 0 },
      ],
      wait_ms: 10000,
    });
    await parkedPolls(topic, 2);
    await produce(topic, [{ value: "c", partition: 2 }]);
    // As above: partition 2's record (not an empty page after wait_ms) shows the append woke the fetch.
    const r = await waiting;
    expect(r.body.partitions[2].records.map((x: any) => x.value)).toEqual(["c"]);
    expect(r.body.partitions[0].records).toEqual([]);
  });

  it("POST /v1/fetch reports per-partition errors beside good partitions", async () => {
    const topic = await filled(2);
    const r = await call("POST", "/v1/fetch", {
      partitions: [
        { topic, partition: 0, offset: 0 },
        { topic, partition: 0, offset: 99 },
        { topic: "missing-topic", partition: 0, offset: 0 },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.partitions[0].records).toHaveLength(2);
    expect(r.body.partitions[1]).toMatchObject({ error: { code: "OFFSET_OUT_OF_RANGE" }, high_watermark: 2 });
    expect(r.body.partitions[2].error.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
  });
});

describe("POST /v1/fetch binary reply", () => {
  const accept = { accept: "application/vnd.edgelog.multi-fetch" };

  /** The framing as docs/http-api.md states it, read independently of the server's encoder. */
  function parseFrame(body: Uint8Array) {
    const n = new DataView(body.buffer, body.byteOffset).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(body.subarray(4, 4 + n)));
    let at = 4 + n;
    const bytes = header.partitions.map((p: any) => {
      if (p.batches_bytes === undefined) return undefined;
      const b = body.subarray(at, at + p.batches_bytes);
      at += p.batches_bytes;
      return b;
    });
    expect(at).toBe(body.length);
    return { partitions: header.partitions, bytes };
  }

  it("carries each partition's raw batches after a JSON header: the single-partition raw route's bytes", async () => {
    const topic = uniqueTopic();
    await createTopic(topic, 2);
    await produce(topic, [
      { value: "a", partition: 0 },
      { value: "b", partition: 1 },
    ]);
    await produce(topic, [{ value: "c", partition: 1 }]);
    const r = await call(
      "POST",
      "/v1/fetch",
      {
        format: "batches",
        partitions: [
          { topic, partition: 0, offset: 0 },
          { topic, partition: 1, offset: 0 },
          { topic: "missing-topic", partition: 0, offset: 0 },
        ],
      },
      accept,
    );
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/vnd.edgelog.multi-fetch");
    const { partitions, bytes } = parseFrame(r.body);
    for (const p of [0, 1]) {
      const single = await call("GET", `/v1/topics/${topic}/partitions/${p}/records?offset=0`, undefined, {
        accept: "application/vnd.edgelog.record-batch",
      });
      expect(Buffer.from(bytes[p]).equals(Buffer.from(single.body))).toBe(true);
    }
    expect(partitions[1]).toMatchObject({
      topic,
      partition: 1,
      next_offset: 2,
      high_watermark: 2,
      log_start_offset: 0,
    });
    expect(partitions[2].error.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
    expect(bytes[2]).toBeUndefined();
  });

  it("is only for format batches: other formats are refused with INVALID_REQUEST", async () => {
    const r = await call("POST", "/v1/fetch", { partitions: [{ topic: "t", partition: 0, offset: 0 }] }, accept);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_REQUEST");
    expect(r.body.error.message).toContain('"format":"batches"');
  });
});

describe("offsets", () => {
  it("looks up earliest, latest and by timestamp", async () => {
    const topic = await filled(20);
    const at = async (q: string) => (await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=${q}`)).body;
    expect(await at("earliest")).toEqual({ offset: 0, timestamp: -1 });
    expect(await at("latest")).toEqual({ offset: 20, timestamp: -1 });
    expect(await at("0")).toEqual({ offset: 0, timestamp: 1_000_000 });
    expect(await at("1000055")).toEqual({ offset: 6, timestamp: 1_000_060 });
    expect(await at("1000060")).toEqual({ offset: 6, timestamp: 1_000_060 });
    expect(await at("9999999")).toEqual({ offset: 20, timestamp: -1 });
  });

  it("finds the first offset at or after a time even when timestamps go backwards", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ value: 0, timestamp: 100 }]);
    await produce(topic, [{ value: 1, timestamp: 500 }]);
    await produce(topic, [{ value: 2, timestamp: 300 }]);
    await produce(topic, [{ value: 3, timestamp: 700 }]);
    const r = await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=250`);
    expect(r.body).toEqual({ offset: 1, timestamp: 500 });
    const r2 = await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=600`);
    expect(r2.body).toEqual({ offset: 3, timestamp: 700 });
  });

  it("rejects a malformed at", async () => {
    const topic = await filled(1);
    const r = await call("GET", `/v1/topics/${topic}/partitions/0/offsets?at=yesterday`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_REQUEST");
  });

  it("POST /v1/fetch with format batches returns the stored batches byte for byte, with offsets beside them", async () => {
    const topic = await filled(3);
    await produce(topic, [{ value: "late", partition: 0 }]);
    const single = await exports.default.fetch(
      new Request(`http://edgelog.test/v1/topics/${topic}/partitions/0/records?offset=1`, {
        headers: { accept: "application/vnd.edgelog.record-batch" },
      }),
    );
    const raw = new Uint8Array(await single.arrayBuffer());
    const r = await call("POST", "/v1/fetch", { partitions: [{ topic, partition: 0, offset: 1 }], format: "batches" });
    expect(r.status).toBe(200);
    const p = r.body.partitions[0];
    expect(p.records).toBeUndefined();
    expect(Uint8Array.from(atob(p.batches_b64), (ch) => ch.charCodeAt(0))).toEqual(raw);
    expect(p).toMatchObject({ next_offset: 4, high_watermark: 4, log_start_offset: 0 });
    const out = await call("POST", "/v1/fetch", {
      partitions: [{ topic, partition: 0, offset: 9 }],
      format: "batches",
    });
    expect(out.body.partitions[0].error.code).toBe("OFFSET_OUT_OF_RANGE");
    expect(out.body.partitions[0].high_watermark).toBe(4);
  });
});
