// The EDGELOG_* variables: what wrangler.toml (or `wrangler secret`) may set, parsed and validated
// once into Settings. Workers-free: the bindings type (env.ts) extends Variables.

import {
  FETCH_MAX_WAIT_MS,
  GROUP_DEFAULT_SESSION_TIMEOUT_MS,
  GROUP_MAX_SESSION_TIMEOUT_MS,
  GROUP_MAX_SIZE,
  MAX_TOPICS,
  GROUP_MIN_SESSION_TIMEOUT_MS,
} from "./protocol/constants.js";
import { REPLICA_REGIONS } from "./protocol/topic-config.js";

/** The variables, as strings (unset: undefined). */
export interface Variables {
  /** "off" disables authentication for local runs and tests; unset or "required" requires it. Never set for deploys. */
  EDGELOG_AUTH?: string;
  /** Secret: the admin token (`wrangler secret put EDGELOG_ADMIN_TOKEN`). */
  EDGELOG_ADMIN_TOKEN?: string;
  /** How long an isolate trusts a looked-up scoped token (ms, at most 10000): the revocation bound. */
  EDGELOG_AUTH_CACHE_MS?: string;
  /** Comma-separated origins browsers may call from (`*` for any); unset allows none. */
  EDGELOG_CORS_ORIGINS?: string;
  EDGELOG_PRODUCER_ID_EXPIRATION_MS?: string;
  /** Consumer-group session timeout bounds in ms (defaults 6000 and 300000, as Kafka's). */
  EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS?: string;
  EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS?: string;
  /** How long a coordinator trusts topic metadata before asking the controller again (default 5000). */
  EDGELOG_GROUP_METADATA_MAX_AGE_MS?: string;
  /** Most members per group, consumer-protocol and classic alike (default 200, Kafka's group.consumer.max.size). */
  EDGELOG_GROUP_MAX_SIZE?: string;
  /** Most topics (Durable Streams included) a deployment holds at once (default 10000). */
  EDGELOG_MAX_TOPICS?: string;
  /** How long a Durable Streams long-poll (and each SSE wait) parks at the tail, in ms (default 20000). */
  EDGELOG_STREAM_LONG_POLL_MS?: string;
  /**
   * The region this Worker serves readers in, for `replica=nearest` (a location hint such as
   * `weur`). Unset on Cloudflare, where each request's own location (`request.cf`) decides; set
   * it locally, where every request comes from the same machine.
   */
  EDGELOG_REPLICA_REGION?: string;
  /** How long a caught-up mirror long-polls its source before asking again, in ms (default 10000). */
  EDGELOG_MIRROR_WAIT_MS?: string;
}

export interface Settings {
  /** Kafka's producer.id.expiration.ms: idle producers' dedup state is forgotten after this. */
  producerIdExpirationMs: number;
  /** How long a Durable Streams long-poll (and each SSE wait) parks at the tail. */
  streamLongPollMs: number;
  /** How long a caught-up mirror long-polls its source before asking again. */
  mirrorWaitMs: number;
  /** Most topics at once (EDGELOG_MAX_TOPICS). */
  maxTopics: number;
  group: GroupSettings;
  /** Overrides the reader's region for nearest-replica reads (null: from request.cf). */
  replicaRegion: string | null;
}

export interface GroupSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  defaultSessionTimeoutMs: number;
  /** How long a coordinator trusts topic metadata before asking the controller again. */
  metadataMaxAgeMs: number;
  /** Most members per group. */
  maxSize: number;
}

const DAY_MS = 86_400_000;

/**
 * Parses the optional variables, failing loudly on a value that is not what it should be: a
 * misconfiguration is the operator's to fix, so it surfaces as a server error, never a 4xx.
 */
export function readSettings(env: Variables): Settings {
  let settings = parsed.get(env);
  if (!settings) parsed.set(env, (settings = parseSettings(env)));
  return settings;
}

/** Settings per env object, so routes can ask on every request without parsing again. */
const parsed = new WeakMap<Variables, Settings>();

