// Worker entry: the Hono app, plus the Durable Object classes wrangler binds.

import { memberHost } from "./host/host-do.js";
import { createApp } from "./router/app.js";

const app = createApp();

export { ClusterDO } from "./controller/cluster-do.js";
export { PartitionDO } from "./partition/partition-do.js";
export { GroupCoordinatorDO } from "./coordinator/coordinator-do.js";
export { MirrorDO } from "./mirror/mirror-do.js";
export { SchemaRegistryDO } from "./registry/registry-do.js";
export { MetricsDO } from "./telemetry/metrics-do.js";
/** A consumer-group member inside a Durable Object (Worker-mode streams tasks), calling this app in-process. */
export class MemberHostDO extends memberHost(app) {}
export { TxnCoordinatorDO } from "./transactions/txn-coordinator-do.js";

export default app;
