// A test-only Worker entry: edgelog as deployed, plus read-only routes that list and fetch objects
// of its R2 bucket under connect/, so e2e tests can check what an r2-sink wrote. Never deployed.

import edgelog from "../../../src/index.js";
import type { Env } from "../../../src/env.js";

export * from "../../../src/index.js";

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/test/r2/list") {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await env.ARCHIVE.list({ prefix: `connect/${url.searchParams.get("prefix") ?? ""}`, cursor });
        keys.push(...page.objects.map((o) => o.key));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return Response.json(keys);
    }
    if (url.pathname === "/test/r2/object") {
      const key = url.searchParams.get("key") ?? "";
      const obj = key.startsWith("connect/") ? await env.ARCHIVE.get(key) : null;
      return obj ? new Response(obj.body) : new Response("not found", { status: 404 });
    }
    return edgelog.fetch(request, env, ctx);
  },
  queue: edgelog.queue,
} satisfies ExportedHandler<Env>;
