// The Worker's queue() handler: a batch from a queue this Worker consumes goes to the queues-source
// connector that reads that queue; written messages are acked, the rest retried by the queue.

import type { Env } from "../../env.js";
import type { ConnectorEntry } from "../../contracts/cluster.js";
import { clusterObject, connectorObject } from "../../objects.js";
import { unwrap } from "../../protocol/errors.js";

/** How long an isolate trusts its copy of the connector directory. */
const DIRECTORY_TTL_MS = 5_000;
let directory: { at: number; entries: Promise<ConnectorEntry[]> } | undefined;

function connectors(env: Env): Promise<ConnectorEntry[]> {
  const now = Date.now();
  if (directory && now - directory.at <= DIRECTORY_TTL_MS) return directory.entries;
  const entries = clusterObject(env)
    .listConnectors()
    .then((r) => unwrap(r));
  directory = { at: now, entries };
  entries.catch(() => (directory = undefined));
  return entries;
}

export async function handleQueueBatch(batch: MessageBatch, env: Env): Promise<void> {
  const entry = (await connectors(env)).find((e) => e.class === "queues-source" && e.queue === batch.queue);
  if (!entry) {
    // No connector reads this queue (yet): keep the messages; the queue's own retry limit applies.
    console.warn(`edgelog: no queues-source connector reads queue ${batch.queue}; its messages are retried`);
    batch.retryAll({ delaySeconds: 30 });
    return;
  }
  const r = await connectorObject(env, entry.name).deliver(
    batch.messages.map((m) => ({ id: m.id, timestamp: m.timestamp.getTime(), body: m.body })),
  );
  if (!r.ok) {
    console.warn(`edgelog: queues-source ${entry.name} could not write a batch of ${batch.queue}: ${r.error.message}`);
    batch.retryAll({ delaySeconds: 5 });
    return;
  }
  const written = new Set(r.value.written);
  for (const m of batch.messages) {
    if (written.has(m.id)) m.ack();
    else m.retry();
  }
}
