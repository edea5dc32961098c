// Bench-only Worker: the platform floors edgelog is measured against, served by the same Miniflare.
// Not part of edgelog: no validation, no offsets, no idempotence; just the cost the platform charges.

import { DurableObject } from "cloudflare:workers";

/** The least a Durable Object can do with a produce request: store its body as one SQLite row. */
export class BareDO extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    this.next = ctx.storage.sql.exec("SELECT IFNULL(MAX(id) + 1, 0) AS n FROM rows").one().n;
  }

  /** One row per request, as edgelog stores one row per batch; the reply follows the durable write. */
  insert(body) {
    const id = this.next++;
    this.ctx.storage.sql.exec("INSERT INTO rows (id, data) VALUES (?, ?)", id, body);
    return id;
  }
}

/**
 * The least a live log can do: one SQLite row per produce request, and either a long-poll read the
 * Worker's SSE stream calls once per event, woken by the append (edgelog's SSE path, minus edgelog),
 * or a hibernatable WebSocket the object holds and sends each row to (edgelog's WebSocket tail).
 */
export class LiveDO extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data TEXT NOT NULL)");
    this.next = ctx.storage.sql.exec("SELECT IFNULL(MAX(id) + 1, 0) AS n FROM rows").one().n;
    this.waiters = new Set();
  }

  append(text) {
    const id = this.next++;
    this.ctx.storage.sql.exec("INSERT INTO rows (id, data) VALUES (?, ?)", id, text);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    for (const ws of this.ctx.getWebSockets()) ws.send(text);
    return id;
  }

  /** A WebSocket subscriber, accepted hibernatable as edgelog's partition accepts its live tails. */
  fetch() {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage() {}
  webSocketClose(ws, code) {
    ws.close(code, "closed");
  }

  /** Rows from `from` on; if there are none yet, waits up to `waitMs` for an append. */
  async read(from, waitMs) {
    if (from >= this.next) {
      await new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          resolve();
        }, waitMs);
        this.waiters.add(wake);
      });
    }
    return this.ctx.storage.sql
      .exec("SELECT data FROM rows WHERE id >= ? ORDER BY id LIMIT 1000", from)
      .toArray()
      .map((r) => r.data);
  }
}

/** SSE through the Worker: one long-poll read per event, as edgelog's live tail does. */
function liveSse(stub) {
  const enc = new TextEncoder();
  let from = 0;
  const stream = new ReadableStream(
    {
      async pull(controller) {
        for (;;) {
          const rows = await stub.read(from, 25_000);
          if (rows.length === 0) continue;
          from += rows.length;
          // Each row is a produce body, {"records":[...]}: the event data a subscriber reads.
          controller.enqueue(enc.encode(rows.map((r) => `event: records\ndata: ${r}\n\n`).join("")));
          return;
        }
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
}

export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    // /floor/noop: read the body and answer, nothing else.
    if (url.pathname === "/floor/noop") {
      const body = await req.arrayBuffer();
      return Response.json({ bytes: body.byteLength });
    }
    // /floor/bare/<name>: the body, untouched, into one SQLite row of a bare object.
    if (url.pathname.startsWith("/floor/bare/")) {
      const body = new Uint8Array(await req.arrayBuffer());
      const id = await env.BARE.getByName(url.pathname.slice("/floor/bare/".length)).insert(body);
      return Response.json({ id });
    }
    // /floor/live/<name>: POST appends the body as one row; GET is its live tail over SSE, or over
    // a WebSocket the object holds when the request is an upgrade.
    if (url.pathname.startsWith("/floor/live/")) {
      const stub = env.LIVE.getByName(url.pathname.slice("/floor/live/".length));
      if (req.headers.get("upgrade")?.toLowerCase() === "websocket") return stub.fetch(req);
      if (req.method === "GET") return liveSse(stub);
      return Response.json({ id: await stub.append(await req.text()) });
    }
    return new Response("not found", { status: 404 });
  },
};
