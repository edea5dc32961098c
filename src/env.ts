// The Worker's bindings and variables, as wrangler.toml declares them.

import type { ClusterDO } from "./controller/cluster-do.js";
import type { GroupCoordinatorDO } from "./coordinator/coordinator-do.js";
import type { PartitionDO } from "./partition/partition-do.js";

export interface Env {
  CLUSTER: DurableObjectNamespace<ClusterDO>;
  PARTITION: DurableObjectNamespace<PartitionDO>;
  COORDINATOR: DurableObjectNamespace<GroupCoordinatorDO>;
  ARCHIVE: R2Bucket;
  /** "off" disables authentication for local runs and tests; anything else means required. */
  EDGELOG_AUTH?: string;
  EDGELOG_ADMIN_TOKEN?: string;
  /** Consumer-group session timeout bounds in ms (defaults 6000 and 300000, as Kafka's). */
  EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS?: string;
  EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS?: string;
  /** How long a coordinator trusts topic metadata before asking the controller again (default 5000). */
  EDGELOG_GROUP_METADATA_MAX_AGE_MS?: string;
}
