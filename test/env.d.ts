// Types for cloudflare:workers `env` and `exports` inside the tests.
import type { Env as EdgelogEnv } from "../src/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends EdgelogEnv {}
    interface GlobalProps {
      mainModule: typeof import("../src/index.js");
      durableNamespaces:
        | "ClusterDO"
        | "PartitionDO"
        | "GroupCoordinatorDO"
        | "MirrorDO"
        | "SchemaRegistryDO"
        | "MemberHostDO";
    }
  }
}
