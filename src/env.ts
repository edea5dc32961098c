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
  EDGELOG_PRODUCER_ID_EXPIRATION_MS?: string;
  /** Consumer-group session timeout bounds in ms (defaults 6000 and 300000, as Kafka's). */
  EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS?: string;
  EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS?: string;
  /** How long a coordinator trusts topic metadata before asking the controller again (default 5000). */
  EDGELOG_GROUP_METADATA_MAX_AGE_MS?: string;
}

export interface Settings {
  /** Kafka's producer.id.expiration.ms: idle producers' dedup state is forgotten after this. */
  producerIdExpirationMs: number;
}

const DAY_MS = 86_400_000;

/** Parses the optional variables once, failing loudly on a value that is not what it should be. */
export function readSettings(env: Pick<Env, "EDGELOG_PRODUCER_ID_EXPIRATION_MS">): Settings {
  return {
    producerIdExpirationMs: positiveInt(env.EDGELOG_PRODUCER_ID_EXPIRATION_MS, "EDGELOG_PRODUCER_ID_EXPIRATION_MS", 7 * DAY_MS),
  };
}

function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (ms), got ${JSON.stringify(raw)}`);
  return n;
}
