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
    return new Response("not found", { status: 404 });
  },
};
