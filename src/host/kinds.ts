// What member hosts can run, by kind: a Worker's entry module registers its kinds (streams
// applications, connector sink tasks) and the host objects of that Worker look them up by name.

import type { Env } from "../env.js";
import { EdgelogError } from "../protocol/errors.js";
import type { HostSpec } from "../contracts/host.js";
import type { GroupMember } from "./member.js";

export interface HostContext {
  spec: HostSpec;
  /** The host object's name: unique per instance, used as the member's static instance id. */
  objectName: string;
  /** fetch into this deployment's router, in-process (a deployed Worker cannot fetch its own URL). */
  fetch: typeof fetch;
  /** The base URL to give a client that uses `fetch` (any URL: requests never leave the isolate). */
  url: string;
  token?: string;
  /** The host object's own SQLite, for state the kind keeps (streams' stores). */
  sql: SqlStorage;
  /** The Worker's bindings, for kinds that write elsewhere (a connector's R2 bucket or Queue). */
  env: Env;
}

/** A running member as the host drives it. */
export interface HostedMember {
  member: GroupMember;
  /** Requests addressed to this host object (e.g. interactive queries). */
  fetch?(request: Request): Promise<Response>;
  /** Final commit, then leave the group. */
  close(): Promise<void>;
  /** After a failure: give everything up without committing. */
  abandon(): Promise<void>;
}

export type HostedKind = (ctx: HostContext) => Promise<HostedMember>;

/**
 * Thrown by a kind that gives up (a connector task whose errors.tolerance=none met a bad record):
 * the host stops running it, without retrying, and reports it failed with this error's stack
 * until `start` or `restart` runs it again. Any other failure is retried with backoff.
 */
export class HostedFailure extends Error {
  override name = "HostedFailure";
}

const kinds = new Map<string, HostedKind>();

export function registerHostedKind(kind: string, factory: HostedKind): void {
  kinds.set(kind, factory);
}

export function hostedKind(kind: string): HostedKind {
  const k = kinds.get(kind);
  if (!k) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `no member-host kind ${JSON.stringify(kind)} is registered in this Worker; its entry module must register it (known: ${[...kinds.keys()].join(", ") || "none"})`,
    );
  }
  return k;
}
