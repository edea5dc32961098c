// Worker entry: the Hono app and the queue() handler, plus the Durable Object classes wrangler binds.

import { connectorClass } from "./connect/connector-do.js";
import { handleQueueBatch } from "./connect/runtime/queue-handler.js";
import "./connect/runtime/sink-kind.js";
import { memberHost } from "./host/host-do.js";
import { createApp } from "./router/app.js";

const app = createApp();

export { ClusterDO } from "./controller/cluster-do.js";
export { PartitionDO } from "./partition/partition-do.js";
export { GroupCoordinatorDO } from "./coordinator/coordinator-do.js";
export { MirrorDO } from "./mirror/mirror-do.js";
export { SchemaRegistryDO } from "./registry/registry-do.js";
export { ElectionDO } from "./election/election-do.js";
export { MetricsDO } from "./telemetry/metrics-do.js";
/** A consumer-group member inside a Durable Object (Worker-mode streams tasks, connector sink tasks), calling this app in-process. */
export class MemberHostDO extends memberHost(app) {}
export { TxnCoordinatorDO } from "./transactions/txn-coordinator-do.js";
/** One connector: its config, state and token; a source's task, writing through this app in-process. */
export class ConnectorDO extends connectorClass(app) {}

export default {
  fetch: app.fetch,
  /** Batches of the queues this Worker consumes, for queues-source connectors (docs/connectors.md#queues). */
  queue: handleQueueBatch,
};