function parseSettings(env: Variables): Settings {
  const min = intVar(
    env.EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS,
    "EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS",
    GROUP_MIN_SESSION_TIMEOUT_MS,
  );
  const max = intVar(
    env.EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS,
    "EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS",
    GROUP_MAX_SESSION_TIMEOUT_MS,
  );
  if (min > max) {
    throw new Error(
      `EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS (${min}) must not exceed EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS (${max})`,
    );
  }
  return {
    producerIdExpirationMs: intVar(
      env.EDGELOG_PRODUCER_ID_EXPIRATION_MS,
      "EDGELOG_PRODUCER_ID_EXPIRATION_MS",
      7 * DAY_MS,
    ),
    replicaRegion: regionVar(env.EDGELOG_REPLICA_REGION),
    streamLongPollMs: intVar(env.EDGELOG_STREAM_LONG_POLL_MS, "EDGELOG_STREAM_LONG_POLL_MS", 20_000, 1, 120_000),
    mirrorWaitMs: intVar(env.EDGELOG_MIRROR_WAIT_MS, "EDGELOG_MIRROR_WAIT_MS", 10_000, 0, FETCH_MAX_WAIT_MS),
    maxTopics: intVar(env.EDGELOG_MAX_TOPICS, "EDGELOG_MAX_TOPICS", MAX_TOPICS),
    group: {
      minSessionTimeoutMs: min,
      maxSessionTimeoutMs: max,
      defaultSessionTimeoutMs: Math.min(max, Math.max(min, GROUP_DEFAULT_SESSION_TIMEOUT_MS)),
      metadataMaxAgeMs: intVar(env.EDGELOG_GROUP_METADATA_MAX_AGE_MS, "EDGELOG_GROUP_METADATA_MAX_AGE_MS", 5_000, 0),
      maxSize: intVar(env.EDGELOG_GROUP_MAX_SIZE, "EDGELOG_GROUP_MAX_SIZE", GROUP_MAX_SIZE),
    },
  };
}

/** An integer variable in [min, max] (mostly ms), or the fallback when unset. */
function intVar(
  raw: string | undefined,
  name: string,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const upper = max < Number.MAX_SAFE_INTEGER ? ` and at most ${max}` : "";
    throw new Error(`${name} must be an integer at least ${min}${upper}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export type AuthMode = "required" | "off";

export interface AuthSettings {
  mode: AuthMode;
  adminToken: string | undefined;
  /** Scoped-token cache lifetime: a revoked token stops working within this. */
  cacheMs: number;
  corsOrigins: readonly string[];
}

/** The bound documented for revocation; the cache may be shorter, never longer. */
export const MAX_AUTH_CACHE_MS = 10_000;
const DEFAULT_AUTH_CACHE_MS = 5_000;

/** Parses the auth variables. An unrecognised EDGELOG_AUTH fails closed with a message naming the choices. */
export function readAuthSettings(
  env: Pick<Variables, "EDGELOG_AUTH" | "EDGELOG_ADMIN_TOKEN" | "EDGELOG_AUTH_CACHE_MS" | "EDGELOG_CORS_ORIGINS">,
): AuthSettings {
  const raw = env.EDGELOG_AUTH;
  if (raw !== undefined && raw !== "" && raw !== "off" && raw !== "required") {
    throw new Error(`EDGELOG_AUTH must be "required" (the default) or "off", got ${JSON.stringify(raw)}`);
  }
  // The bound is the documented revocation promise: the cache may be shorter, never longer.
  const cacheMs = intVar(
    env.EDGELOG_AUTH_CACHE_MS,
    "EDGELOG_AUTH_CACHE_MS",
    DEFAULT_AUTH_CACHE_MS,
    1,
    MAX_AUTH_CACHE_MS,
  );
  return {
    mode: raw === "off" ? "off" : "required",
    adminToken: env.EDGELOG_ADMIN_TOKEN || undefined,
    cacheMs,
    corsOrigins: (env.EDGELOG_CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== ""),
  };
}

function regionVar(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  if (!(REPLICA_REGIONS as readonly string[]).includes(value)) {
    throw new Error(
      `EDGELOG_REPLICA_REGION must be one of ${REPLICA_REGIONS.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
