// The SDK's transport against a real socket cut mid-reply (what a server SIGKILLed while answering
// looks like to Node's fetch): an edgelog error the caller can handle, and retried where allowed.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { EdgelogError } from "../../src/client/index.js";
import { Transport } from "../../src/client/transport.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server whose first `cuts` replies send their headers and half a body, then drop the connection. */
async function cutting(cuts: number): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  server = createServer((_req, res) => {
    const body = JSON.stringify({ ok: true, padding: "x".repeat(200) });
    res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
    if (n++ < cuts) {
      res.write(body.slice(0, 50), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n };
}

it("turns a reply cut mid-body into a retriable NETWORK_EXCEPTION, not a TypeError", async () => {
  const s = await cutting(1);
  const err = await new Transport({ url: s.url }).request("GET", "/v1/x").catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EdgelogError);
  expect((err as EdgelogError).code).toBe("NETWORK_EXCEPTION");
  expect((err as EdgelogError).retriable).toBe(true);
});

it("retries a request whose reply was cut mid-body when the caller allows retries", async () => {
  const s = await cutting(2);
  const t = new Transport({ url: s.url, retry: { initialBackoffMs: 1, maxBackoffMs: 5, maxElapsedMs: 10_000 } });
  expect(await t.request<{ ok: boolean }>("GET", "/v1/x", undefined, { retry: true })).toMatchObject({ ok: true });
  expect(s.requests()).toBe(3);
});
