// The Hono environment type shared by every route module.

import type { Env } from "../env.js";

export interface AppEnv {
  Bindings: Env;
}
