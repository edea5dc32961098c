// The Hono environment type shared by every route module.

import type { Env } from "../env.js";
import type { Principal } from "../auth/principal.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Who is calling, set by the auth middleware on every non-public route. */
    principal: Principal;
  };
}
