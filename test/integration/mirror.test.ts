// Mirrors: the API's validation, a copy that keeps every record's partition, key, headers and
// timestamp, and the target partition's atomic progress check. The "other deployment" is this
// worker reached over HTTP (vitest.config.ts routes outbound fetches back to it).

import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { topicRef, type Topic } from "../../src/protocol/topic.js";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";
import { mirrorObject } from "../../src/objects.js";

const SOURCE = "http://source.test";
const T0 = 1_700_000_000_000;

async function allRecords(topic: string, partition: number) {
  const out = [];
  for (let offset = 0; ; ) {
    const r = await fetchRecords(topic, partition, offset, "&max_records=1000");
    expect(r.status, `${topic}/${partition}@${offset}: ${JSON.stringify(r.body)}`).toBe(200);
    out.push(...r.body.records.map(({ offset: _, ...rest }: { offset: number }) => rest));
    if (r.body.next_offset >= r.body.high_watermark) return out;
    offset = r.body.next_offset;
  }
}

/** Polls the mirror until it has copied everything the source holds now (deadline 10 s). */
async function caughtUp(name: string, source: string) {
  const hws = (await call("GET", `/v1/topics/${source}`)).body.partitions.map(
    (p: { high_watermark: number }) => p.high_watermark,
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = await call("GET", `/v1/mirrors/${name}`);
    expect(m.status).toBe(200);
    const done =
      m.body.partitions.length === hws.length &&
      m.body.partitions.every(
        (p: { source_high_watermark: number | null; lag: number | null }, i: number) =>
          p.source_high_watermark === hws[i] && p.lag === 0,
      );
    if (done) return m.body;
    if (Date.now() > deadline) throw new Error(`mirror ${name} did not catch up: ${JSON.stringify(m.body)}`);
    await scheduler.wait(20);
  }
}

function keyed(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    key: `user-${(from + i) % 23}`,
    value: { n: from + i },
    headers: { trace: `t${from + i}`, empty: null },
    timestamp: T0 + (from + i) * 1000,
  }));
}

async function createMirror(body: Record<string, unknown>) {
  return call("POST", "/v1/mirrors", body);
}

describe("a mirror", () => {
  it("copies every partition with keys, values, headers, timestamps and order intact, and keeps copying", async () => {
    const src = uniqueTopic("src");
    const name = uniqueTopic("m");
    await createTopic(src, 3);
    expect((await produce(src, keyed(40))).status).toBe(200);

    const created = await createMirror({
      name,
      source: { url: SOURCE, topic: src, token: "s3cret-token" },
      topic: `${src}.copy`,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name, source: { url: SOURCE, topic: src }, topic: `${src}.copy` });
    expect(JSON.stringify(created.body)).not.toContain("s3cret-token");
    // The missing local topic was created like the source, as MirrorMaker does.
    expect((await call("GET", `/v1/topics/${src}.copy`)).body.partition_count).toBe(3);

    const status = await caughtUp(name, src);
    expect(status.lag).toBe(0);
    expect(JSON.stringify(status)).not.toContain("s3cret-token");
    for (let p = 0; p < 3; p++) expect(await allRecords(`${src}.copy`, p)).toEqual(await allRecords(src, p));

    expect((await produce(src, keyed(25, 40))).status).toBe(200);
    await caughtUp(name, src);
    let total = 0;
    for (let p = 0; p < 3; p++) {
      const copy = await allRecords(`${src}.copy`, p);
      expect(copy).toEqual(await allRecords(src, p));
      total += copy.length;
    }
    expect(total).toBe(65);
    const listed = await call("GET", "/v1/mirrors");
    expect(listed.body.mirrors.map((m: { name: string }) => m.name)).toContain(name);
  });

  it("follows partitions added to the source: the local topic grows and they are copied from their start", async () => {
    const src = uniqueTopic("src-grow");
    const name = uniqueTopic("m");
    // Kept forever: growing the topic runs each partition's maintenance, and these timestamps are from 2023.
    await createTopic(src, 2, { "retention.ms": -1 });
    expect((await produce(src, keyed(10))).status).toBe(200);
    expect((await createMirror({ name, source: { url: SOURCE, topic: src }, topic: `${src}.copy` })).status).toBe(201);
    await caughtUp(name, src);
    expect((await call("PATCH", `/v1/topics/${src}`, { partitions: 3 })).status).toBe(200);
    expect(
      (
        await produce(
          src,
          keyed(5, 10).map((r) => ({ ...r, partition: 2 })),
        )
      ).status,
    ).toBe(200);
    const status = await caughtUp(name, src);
    expect(status.partitions).toHaveLength(3);
    expect((await call("GET", `/v1/topics/${src}.copy`)).body.partition_count).toBe(3);
    for (let p = 0; p < 3; p++) expect(await allRecords(`${src}.copy`, p)).toEqual(await allRecords(src, p));
    expect(await allRecords(`${src}.copy`, 2)).toHaveLength(5);
  });

  it("stops when deleted, keeping what it copied, and frees its name", async () => {
    const src = uniqueTopic("src");
    const name = uniqueTopic("m");
    await createTopic(src, 1);
    await produce(src, keyed(5));
    expect((await createMirror({ name, source: { url: SOURCE, topic: src }, topic: `${src}.copy` })).status).toBe(201);
    await caughtUp(name, src);

    expect((await call("DELETE", `/v1/mirrors/${name}`)).status).toBe(204);
    expect((await call("GET", `/v1/mirrors/${name}`)).body.error.code).toBe("MIRROR_NOT_FOUND");
    expect((await call("DELETE", `/v1/mirrors/${name}`)).status).toBe(404);
    // Nothing is scheduled any more, so later source records are not copied.
    expect(await runDurableObjectAlarm(mirrorObject(env, name))).toBe(false);
    await produce(src, keyed(3, 5));
    expect(await allRecords(`${src}.copy`, 0)).toEqual((await allRecords(src, 0)).slice(0, 5));

    // A new mirror of that name is a new mirror: it copies into its own topic from the start.
    expect((await createMirror({ name, source: { url: SOURCE, topic: src }, topic: `${src}.again` })).status).toBe(201);
    await caughtUp(name, src);
    expect(await allRecords(`${src}.again`, 0)).toEqual(await allRecords(src, 0));
  });
});

