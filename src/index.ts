// Worker entry: the Hono app, plus the Durable Object classes wrangler binds.

import { createApp } from "./router/app.js";

export { ClusterDO } from "./controller/cluster-do.js";
export { PartitionDO } from "./partition/partition-do.js";
export { GroupCoordinatorDO } from "./coordinator/coordinator-do.js";
export { MirrorDO } from "./mirror/mirror-do.js";
export { SchemaRegistryDO } from "./registry/registry-do.js";

export default createApp();
