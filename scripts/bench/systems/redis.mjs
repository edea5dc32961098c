// Redis Streams as a peer: redis-server from Debian with AOF fsync every second; XADD pipelined,
// XRANGE to consume, XREAD BLOCK for the live tail.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { jsonValue, readStamp } from "../load.mjs";
import { freePort, spawnServer } from "./servers.mjs";

export async function startRedis({ valueBytes, batchSize }) {
  const dir = mkdtempSync(join(tmpdir(), "redis-bench-"));
  const port = await freePort();
  const server = await spawnServer(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--save",
      "",
      "--protected-mode",
      "no",
      "--loglevel",
      "warning",
    ],
    async () => {
      const probe = new Redis({
        port,
        host: "127.0.0.1",
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        await probe.ping();
      } finally {
        probe.disconnect();
      }
    },
  );
  const client = new Redis({ port, host: "127.0.0.1" });
  const value = jsonValue(valueBytes);
  const key = (t, p) => `${t}-${p}`;
  const subscribers = [];

  return {
    name: "Redis Streams",
    version: server.version(),
    formats: ["native"],
    createLog: async (name) => name,
    produceBatch(t, p) {
      const pipe = client.pipeline();
      for (let i = 0; i < batchSize; i++) pipe.xadd(key(t, p), "*", "v", value);
      return pipe.exec().then((rs) => {
        for (const [e] of rs) if (e) throw e;
      });
    },
    produceOne: (t, p) => client.xadd(key(t, p), "*", "v", value),
    produceStamped: (t, p, text) => client.xadd(key(t, p), "*", "v", text),
    async consume(t, p, total) {
      let from = "-";
      let seen = 0;
      while (seen < total) {
        const rows = await client.xrangeBuffer(key(t, p), from, "+", "COUNT", 10_000);
        if (rows.length === 0) throw new Error(`stream ${key(t, p)} ended at ${seen} of ${total}`);
        seen += rows.length;
        from = `(${rows.at(-1)[0].toString()}`;
      }
      return seen;
    },
    async subscribe(t, p, onArrival) {
      const sub = new Redis({ port, host: "127.0.0.1" });
      subscribers.push(sub);
      let last = "$";
      let open = true;
      (async () => {
        while (open) {
          const res = await sub.xread("BLOCK", 0, "COUNT", 1000, "STREAMS", key(t, p), last).catch(() => null);
          if (!res) continue;
          const now = performance.now();
          for (const [id, fields] of res[0][1]) {
            onArrival(readStamp(fields[1]), now);
            last = id;
          }
        }
      })();
      // XREAD with $ means "after whatever is last when the command arrives": wait until it is parked.
      await new Promise((r) => setTimeout(r, 100));
      return {
        close: () => {
          open = false;
          sub.disconnect();
        },
      };
    },
    async stop() {
      for (const s of subscribers) s.disconnect();
      client.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
