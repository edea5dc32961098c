// A request body framed wrongly on the wire is reported as what it is, not as an empty body;
// nothing is written. Needs a real HTTP server: in-process requests cannot be malformed.

import { connect } from "node:net";
import { beforeAll, expect, it } from "vitest";
import { sharedServer, type SharedServer } from "../support/shared-servers.js";

let server: SharedServer;
beforeAll(async () => {
  server = await sharedServer("open");
}, 90_000);

/** Sends `raw` bytes as one HTTP/1.1 request, half-closing after them; resolves with the status line and body. */
function rawRequest(raw: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const socket = connect(server.port, "127.0.0.1", () => socket.end(raw));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d) => (text += d));
    socket.on("error", rej);
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      res({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

async function highWatermark(topic: string): Promise<number> {
  const d = (await (await fetch(`${server.url}/v1/topics/${topic}`)).json()) as any;
  return d.partitions[0].high_watermark;
}

const head = (topic: string, extra: string) =>
  `POST /v1/topics/${topic}/records HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n${extra}\r\n`;
const json = '{"records":[{"value":1}]}';

it("reports a bad chunk size as such, not as an empty body, writing nothing", async () => {
  const topic = `raw-${Date.now().toString(36)}`;
  const created = await fetch(`${server.url}/v1/topics`, { method: "POST", body: JSON.stringify({ name: topic }) });
  expect(created.status).toBe(201);
  const r = await rawRequest(`${head(topic, "Transfer-Encoding: chunked\r\n")}zz\r\n${json}\r\n0\r\n\r\n`);
  expect(r.status, r.body).toBe(400);
  const body = JSON.parse(r.body);
  expect(body.error.code).toBe("INVALID_REQUEST");
  expect(body.error.message).toMatch(/chunk size is malformed/);
  expect(await highWatermark(topic)).toBe(0);
}, 60_000);

it("reports a bad chunk size on a table-validated route (create topic) the same way, creating nothing", async () => {
  const topic = `raw-${Date.now().toString(36)}-t`;
  const body = JSON.stringify({ name: topic });
  const r = await rawRequest(
    `POST /v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
  );
  expect(r.status, r.body).toBe(400);
  const reply = JSON.parse(r.body);
  expect(reply.error.code).toBe("INVALID_REQUEST");
  expect(reply.error.message).toMatch(/chunk size is malformed/);
  expect((await fetch(`${server.url}/v1/topics/${topic}`)).status).toBe(404);
}, 60_000);
