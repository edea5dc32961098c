// The wrangler dev servers e2e files share. The e2e project's globalSetup (e2e-servers.ts) spawns
// them once, in the background while the other projects run, and stops them after the run; a
// file whose tests allow it (unique topic, group and token names, no restart or kill, none of
// its own settings) takes one with sharedServer() instead of paying a server start of its own.

import { inject } from "vitest";
import { untilHealthy, type ServerOptions } from "./server.js";

/** The admin token of the shared server that requires authentication. */
export const SHARED_ADMIN_TOKEN = "e2e-shared-admin-secret";

export const SHARED_SERVERS = {
  /** Authentication off; short group session bounds and fresh topic metadata, so group tests move partitions within seconds. */
  open: { vars: { EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS: "1000", EDGELOG_GROUP_METADATA_MAX_AGE_MS: "0" } },
  /**
   * Authentication required, as deployed, with SHARED_ADMIN_TOKEN; sources run exactly once (KIP-618),
   * so a source connector's token carries its transactional grants (connectors-exactly-once-auth).
   */
  auth: {
    vars: {
      EDGELOG_AUTH: "required",
      EDGELOG_ADMIN_TOKEN: SHARED_ADMIN_TOKEN,
      EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT: "enabled",
    },
  },
} satisfies Record<string, ServerOptions>;

export type SharedServerKind = keyof typeof SHARED_SERVERS;

declare module "vitest" {
  export interface ProvidedContext {
    /** Each shared server's URL and the file its output goes to. */
    edgelogServers: Record<SharedServerKind, { url: string; logFile: string }>;
  }
}

export interface SharedServer {
  url: string;
  port: number;
}

/** The shared server of this kind, once it answers (call from beforeAll; never stop it). */
export async function sharedServer(kind: SharedServerKind): Promise<SharedServer> {
  const { url, logFile } = inject("edgelogServers")[kind];
  await untilHealthy(url, 90_000, () => `(its output: ${logFile})`);
  return { url, port: Number(new URL(url).port) };
}
