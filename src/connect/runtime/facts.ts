// What a connector's validation needs to know about this deployment, read off its bindings and
// variables: the allowed HTTP hosts, exactly-once source support, the R2 buckets and Queue producers it declares.

import type { Env } from "../../env.js";
import { variable } from "../../settings.js";
import { parseAllowedHosts } from "../allowlist.js";
import type { DeploymentFacts } from "../plugin.js";

const isR2 = (b: unknown) =>
  typeof b === "object" && b !== null && typeof (b as R2Bucket).createMultipartUpload === "function";
const isQueue = (b: unknown) =>
  typeof b === "object" &&
  b !== null &&
  typeof (b as Queue).sendBatch === "function" &&
  typeof (b as Queue).send === "function";

const cache = new WeakMap<object, DeploymentFacts>();

export function deploymentFacts(env: Env): DeploymentFacts {
  let facts = cache.get(env);
  if (!facts) {
    const bindings = Object.entries(env as unknown as Record<string, unknown>);
    facts = {
      httpAllowedHosts: parseAllowedHosts(env.EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS),
      exactlyOnceSource: variable(env, "EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT") === "enabled",
      r2Bindings: bindings.filter(([, b]) => isR2(b)).map(([n]) => n),
      queueProducers: bindings.filter(([, b]) => isQueue(b)).map(([n]) => n),
    };
    cache.set(env, facts);
  }
  return facts;
}
