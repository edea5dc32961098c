// Types for cloudflare:workers `env` and `exports` inside the tests.
declare namespace Cloudflare {
  interface Env extends import("../src/env.js").Env {}
  interface GlobalProps {
    mainModule: typeof import("../src/index.js");
    durableNamespaces: "ClusterDO" | "PartitionDO" | "GroupCoordinatorDO";
  }
}
