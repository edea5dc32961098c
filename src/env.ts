// The Worker's bindings and variables, as wrangler.toml declares them.

import type { ClusterDO } from "./controller/cluster-do.js";
import type { PartitionDO } from "./partition/partition-do.js";

export interface Env {
  CLUSTER: DurableObjectNamespace<ClusterDO>;
  PARTITION: DurableObjectNamespace<PartitionDO>;
  COORDINATOR: DurableObjectNamespace;
  ARCHIVE: R2Bucket;
  /** "off" disables authentication for local runs and tests; anything else means required. */
  EDGELOG_AUTH?: string;
  EDGELOG_ADMIN_TOKEN?: string;
  /** How long a Durable Streams long-poll (and each SSE wait) parks at the tail, in ms (default 20000). */
  EDGELOG_STREAM_LONG_POLL_MS?: string;
}
