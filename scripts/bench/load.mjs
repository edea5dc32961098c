// The one Node load generator: closed loops with N in flight, open loops at a fixed rate,
// a keep-alive HTTP client and a Server-Sent Events reader. Every system is driven through it.

import http from "node:http";

/** Runs op(0..total-1) with `concurrency` in flight; returns elapsed seconds. */
export async function closedLoop(total, concurrency, op) {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < total) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return (performance.now() - start) / 1000;
}

/**
 * Starts op(i) at `rate` per second for `seconds`, whether or not earlier ones finished (an open
 * loop, so a slow reply cannot hide latency by slowing the sender). Resolves when all settle.
 */
export async function openLoop(rate, seconds, op) {
  const total = Math.round(rate * seconds);
  const pending = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent < due) pending.push(op(sent++));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  return total;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One HTTP request over a shared keep-alive pool; resolves with status, headers and the body as a
 * Buffer. A reused idle socket the server closed as it was reused fails before the server saw the
 * request (ECONNRESET on a reused socket): that one is sent again, once, on a new connection.
 */
export function request(method, url, opts = {}) {
  return requestOnce(method, url, opts).catch((e) => {
    // On a new connection: after a long run many pooled sockets may have been closed idle at once.
    if (e.code === "ECONNRESET" && e.reusedSocket) return requestOnce(method, url, opts, false);
    throw e;
  });
}

function requestOnce(method, url, { headers = {}, body } = {}, via = agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: via }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

/** Like request(), but a non-2xx status is an error carrying the body. */
export async function expectOk(method, url, opts) {
  const res = await request(method, url, opts);
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} ${url} → ${res.status} ${res.body.toString().slice(0, 300)}`);
  return res;
}

/** Reads an SSE stream, calling onEvent({event, id, data}) per event; returns a closer. */
export function sse(url, onEvent) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE ${url} → ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      let buf = "";
      res.on("data", (chunk) => {
        buf += chunk;
        for (let end; (end = buf.indexOf("\n\n")) >= 0; ) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev = { event: "message", id: undefined, data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("data:")) ev.data += line.slice(line[5] === " " ? 6 : 5);
            else if (line.startsWith("event:")) ev.event = line.slice(6).trim();
            else if (line.startsWith("id:")) ev.id = line.slice(3).trim();
          }
          if (ev.data) onEvent(ev);
        }
      });
      resolve({ close: () => req.destroy() });
    });
    req.on("error", (e) => (e.code === "ECONNRESET" ? undefined : reject(e)));
  });
}

/** A value of exactly `bytes` UTF-8 bytes as JSON text: a quoted string of bytes-2 characters. */
export function jsonValue(bytes, prefix = "") {
  return prefix + "x".repeat(bytes - 2 - prefix.length);
}

/** The send time (performance.now(), ms) stamped at the head of a value, and read back. */
export function stampedValue(bytes) {
  return jsonValue(bytes, `${performance.now().toFixed(3).padStart(14, "0")}|`);
}
export function readStamp(text) {
  return Number(text.slice(text.startsWith('"') ? 1 : 0, text.indexOf("|")));
}

/**
 * Reads a WebSocket live tail, calling onMessage(data) per text frame; `ack(data)` returns the
 * message to answer each frame with (edgelog's window), or undefined. Resolves with a closer once open.
 */
export async function wsTail(url, onMessage, ack = () => undefined) {
  // Node 20 has no global WebSocket without a flag; undici's (Miniflare's dependency) is the same one.
  const { WebSocket } = await import("undici");
  const ws = new WebSocket(url.replace(/^http/, "ws"));
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", (e) => reject(new Error(`WebSocket ${url}: ${e.message ?? "failed"}`)), {
      once: true,
    });
  });
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data !== "string") return;
    onMessage(ev.data);
    const reply = ack(ev.data);
    if (reply !== undefined) ws.send(reply);
  });
  return { close: () => ws.close() };
}
