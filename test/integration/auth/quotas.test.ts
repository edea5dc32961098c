// Per-token byte-rate quotas: over the rate a request is refused with 429 and Retry-After, and
// served again once the debt has drained; other tokens are not slowed by it.

import { beforeAll, describe, expect, it, vi } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { exports } from "cloudflare:workers";
import { asAdmin, bearer, callAs, createToken } from "../../support/auth.js";

const RATE = 20_000; // bytes per second
let topic: string;
beforeAll(async () => {
  topic = uniqueTopic("quota");
  expect((await call("POST", "/v1/topics", { name: topic }, asAdmin)).status).toBe(201);
});

/**
 * Runs `body` with the isolate's clock (Date, which the router's buckets read) stopped, so a debt
 * drains only when the test moves the clock on, however long a loaded machine takes between two
 * requests. Timers still run: only Date is faked.
 */
async function withStoppedClock(body: (advance: (ms: number) => void) => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  try {
    await body((ms) => vi.setSystemTime(Date.now() + ms));
  } finally {
    vi.useRealTimers();
  }
}

const records = (bytes: number) => ({ records: [{ value: "x".repeat(bytes) }] });

describe("produce quota", () => {
  it("engages past the rate with 429 THROTTLING_QUOTA_EXCEEDED and Retry-After, then releases", async () => {
    const { token } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }], {
      quotas: { produce_bytes_per_sec: RATE },
    });
    const produce = (bytes: number) => callAs(token, "POST", `/v1/topics/${topic}/records`, records(bytes));
    await withStoppedClock(async (advance) => {
      // A full second's allowance is available; this request (about 25,030 bytes) overdraws it by about 5,030.
      expect((await produce(25_000)).status).toBe(200);
      const throttled = await produce(10);
      expect(throttled.status).toBe(429);
      expect(throttled.body.error).toMatchObject({ code: "THROTTLING_QUOTA_EXCEEDED", retriable: true });
      expect(Number(throttled.headers.get("retry-after"))).toBe(1);
      // The debt drains at RATE bytes/s: about 250 ms. A refused request adds nothing to it.
      advance(200);
      expect((await produce(10)).status).toBe(429);
      advance(100);
      expect((await produce(10)).status).toBe(200);
    });
  });

  it("throttles one token without slowing another", async () => {
    const noisy = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }], {
      quotas: { produce_bytes_per_sec: 1_000 },
    });
    const quiet = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }], {
      quotas: { produce_bytes_per_sec: 1_000 },
    });
    expect((await callAs(noisy.token, "POST", `/v1/topics/${topic}/records`, records(5_000))).status).toBe(200);
    const again = await callAs(noisy.token, "POST", `/v1/topics/${topic}/records`, records(10));
    expect(again.status).toBe(429);
    // ~5,030 request bytes against a 1,000 byte allowance: about 4 s of debt, rounded up.
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThanOrEqual(4);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(5);
    expect((await callAs(quiet.token, "POST", `/v1/topics/${topic}/records`, records(10))).status).toBe(200);
  });
});

describe("fetch quota", () => {
  it("counts fetched bytes on both fetch routes, then releases", async () => {
    const source = uniqueTopic("quota-src");
    await call("POST", "/v1/topics", { name: source }, asAdmin);
    expect((await call("POST", `/v1/topics/${source}/records`, records(25_000), asAdmin)).status).toBe(200);
    const { token } = await createToken([{ resource: `topic:${source}`, operations: ["consume"] }], {
      quotas: { fetch_bytes_per_sec: RATE },
    });
    const fetchOne = () => callAs(token, "GET", `/v1/topics/${source}/partitions/0/records?offset=0`);
    const fetchMany = () =>
      callAs(token, "POST", "/v1/fetch", { partitions: [{ topic: source, partition: 0, offset: 0 }] });

    await withStoppedClock(async (advance) => {
      // About 25,070 bytes fetched against a 20,000-byte allowance: about 250 ms of debt.
      expect((await fetchOne()).status).toBe(200);
      const throttled = await fetchMany();
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toBe("1");
      advance(200);
      expect((await fetchMany()).status).toBe(429);
      advance(100);
      expect((await fetchMany()).status).toBe(200);
      // That fetch overdrew the bucket again: the single-partition route sees the same debt.
      expect((await fetchOne()).status).toBe(429);
    });
  });

  it("does not limit a token without quotas", async () => {
    const source = uniqueTopic("free");
    await call("POST", "/v1/topics", { name: source }, asAdmin);
    await call("POST", `/v1/topics/${source}/records`, records(25_000), asAdmin);
    const { token } = await createToken([{ resource: `topic:${source}`, operations: ["consume"] }]);
    for (let i = 0; i < 5; i++) {
      expect((await callAs(token, "GET", `/v1/topics/${source}/partitions/0/records?offset=0`)).status).toBe(200);
    }
  });
});

describe("live tail quota", () => {
  it("charges SSE events to the fetch quota and paces the stream instead of cutting it", async () => {
    const source = uniqueTopic("quota-sse");
    await call("POST", "/v1/topics", { name: source }, asAdmin);
    for (let i = 0; i < 2; i++)
      expect((await call("POST", `/v1/topics/${source}/records`, records(25_000), asAdmin)).status).toBe(200);
    const { token } = await createToken([{ resource: `topic:${source}`, operations: ["consume"] }], {
      quotas: { fetch_bytes_per_sec: RATE },
    });
    const res = await exports.default.fetch(
      new Request(`http://edgelog.test/v1/topics/${source}/partitions/0/records?offset=0&live=sse&max_records=1`, {
        headers: bearer(token),
      }),
    );
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    const nextEvent = async () => {
      for (;;) {
        const end = buf.indexOf("\n\n");
        if (end >= 0) {
          const event = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (event.startsWith("event: records")) return { at: Date.now(), id: /id: (\d+)/.exec(event)![1] };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buf += value;
      }
    };
    const first = await nextEvent();
    expect(first.id).toBe("1");
    // The first event overdrew the 20,000 bytes/s allowance by ~5,000 bytes: the second waits it out.
    const second = await nextEvent();
    expect(second.id).toBe("2");
    expect(second.at - first.at).toBeGreaterThanOrEqual(500);
    // ...and the debt is the token's: a plain fetch meanwhile is refused.
    expect((await callAs(token, "GET", `/v1/topics/${source}/partitions/0/records?offset=0`)).status).toBe(429);
    await reader.cancel();
  });
});
