// The test Worker (test/worker.ts: objects whose links follow a network table) as a `wrangler dev`
// entry, for e2e tests of faults a real process must survive: POST /__faults/down takes a
// partition copy's region out ({ topic_id, partition, copy }: "home" or a region), and
// POST /__faults/clear brings every region back. Never deployed: only test/e2e starts it.

import type { Env } from "../src/env.js";
import { partitionCopy } from "../src/objects.js";
import worker, { network } from "./worker.js";

export * from "./worker.js";

export default {
  ...worker,
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/__faults/down") {
      const b = (await request.json()) as { topic_id: string; partition: number; copy: string };
      network.down.add(partitionCopy(env, b.topic_id, b.partition, b.copy).id.toString());
      return Response.json({ down: network.down.size });
    }
    if (request.method === "POST" && pathname === "/__faults/clear") {
      network.clear();
      return Response.json({ down: 0 });
    }
    return worker.fetch(request, env, ctx);
  },
};
