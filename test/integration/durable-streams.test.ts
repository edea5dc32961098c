import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { STREAM_MAX_APPEND_BYTES } from "../../src/durable-streams/protocol.js";
import { call, uniqueTopic } from "../support/api.js";

const enc = new TextEncoder();

function expectError(r: { status: number; body: any }, status: number, code: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(r.body.error.message.length).toBeGreaterThan(10);
}

/** A stream request; 2xx stream replies carry the stream's own content type and often no body. */
async function send(method: string, name: string, body?: string | Uint8Array, type?: string) {
  const res = await exports.default.fetch(
    new Request(`http://edgelog.test/v1/stream/${name}`, {
      method,
      body,
      headers: type ? { "content-type": type } : {},
    }),
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: res.ok || text === "" ? text : JSON.parse(text) };
}

async function createStream(name: string, type = "text/plain", body?: string) {
  const r = await send("PUT", name, body, type);
  expect(r.status).toBe(201);
  return r.headers.get("Stream-Next-Offset")!;
}

/** HEAD has no body to parse, so it bypasses call(). */
async function head(name: string): Promise<Response> {
  return exports.default.fetch(new Request(`http://edgelog.test/v1/stream/${name}`, { method: "HEAD" }));
}

async function append(name: string, body: string | Uint8Array, type = "text/plain") {
  return send("POST", name, body, type);
}

describe("a stream is an edgelog topic", () => {
  it("serves a stream's appends as the records of topic stream.<name>, one record per JSON value", async () => {
    const name = uniqueTopic("s");
    await createStream(name, "application/json");
    expect((await append(name, JSON.stringify([{ a: 1 }, "two"]), "application/json")).status).toBe(204);
    expect((await append(name, "3", "application/json")).status).toBe(204);
    const topic = await call("GET", `/v1/topics/stream.${name}`);
    expect(topic.body).toMatchObject({ name: `stream.${name}`, partition_count: 1 });
    const r = await call("GET", `/v1/topics/stream.${name}/partitions/0/records?offset=0`);
    expect(r.body.records.map((x: any) => [x.offset, x.value])).toEqual([
      [0, { a: 1 }],
      [1, "two"],
      [2, 3],
    ]);
    // The stream's offset token carries the record offset after the last message.
    expect((await head(name)).headers.get("Stream-Next-Offset")).toMatch(/^0000000000000003_/);
  });

  it("keeps stream topics out of the topic API's write paths", async () => {
    const name = uniqueTopic("s");
    await createStream(name);
    expectError(
      await call("POST", `/v1/topics/stream.${name}/records`, { records: [{ value: 1 }] }),
      400,
      "POLICY_VIOLATION",
    );
    expectError(await call("POST", "/v1/topics", { name: `stream.${uniqueTopic()}` }), 400, "POLICY_VIOLATION");
  });

  it("removes the topic when the stream is deleted", async () => {
    const name = uniqueTopic("s");
    await createStream(name, "text/plain", "x");
    expect((await send("DELETE", name)).status).toBe(204);
    expect((await call("GET", `/v1/topics/stream.${name}`)).status).toBe(404);
    expect((await head(name)).status).toBe(404);
  });
});

describe("bad stream input gets a clear 4xx and writes nothing", () => {
  for (const [what, path] of [
    ["a nested path", "a/b"],
    ["a name over 242 characters", "x".repeat(243)],
    ["a character topics cannot hold", "a%20b"],
    ["a colon", "a:b"],
  ] as const) {
    it(`rejects a stream path that cannot be a topic name: ${what}`, async () => {
      const r = await send("PUT", path, "x", "text/plain");
      expectError(r, 400, "INVALID_TOPIC_EXCEPTION");
      expect(r.body.error.message).toContain("stream.");
      expect(r.headers.get("X-Content-Type-Options")).toBe("nosniff");
    });
  }

  it("refuses an oversized append with 413 and leaves the stream as it was", async () => {
    const name = uniqueTopic("s");
    const tail = await createStream(name, "application/octet-stream", "a");
    const r = await append(name, new Uint8Array(STREAM_MAX_APPEND_BYTES + 1), "application/octet-stream");
    expectError(r, 413, "MESSAGE_TOO_LARGE");
    expect(r.body.error.message).toContain(String(STREAM_MAX_APPEND_BYTES));
    expect((await head(name)).headers.get("Stream-Next-Offset")).toBe(tail);
  });

  it("refuses a JSON append whose encoding passes the topic's max.message.bytes, writing nothing", async () => {
    const name = uniqueTopic("s");
    const tail = await createStream(name, "application/json");
    // Under the body bound, but one record per value makes the batch too large.
    const body = `[${Array.from({ length: 300_000 }, () => "1").join(",")}]`;
    expect(enc.encode(body).byteLength).toBeLessThan(STREAM_MAX_APPEND_BYTES);
    expectError(await append(name, body, "application/json"), 413, "MESSAGE_TOO_LARGE");
    expect((await head(name)).headers.get("Stream-Next-Offset")).toBe(tail);
  });

  it("does not create a stream whose initial body is too large", async () => {
    const name = uniqueTopic("s");
    const r = await send("PUT", name, new Uint8Array(STREAM_MAX_APPEND_BYTES + 1), "application/octet-stream");
    expectError(r, 413, "MESSAGE_TOO_LARGE");
    expect((await head(name)).status).toBe(404);
  });

  it("rejects offset tokens that were tampered with, point past the tail, or come from another stream", async () => {
    const name = uniqueTopic("s");
    const start = await createStream(name, "text/plain", "hello");
    const tail = (await append(name, "world")).headers.get("Stream-Next-Offset")!;
    expect((await send("GET", `${name}?offset=${start}`)).body).toBe("world");

    const [offset, bytes] = start.split("_") as [string, string];
    const other = uniqueTopic("s");
    await createStream(other, "text/plain", "a much longer first message");
    const foreign = (await head(other)).headers.get("Stream-Next-Offset")!;
    for (const token of [
      `${offset}_${String(Number(bytes) + 1).padStart(16, "0")}`, // byte position altered
      `${String(Number(offset) + 5).padStart(16, "0")}_${bytes}`, // past the tail
      foreign, // a real token of another stream
      "9999999999999999_9999999999999999",
    ]) {
      expectError(await send("GET", `${name}?offset=${token}`), 400, "INVALID_OFFSET");
    }
    for (const token of ["abc", "1_2_3", "-2", "0x10_0"]) {
      expectError(await send("GET", `${name}?offset=${encodeURIComponent(token)}`), 400, "INVALID_OFFSET");
    }
    expect((await send("GET", `${name}?offset=${tail}`)).status).toBe(200);
  });
});
