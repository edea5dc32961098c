// What a Worker exchanges with a member host object (MemberHostDO): its RPC methods, the spec of
// what it runs and the status it reports.

import type { Result } from "../protocol/errors.js";

/** One hosted group member (named per application instance). Every method answers a Result. */
export interface MemberHostRpc {
  /** Runs `spec` here (idempotent: the same spec keeps running; another replaces it). */
  start(spec: HostSpec): Promise<Result<HostStatus>>;
  /** Stops: final commit, the group left, nothing scheduled. */
  stop(): Promise<Result<null>>;
  /** Restarts what runs here (a FAILED kind too): closed (final commit, group left), then run afresh. */
  restart(): Promise<Result<HostStatus>>;
  status(): Promise<Result<HostStatus>>;
}

/** A spec setting: JSON values a level deep (RPC types cannot check arbitrarily deep JSON). */
export type SpecValue = string | number | boolean | null | (string | number | boolean | null)[];

/** What a host object is asked to run; stored in the object, so it survives restarts. */
export interface HostSpec {
  /** The registered kind, e.g. "streams". */
  kind: string;
  /** What the kind runs, e.g. an application id. */
  name: string;
  /** Kind-specific settings. */
  config?: Record<string, SpecValue>;
  /** Bearer token for the in-process calls; default the deployment's admin token when auth is on. */
  token?: string;
}

export interface HostStatus {
  spec: HostSpec | null;
  running: boolean;
  member_id: string | null;
  assignment: { topic: string; partition: number }[];
  failures: number;
  last_error: string | null;
  /** The kind gave up (HostedFailure): nothing runs until start or restart; `trace` says why. */
  failed: boolean;
  trace: string | null;
}
