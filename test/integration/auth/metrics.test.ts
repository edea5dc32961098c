// /metrics under required authentication: refused without a token or without describe on the
// cluster; and what the router sees (auth failures, throttling, request latency) is counted in the
// cluster aggregate and read back exactly, within the isolate's one-second flush.

import { describe, expect, it } from "vitest";
import { call, uniqueTopic } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";
import { scrape } from "../../support/metrics.js";

/** Scrapes (as admin) until `ready` holds for the scrape, for at most `ms` (the router flushes within 1 s; the bound leaves room for a loaded CI machine). */
async function scrapeUntil(ready: (s: Awaited<ReturnType<typeof scrape>>) => boolean, ms = 20_000) {
  const start = Date.now();
  for (;;) {
    const s = await scrape(asAdmin);
    if (ready(s) || Date.now() - start > ms) return s;
    await scheduler.wait(50);
  }
}

describe("GET /metrics with authentication required", () => {
  // First in the file: the baseline then holds no failure still in an isolate's one-second buffer.
  it("counts auth failures by code, throttled requests and throttle time by token", async () => {
    const before = await scrape(asAdmin);
    const failures = (s: typeof before, code: string) =>
      s.value("edgelog_auth_failures_total", { error_code: code }) ?? 0;
    const unauthenticated0 = failures(before, "UNAUTHENTICATED");
    const topicDenied0 = failures(before, "TOPIC_AUTHORIZATION_FAILED");

    const topic = uniqueTopic("m");
    expect((await call("POST", "/v1/topics", { name: topic }, asAdmin)).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await call("GET", `/v1/topics/${topic}`)).status).toBe(401);
    const { token: other } = await createToken([{ resource: "topic:elsewhere", operations: ["describe"] }]);
    expect((await callAs(other, "GET", `/v1/topics/${topic}`)).status).toBe(403);
    const { token: slow, id } = await createToken([{ resource: `topic:${topic}`, operations: ["produce"] }], {
      quotas: { produce_bytes_per_sec: 1_000 },
    });
    const produce = () =>
      callAs(slow, "POST", `/v1/topics/${topic}/records`, { records: [{ value: "x".repeat(3_000) }] });
    expect((await produce()).status).toBe(200);
    const throttled = await produce();
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);

    const labels = { token: id, quota: "produce" };
    const s = await scrapeUntil((x) => x.value("edgelog_throttled_requests_total", labels) === 1);
    expect(failures(s, "UNAUTHENTICATED")).toBe(unauthenticated0 + 3);
    expect(failures(s, "TOPIC_AUTHORIZATION_FAILED")).toBe(topicDenied0 + 1);
    expect(s.value("edgelog_throttled_requests_total", labels)).toBe(1);
    expect(s.value("edgelog_throttle_time_seconds_total", labels)).toBe(retryAfter);
    const route = { method: "POST", route: "/v1/topics/:topic/records", status: "429" };
    expect(s.value("http_server_request_duration_seconds_count", route)).toBe(1);
  });

  it("is refused without a token (401) and without describe on the cluster (403)", async () => {
    const none = await call("GET", "/metrics");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("UNAUTHENTICATED");
    const { token } = await createToken([{ resource: "topic:*", operations: ["describe", "produce", "consume"] }]);
    const denied = await callAs(token, "GET", "/metrics");
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
    const { token: reader } = await createToken([{ resource: "cluster", operations: ["describe"] }]);
    expect((await callAs(reader, "GET", "/metrics")).status).toBe(200);
  });
});
