// NATS JetStream as a peer: nats-server -js with a file store; async publishes awaited on their
// acks, an ordered consumer to read back and to tail.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, DeliverPolicy, StorageType } from "nats";
import { jsonValue, readStamp } from "../load.mjs";
import { freePort, spawnServer } from "./servers.mjs";

export async function startNats({ valueBytes, batchSize }) {
  const dir = mkdtempSync(join(tmpdir(), "nats-bench-"));
  const port = await freePort();
  const server = await spawnServer(
    "nats-server",
    ["-js", "-sd", dir, "-a", "127.0.0.1", "-p", String(port)],
    async () => {
      const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
      await nc.close();
    },
  );
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const value = new TextEncoder().encode(JSON.stringify(jsonValue(valueBytes)));
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const stream = (t, p) => `${t}_${p}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const subject = (t, p) => `${stream(t, p)}.r`;
  const closers = [];

  return {
    name: "NATS JetStream",
    version: server.version(),
    formats: ["native"],
    async createLog(name, partitions) {
      for (let p = 0; p < partitions; p++) {
        await jsm.streams.add({ name: stream(name, p), subjects: [subject(name, p)], storage: StorageType.File });
      }
      return name;
    },
    produceBatch(t, p) {
      const acks = [];
      for (let i = 0; i < batchSize; i++) acks.push(js.publish(subject(t, p), value));
      return Promise.all(acks);
    },
    produceOne: (t, p) => js.publish(subject(t, p), value),
    produceStamped: (t, p, text) => js.publish(subject(t, p), enc.encode(text)),
    async consume(t, p, total) {
      const consumer = await js.consumers.get(stream(t, p));
      let seen = 0;
      while (seen < total) {
        const batch = await consumer.fetch({ max_messages: Math.min(10_000, total - seen), expires: 5_000 });
        const before = seen;
        for await (const _m of batch) seen++;
        if (seen === before) throw new Error(`stream ${stream(t, p)} ended at ${seen} of ${total}`);
      }
      return seen;
    },
    async subscribe(t, p, onArrival) {
      const consumer = await js.consumers.get(stream(t, p), { deliver_policy: DeliverPolicy.New });
      const messages = await consumer.consume();
      (async () => {
        for await (const m of messages) onArrival(readStamp(dec.decode(m.data)), performance.now());
      })();
      closers.push(() => messages.close());
      return { close: () => messages.close() };
    },
    async stop() {
      await nc.drain().catch(() => undefined);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
