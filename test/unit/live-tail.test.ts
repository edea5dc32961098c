import { describe, expect, it } from "vitest";
import { LiveTail, type LiveRead } from "../../src/partition/live.js";
import { LIVE_CLOSE, LIVE_STALL_MS, LIVE_WINDOW_FRAMES } from "../../src/protocol/constants.js";
import { encodeBatch } from "../../src/protocol/record-batch.js";
import { setBaseOffset } from "../../src/protocol/record-batch.js";

/** A log of one-record batches, offsets 0..n-1, read one batch per chunk. */
class FakeLog {
  batches: Uint8Array[] = [];
  append(n: number) {
    for (let i = 0; i < n; i++) {
      const b = encodeBatch([
        { key: null, value: new TextEncoder().encode(JSON.stringify(this.batches.length)), timestamp: 1 },
      ]);
      setBaseOffset(b, this.batches.length);
      this.batches.push(b);
    }
  }
  read = (offset: number): LiveRead => ({
    batches: this.batches.slice(offset, offset + 1),
    highWatermark: this.batches.length,
    lastStableOffset: this.batches.length,
  });
}

class FakeSocket {
  sent: any[] = [];
  closed?: { code: number; reason: string };
  #att: unknown = null;
  serializeAttachment(a: unknown) {
    this.#att = structuredClone(a);
  }
  deserializeAttachment() {
    return structuredClone(this.#att);
  }
  send(data: string | Uint8Array) {
    if (this.closed) throw new Error("closed");
    this.sent.push(typeof data === "string" ? JSON.parse(data) : data);
  }
  close(code: number, reason: string) {
    this.closed ??= { code, reason };
  }
  ack(tail: LiveTail, next: number) {
    tail.onMessage(this as unknown as WebSocket, JSON.stringify({ ack: next }));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 5));
async function until(cond: () => boolean) {
  while (!cond()) await settle();
}

function setup(now = () => 0) {
  const log = new FakeLog();
  const sockets: FakeSocket[] = [];
  const tail = new LiveTail(
    () => sockets as unknown as WebSocket[],
    (offset) => log.read(offset),
    now,
  );
  const subscribe = (offset: number) => {
    const ws = new FakeSocket();
    sockets.push(ws);
    tail.start(ws as unknown as WebSocket, LiveTail.subscriber(offset, "json", false));
    return ws;
  };
  return { log, tail, subscribe };
}

describe("live tail", () => {
  it("reads the log once per append for a caught-up subscriber, with no re-read after the frame", async () => {
    const { log, tail, subscribe } = setup();
    let reads = 0;
    const read = log.read;
    log.read = (offset: number) => (reads++, read(offset));
    const ws = subscribe(0);
    await settle();
    for (let n = 1; n <= 3; n++) {
      log.append(1);
      reads = 0;
      tail.onAppend();
      await until(() => ws.sent.length === n);
      await settle();
      // The frame reached the high watermark it was read at: nothing is left to look for.
      expect(reads).toBe(1);
    }
  });

  it("sends at most a window of unacknowledged frames, then resumes from the log on ack", async () => {
    const { log, tail, subscribe } = setup();
    log.append(LIVE_WINDOW_FRAMES * 3);
    const ws = subscribe(0);
    await until(() => ws.sent.length === LIVE_WINDOW_FRAMES);
    await settle();
    expect(ws.sent).toHaveLength(LIVE_WINDOW_FRAMES);
    while (ws.sent.length < LIVE_WINDOW_FRAMES * 3) {
      ws.ack(tail, ws.sent.at(-1).next_offset);
      const before = ws.sent.length;
      await until(() => ws.sent.length > before);
    }
    expect(ws.sent.flatMap((f) => f.records.map((r: any) => r.value))).toEqual(
      Array.from({ length: LIVE_WINDOW_FRAMES * 3 }, (_, i) => i),
    );
  });

  it("pushes appends to caught-up subscribers while a lagging one is still catching up", async () => {
    const { log, tail, subscribe } = setup();
    log.append(LIVE_WINDOW_FRAMES);
    const behind = subscribe(0);
    const current = subscribe(LIVE_WINDOW_FRAMES);
    log.append(1);
    tail.onAppend();
    await until(() => current.sent.length === 1);
    expect(current.sent[0].records[0].offset).toBe(LIVE_WINDOW_FRAMES);
    expect(behind.sent.length).toBeLessThan(LIVE_WINDOW_FRAMES + 1);
    await until(() => behind.sent.length === LIVE_WINDOW_FRAMES);
  });

  it("drops a subscriber whose window stays full past the stall limit, with a reason it can act on", async () => {
    let clock = 1_000;
    const { log, tail, subscribe } = setup(() => clock);
    log.append(LIVE_WINDOW_FRAMES + 1);
    const ws = subscribe(0);
    await until(() => ws.sent.length === LIVE_WINDOW_FRAMES);
    log.append(1);
    tail.onAppend();
    await settle();
    expect(ws.closed).toBeUndefined();
    clock += LIVE_STALL_MS;
    log.append(1);
    tail.onAppend();
    await until(() => ws.closed !== undefined);
    expect(ws.closed!.code).toBe(LIVE_CLOSE.SLOW);
    expect(ws.closed!.reason).toMatch(/slow subscriber.*reconnect/);
  });

  it("closes a socket that sends something other than an ack", async () => {
    const { tail, subscribe } = setup();
    const ws = subscribe(0);
    tail.onMessage(ws as unknown as WebSocket, "hello");
    expect(ws.closed?.code).toBe(LIVE_CLOSE.BAD_MESSAGE);
  });
});
