// The Worker's bindings, as wrangler.toml declares them: the object namespaces, each typed by its
// RPC contract (src/contracts), the R2 bucket, and the EDGELOG_* variables (src/settings.ts).

import type { ClusterRpc } from "./contracts/cluster.js";
import type { ConnectorRpc } from "./contracts/connector.js";
import type { CoordinatorRpc } from "./contracts/coordinator.js";
import type { ElectionRpc } from "./contracts/election.js";
import type { MemberHostRpc } from "./contracts/host.js";
import type { MetricsRpc } from "./contracts/metrics.js";
import type { MirrorRpc } from "./contracts/mirror.js";
import type { PartitionRpc } from "./contracts/partition.js";
import type { RegistryRpc } from "./contracts/registry.js";
import type { TxnCoordinatorRpc } from "./contracts/transactions.js";
import type { Variables } from "./settings.js";

/** A namespace whose objects answer the contract's RPC methods (the class behind it implements it). */
type Objects<Contract> = DurableObjectNamespace<Contract & Rpc.DurableObjectBranded>;

export interface Env extends Variables {
  CLUSTER: Objects<ClusterRpc>;
  PARTITION: Objects<PartitionRpc>;
  COORDINATOR: Objects<CoordinatorRpc>;
  MIRROR: Objects<MirrorRpc>;
  REGISTRY: Objects<RegistryRpc>;
  /** Group members hosted in objects (Worker-mode streams tasks; connector sink tasks later). */
  MEMBER_HOST: Objects<MemberHostRpc>;
  TXN_COORDINATOR: Objects<TxnCoordinatorRpc>;
  /** The voters of each geo-replicated topic's election authority (leader failover). */
  ELECTION: Objects<ElectionRpc>;
  /** One object per connector: its config, state, token, and a source connector's task and offsets. */
  CONNECTOR: Objects<ConnectorRpc>;
  /** Metrics aggregates (src/telemetry): a scrape reads these, never the partitions. */
  METRICS: Objects<MetricsRpc>;
  ARCHIVE: R2Bucket;
  /** Optional Workers Analytics Engine dataset: partitions write a data point per interval when bound. */
  ANALYTICS?: AnalyticsEngineDataset;
}
