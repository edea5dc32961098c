// The bindings as the Worker's own code types them (each object namespace by its RPC contract), for
// tests that hand `env` to src functions; the test env types the same namespaces by their classes.

import { env } from "cloudflare:workers";
import type { Env } from "../../src/env.js";

export const appEnv = env as unknown as Env;
