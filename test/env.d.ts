// Types for cloudflare:workers `env` and `exports` inside the tests. The Worker's own Env types each
// namespace by its RPC contract; tests reach into the objects (runInDurableObject), so here each
// namespace is typed by the class bound to it in the test entry (test/worker.ts).
import type { Env as EdgelogEnv } from "../src/env.js";
import type {
  ClusterDO,
  ConnectorDO,
  GroupCoordinatorDO,
  MemberHostDO,
  MetricsDO,
  MirrorDO,
  PartitionDO,
  SchemaRegistryDO,
  TxnCoordinatorDO,
} from "./worker.js";

declare global {
  namespace Cloudflare {
    interface Env
      extends Omit<
        EdgelogEnv,
        | "CLUSTER"
        | "PARTITION"
        | "COORDINATOR"
        | "MIRROR"
        | "REGISTRY"
        | "MEMBER_HOST"
        | "TXN_COORDINATOR"
        | "CONNECTOR"
        | "METRICS"
      > {
      CLUSTER: DurableObjectNamespace<ClusterDO>;
      PARTITION: DurableObjectNamespace<PartitionDO>;
      COORDINATOR: DurableObjectNamespace<GroupCoordinatorDO>;
      MIRROR: DurableObjectNamespace<MirrorDO>;
      REGISTRY: DurableObjectNamespace<SchemaRegistryDO>;
      MEMBER_HOST: DurableObjectNamespace<MemberHostDO>;
      TXN_COORDINATOR: DurableObjectNamespace<TxnCoordinatorDO>;
      CONNECTOR: DurableObjectNamespace<ConnectorDO>;
      METRICS: DurableObjectNamespace<MetricsDO>;
    }
    interface GlobalProps {
      mainModule: typeof import("./worker.js");
      durableNamespaces:
        | "ClusterDO"
        | "PartitionDO"
        | "GroupCoordinatorDO"
        | "MirrorDO"
        | "SchemaRegistryDO"
        | "MemberHostDO"
        | "TxnCoordinatorDO"
        | "ConnectorDO"
        | "MetricsDO";
    }
  }
}
