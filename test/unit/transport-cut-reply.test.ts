// A reply cut short mid-body (the server killed or the connection dropped after the status line),
// beyond request() (sdk-transport.test.ts): a real Node HTTP server sends the headers and part of
// the body, then closes the connection. bytes() and an idempotent producer retry it; a call not
// safe to repeat, and a non-idempotent producer, surface a retriable NETWORK_EXCEPTION, sent once.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Edgelog, EdgelogError } from "../../src/client/index.js";
import { Transport } from "../../src/client/transport.js";

interface Seen {
  method: string;
  path: string;
  body: any;
}

/** Sends the status line, the headers and the first bytes of `json`, then closes the connection. */
function cut(res: ServerResponse, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(200, { "content-type": "application/json", "content-length": String(text.length) });
  res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.end());
}

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A server that answers each request with `answer(seen, n)`, n counting from 0. */
async function serve(
  answer: (seen: Seen, n: number, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer(async (req: IncomingMessage, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const s = { method: req.method!, path: req.url!, body: raw ? JSON.parse(raw) : undefined };
    seen.push(s);
    answer(s, seen.length - 1, res);
  });
  await new Promise<void>((ready) => server!.listen(0, "127.0.0.1", ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const FAST = { initialBackoffMs: 1, maxBackoffMs: 2 };
const topic = { name: "t", partition_count: 1, partitions: [] };

describe("a reply cut short mid-body", () => {
  it("surfaces as a retriable NETWORK_EXCEPTION naming the call on one that is not, sent once", async () => {
    const { url, seen } = await serve((_, __, res) => cut(res, { name: "t", partition_count: 1 }));
    const err = await new Transport({ url, retry: FAST })
      .request("POST", "/v1/topics", { name: "t" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgelogError);
    expect(err).toMatchObject({ code: "NETWORK_EXCEPTION", retriable: true });
    expect((err as Error).message).toMatch(/cut its HTTP 200 reply to POST \/v1\/topics short/);
    expect(seen).toHaveLength(1);
  });

  it("is retried for bytes() too (the gateway's binary fetch)", async () => {
    const { url, seen } = await serve((_, n, res) => (n === 0 ? cut(res, "abcdefgh") : res.end("abcdefgh")));
    const bytes = await new Transport({ url, retry: FAST }).bytes?.("POST", "/v1/fetch", {}, { retry: true });
    expect(new TextDecoder().decode(bytes)).toBe("abcdefgh");
    expect(seen).toHaveLength(2);
  });

  /** Producer ids, metadata, and produce requests: the first is written but its reply cut short. */
  let produced: Seen[] = [];
  const producerServer = () => {
    produced = [];
    return serve((s, _, res) => {
      if (s.path === "/v1/producers") return res.end(JSON.stringify({ id: "7", epoch: 0 }));
      if (s.method === "GET") return res.end(JSON.stringify(topic));
      produced.push(s);
      // A duplicate (same producer, same sequence) is answered with the first write's offset.
      const reply = { records: [{ partition: 0, offset: 0, timestamp: 1 }] };
      if (produced.length === 1) cut(res, reply);
      else res.end(JSON.stringify(reply));
    });
  };

  it("is retried by an idempotent producer under the same sequence, which the server answers as a duplicate", async () => {
    const { url } = await producerServer();
    const producer = new Edgelog({ url, retry: FAST }).producer({ lingerMs: 0 });
    await expect(producer.send("t", { value: 1 })).resolves.toMatchObject([{ topic: "t", partition: 0, offset: 0 }]);
    expect(produced.map((s) => s.body.producer)).toEqual([
      { id: "7", epoch: 0, sequence: 0 },
      { id: "7", epoch: 0, sequence: 0 },
    ]);
    await producer.close();
  });

  it("fails a non-idempotent producer's send with a retriable NETWORK_EXCEPTION, not resent", async () => {
    const { url } = await producerServer();
    const producer = new Edgelog({ url, retry: FAST }).producer({ lingerMs: 0, idempotent: false });
    const err = await producer.send("t", { value: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "NETWORK_EXCEPTION", retriable: true });
    expect(produced).toHaveLength(1);
    await producer.close().catch(() => undefined);
  });
});