describe("creating a mirror refuses bad input with a 4xx and creates nothing", () => {
  const refusals: [string, (src: string) => Record<string, unknown>, number, string][] = [
    ["a URL that is not one", (src) => ({ source: { url: "not a url", topic: src } }), 400, "INVALID_CONFIG"],
    ["a non-HTTP URL", (src) => ({ source: { url: "ftp://source.test", topic: src } }), 400, "INVALID_CONFIG"],
    [
      "credentials in the URL",
      (src) => ({ source: { url: "http://u:p@source.test", topic: src } }),
      400,
      "INVALID_CONFIG",
    ],
    [
      "a source topic that does not exist",
      () => ({ source: { url: SOURCE, topic: "no-such-topic" } }),
      404,
      "UNKNOWN_TOPIC_OR_PARTITION",
    ],
    [
      "a URL where no edgelog answers",
      (src) => ({ source: { url: `${SOURCE}/elsewhere`, topic: src } }),
      400,
      "INVALID_CONFIG",
    ],
    [
      "an invalid mirror name",
      (src) => ({ name: "bad name", source: { url: SOURCE, topic: src } }),
      400,
      "INVALID_REQUEST",
    ],
    ["an unknown field", (src) => ({ source: { url: SOURCE, topic: src }, extra: 1 }), 400, "INVALID_REQUEST"],
    [
      "an invalid local topic name",
      (src) => ({ source: { url: SOURCE, topic: src }, topic: "a/b" }),
      400,
      "INVALID_TOPIC_EXCEPTION",
    ],
    ["the source topic as its own target", (src) => ({ source: { url: SOURCE, topic: src } }), 400, "POLICY_VIOLATION"],
  ];

  it.each(refusals)("%s", async (_what, body, status, code) => {
    const src = uniqueTopic("src");
    await createTopic(src, 2);
    const name = uniqueTopic("m");
    const r = await createMirror({ name, ...body(src) });
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect((await call("GET", `/v1/mirrors/${name}`)).status).toBe(404);
  });

  it("a local topic with fewer partitions than the source", async () => {
    const src = uniqueTopic("src");
    await createTopic(src, 3);
    await createTopic(`${src}.small`, 2);
    const r = await createMirror({
      name: uniqueTopic("m"),
      source: { url: SOURCE, topic: src },
      topic: `${src}.small`,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_PARTITIONS");
  });

  it("a local topic that would replace the source's timestamps (LogAppendTime)", async () => {
    const src = uniqueTopic("src");
    await createTopic(src, 1);
    await createTopic(`${src}.lat`, 1, { "message.timestamp.type": "LogAppendTime" });
    const r = await createMirror({ name: uniqueTopic("m"), source: { url: SOURCE, topic: src }, topic: `${src}.lat` });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_CONFIG");
  });

  it("a name already taken (409)", async () => {
    const src = uniqueTopic("src");
    await createTopic(src, 1);
    const name = uniqueTopic("m");
    expect((await createMirror({ name, source: { url: SOURCE, topic: src }, topic: `${src}.a` })).status).toBe(201);
    const again = await createMirror({ name, source: { url: SOURCE, topic: src }, topic: `${src}.b` });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("MIRROR_ALREADY_EXISTS");
    expect((await call("GET", `/v1/topics/${src}.b`)).status).toBe(404);
    expect((await call("GET", `/v1/mirrors/${name}`)).body.topic).toBe(`${src}.a`);
  });

  it("answers 404 MIRROR_NOT_FOUND for an unknown mirror", async () => {
    const r = await call("GET", "/v1/mirrors/nobody");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("MIRROR_NOT_FOUND");
  });
});

describe("a partition's mirrored append", () => {
  const batch = (n: number, from = 0) =>
    encodeBatch(
      Array.from({ length: n }, (_, i) => ({
        key: new TextEncoder().encode(`k${from + i}`),
        value: new TextEncoder().encode(`v${from + i}`),
        timestamp: T0 + from + i,
      })),
    );

  async function target() {
    const name = uniqueTopic("target");
    const topic = (await createTopic(name, 1)) as Topic;
    return { name, stub: await partitionOf(name, 0), ref: topicRef(topic, 0) };
  }

  it("appends and stores the progress only when the stored progress is where the slice starts", async () => {
    const { name, stub, ref } = await target();
    expect(await stub.mirrorProgress(ref, "m1")).toEqual({ ok: true, value: null });
    // A mirror's first slice starts wherever the source's log starts.
    const first = await stub.appendMirrored(ref, batch(3), { mirror: "m1", from: 5, next: 8 });
    expect(first.ok && first.value.progress).toBe(8);
    expect(await stub.mirrorProgress(ref, "m1")).toEqual({ ok: true, value: 8 });

    for (const from of [5, 9]) {
      const r = await stub.appendMirrored(ref, batch(3), { mirror: "m1", from, next: from + 3 });
      expect(r).toMatchObject({ ok: false, error: { code: "MIRROR_OFFSET_MISMATCH", extra: { mirror_offset: 8 } } });
    }
    expect((await fetchRecords(name, 0, 0)).body.high_watermark).toBe(3);

    // An empty slice moves only the progress (records the source's retention removed).
    const skip = await stub.appendMirrored(ref, new Uint8Array(0), { mirror: "m1", from: 8, next: 12 });
    expect(skip.ok && skip.value).toEqual({ progress: 12, batches: [] });
    // Each mirror has its own progress.
    expect(await stub.mirrorProgress(ref, "m2")).toEqual({ ok: true, value: null });
  });

  it("writes neither records nor progress when the batches are refused", async () => {
    const { name, stub, ref } = await target();
    expect((await stub.appendMirrored(ref, batch(2), { mirror: "m", from: 0, next: 2 })).ok).toBe(true);
    const corrupt = batch(2, 2);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const r = await stub.appendMirrored(ref, corrupt, { mirror: "m", from: 2, next: 4 });
    expect(r).toMatchObject({ ok: false, error: { code: "CORRUPT_MESSAGE" } });
    expect(await stub.mirrorProgress(ref, "m")).toEqual({ ok: true, value: 2 });
    expect((await fetchRecords(name, 0, 0)).body.high_watermark).toBe(2);
    const ok = await stub.appendMirrored(ref, batch(2, 2), { mirror: "m", from: 2, next: 4 });
    expect(ok.ok && ok.value.batches.map((b) => b.baseOffset)).toEqual([2]);
  });

  it("relies on SQLite-backed kv rolling back with the transaction it was written in", async () => {
    const { stub } = await target();
    await runInDurableObject(stub, (_o, state) => {
      expect(() =>
        state.storage.transactionSync(() => {
          state.storage.kv.put("probe", 1);
          throw new Error("abort");
        }),
      ).toThrow("abort");
      expect(state.storage.kv.get("probe")).toBeUndefined();
    });
  });
});
