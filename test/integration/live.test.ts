import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decodeRecords, readBatchHeader } from "../../src/protocol/record-batch.js";
import { LIVE_CLOSE } from "../../src/protocol/constants.js";
import { runInDurableObject } from "cloudflare:test";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";
import { partitionOf } from "../support/objects.js";
import { archivedKeys, settle } from "../support/archive.js";
import { endTxn, initTxn, txnProduce, uniqueTxnId } from "../support/transactions.js";

const recordsUrl = (topic: string, query: string) =>
  `http://edgelog.test/v1/topics/${topic}/partitions/0/records?${query}`;

/** Reads SSE events off a response body, one at a time. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return {
    async next(): Promise<{ event?: string; id?: string; data?: any; comment?: string }> {
      for (;;) {
        const end = buf.indexOf("\n\n");
        if (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev: { event?: string; id?: string; data?: any; comment?: string } = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) ev.comment = line.slice(1).trim();
            else if (line.startsWith("event: ")) ev.event = line.slice(7);
            else if (line.startsWith("id: ")) ev.id = line.slice(4);
            else if (line.startsWith("data: ")) ev.data = JSON.parse(line.slice(6));
          }
          return ev;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buf += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

async function openSocket(topic: string, query: string) {
  const res = await exports.default.fetch(new Request(recordsUrl(topic, query), { headers: { upgrade: "websocket" } }));
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: any[] = [];
  const waiters: (() => void)[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.addEventListener("message", (e) => {
    frames.push(
      typeof e.data !== "string"
        ? new Uint8Array(e.data as ArrayBuffer)
        : e.data === "pong"
          ? e.data
          : JSON.parse(e.data),
    );
    waiters.splice(0).forEach((w) => w());
  });
  ws.addEventListener("close", (e) => {
    closed = { code: e.code, reason: e.reason };
    waiters.splice(0).forEach((w) => w());
  });
  (ws as unknown as { binaryType: string }).binaryType = "arraybuffer";
  ws.accept();
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise<void>((r) => waiters.push(r));
  };
  return { ws, frames, until, closed: () => closed };
}

describe("live tail over SSE", () => {
  it("streams the backlog, then appends as they happen, with the next offset as event id", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ value: "a" }, { value: "b" }]);
    const res = await exports.default.fetch(new Request(recordsUrl(topic, "offset=0&live=sse")));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = sseReader(res);
    const first = await events.next();
    expect(first.event).toBe("records");
    expect(first.id).toBe("2");
    expect(first.data.records.map((r: any) => r.value)).toEqual(["a", "b"]);
    expect(first.data.next_offset).toBe(2);
    const pending = events.next();
    await produce(topic, [{ value: "c" }]);
    const second = await pending;
    expect(second.id).toBe("3");
    expect(second.data.records).toEqual([expect.objectContaining({ offset: 2, value: "c" })]);
    await events.cancel();
  });

  it("resumes from Last-Event-ID and renders the asked format", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ value: "x" }, { value: "y" }, { value: "z" }], { format: "string" });
    const res = await exports.default.fetch(
      new Request(recordsUrl(topic, "offset=0&live=sse&format=string"), {
        headers: { "last-event-id": "2" },
      }),
    );
    const events = sseReader(res);
    const ev = await events.next();
    expect(ev.data.records.map((r: any) => [r.offset, r.value])).toEqual([[2, "z"]]);
    await events.cancel();
  });

  it("refuses a Last-Event-ID that is not an event id with 400, instead of replaying from offset", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ value: "x" }], { format: "string" });
    for (const id of ["garbage", "-1", "1.5", "99999999999999999999"]) {
      const r = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&live=sse`, undefined, {
        "last-event-id": id,
      });
      expect(r.status, id).toBe(400);
      expect(r.body.error.code).toBe("INVALID_REQUEST");
      expect(r.body.error.message).toContain("Last-Event-ID");
    }
  });

  it("refuses an offset outside the log with 416 before streaming", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const r = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=5&live=sse`);
    expect(r.status).toBe(416);
    expect(r.body.error.code).toBe("OFFSET_OUT_OF_RANGE");
  });
});

describe("live tail over WebSocket", () => {
  it("streams JSON frames from the log and pushes new appends to an acknowledging subscriber", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ key: "k", value: { n: 1 } }]);
    const sub = await openSocket(topic, "offset=0");
    await sub.until(() => sub.frames.length === 1);
    expect(sub.frames[0]).toMatchObject({ next_offset: 1, records: [{ offset: 0, key: "k", value: { n: 1 } }] });
    sub.ws.send(JSON.stringify({ ack: 1 }));
    await produce(topic, [{ value: { n: 2 } }]);
    await sub.until(() => sub.frames.length === 2);
    expect(sub.frames[1].records).toEqual([expect.objectContaining({ offset: 1, value: { n: 2 } })]);
    sub.ws.close(1000, "done");
  });

  it("holds subscribers on the partition object's hibernatable sockets, cursor in the attachment", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ value: 1 }]);
    const sub = await openSocket(topic, "offset=0");
    await sub.until(() => sub.frames.length === 1);
    const held = await runInDurableObject(await partitionOf(topic, 0), (_o, state) =>
      state.getWebSockets().map((ws) => ws.deserializeAttachment()),
    );
    expect(held).toEqual([expect.objectContaining({ offset: 1, format: "json", raw: false, inflight: [1] })]);
    sub.ws.close(1000, "done");
  });

  it("answers ping with pong so clients can keep connections open", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const sub = await openSocket(topic, "offset=0");
    sub.ws.send("ping");
    await sub.until(() => sub.frames.length === 1);
    expect(sub.frames[0]).toBe("pong");
    sub.ws.close(1000, "done");
  });

  it("sends raw RecordBatch v2 frames when asked", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    await produce(topic, [{ value: "r1" }, { value: "r2" }], { format: "string" });
    const sub = await openSocket(topic, "offset=1&raw=true");
    await sub.until(() => sub.frames.length === 1);
    const decoded = decodeRecords(sub.frames[0]).map((r) => [r.offset, new TextDecoder().decode(r.value!)]);
    // Whole batches, as Kafka serves them: the client skips records below its offset.
    expect(decoded).toEqual([
      [0, "r1"],
      [1, "r2"],
    ]);
    sub.ws.close(1000, "done");
  });

  it("refuses an upgrade at an offset past the end with 416", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const res = await exports.default.fetch(
      new Request(recordsUrl(topic, "offset=9"), { headers: { upgrade: "websocket" } }),
    );
    expect(res.status).toBe(416);
    expect(((await res.json()) as any).error.code).toBe("OFFSET_OUT_OF_RANGE");
  });

  it("refuses an upgrade onto a missing archived segment as a fetch does: 503 KAFKA_STORAGE_ERROR with Retry-After", async () => {
    const topic = uniqueTopic();
    const t = await createTopic(topic, 1, { "retention.ms": -1, "segment.bytes": 1024 });
    for (let b = 0; b < 8; b++) {
      const batch = Array.from({ length: 5 }, (_, i) => ({ value: { b, i, pad: "x".repeat(40) }, partition: 0 }));
      expect((await produce(topic, batch)).status).toBe(200);
    }
    await settle(await partitionOf(topic, 0));
    const [first] = await archivedKeys(t.id);
    expect(first).toBeDefined();
    await env.ARCHIVE.delete(first!);

    const upgrade = await exports.default.fetch(
      new Request(recordsUrl(topic, "offset=0"), { headers: { upgrade: "websocket" } }),
    );
    const fetched = await exports.default.fetch(new Request(recordsUrl(topic, "offset=0")));
    for (const res of [upgrade, fetched]) {
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error).toMatchObject({ code: "KAFKA_STORAGE_ERROR", retriable: true });
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("closes subscribers with a clear reason when the topic is deleted", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const sub = await openSocket(topic, "offset=0");
    expect((await call("DELETE", `/v1/topics/${topic}`)).status).toBe(204);
    await sub.until(() => sub.closed() !== undefined);
    expect(sub.closed()).toEqual({ code: LIVE_CLOSE.GONE, reason: "topic deleted" });
  });
});

describe("live tails under read_committed", () => {
  it("SSE frames wait for the commit, never show an aborted transaction, and carry the LSO", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const aborted = await initTxn(uniqueTxnId());
    await txnProduce(aborted, topic, 0, ["gone"]);
    await endTxn(aborted, "abort");
    const t = await initTxn(uniqueTxnId());
    await txnProduce(t, topic, 0, ["kept"]);
    const res = await exports.default.fetch(
      new Request(recordsUrl(topic, "offset=0&live=sse&isolation=read_committed")),
    );
    const events = sseReader(res);
    // The first frame moves past the aborted transaction and its marker, and stops at the open one.
    const first = await events.next();
    expect(first.data).toMatchObject({ records: [], next_offset: 2, high_watermark: 3, last_stable_offset: 2 });
    const pending = events.next();
    await endTxn(t, "commit");
    const frame = await pending;
    expect(frame.data.records.map((r: any) => r.value)).toEqual(["kept"]);
    expect(frame.data).toMatchObject({ next_offset: 4, last_stable_offset: 4 });
    await events.cancel();
  });

  it("WebSocket frames do the same, and raw frames leave the aborted batches out", async () => {
    const topic = uniqueTopic();
    await createTopic(topic);
    const aborted = await initTxn(uniqueTxnId());
    await txnProduce(aborted, topic, 0, ["gone"]);
    await endTxn(aborted, "abort");
    await produce(topic, [{ value: "plain" }]);
    const json = await openSocket(topic, "offset=0&isolation=read_committed");
    await json.until(() => json.frames.length >= 1);
    expect(json.frames[0].records.map((r: any) => r.value)).toEqual(["plain"]);
    expect(json.frames[0].last_stable_offset).toBe(3);
    json.ws.close(1000, "done");
    const raw = await openSocket(topic, "offset=0&isolation=read_committed&raw=true");
    await raw.until(() => raw.frames.length >= 1);
    const kinds: string[] = [];
    for (let pos = 0; pos < raw.frames[0].length; ) {
      const h = readBatchHeader(raw.frames[0], pos);
      kinds.push(h.attributes & 0x20 ? "marker" : "data");
      pos += h.size;
    }
    expect(kinds).toEqual(["marker", "data"]);
    raw.ws.close(1000, "done");
  });
});
