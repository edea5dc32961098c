// The Hono environment type shared by every route module.

import type { Env } from "../env.js";
import type { Principal } from "../auth/principal.js";
import type { TraceParent } from "../protocol/trace-context.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Who is calling, set by the auth middleware on every non-public route. */
    principal: Principal;
    /** The error code answered, set by errorResponse (router/errors.ts) for the request's metrics. */
    errorCode: string;
    /** This request's span, when the caller sent a traceparent (router/observe.ts). */
    trace: TraceParent;
    /** When the produce route took the request, kept only with EDGELOG_BENCH_TRACE=on (metrics/bench-trace.ts). */
    benchRecvAt: number;
  };
}
