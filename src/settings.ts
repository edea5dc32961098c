// The EDGELOG_* variables as one spec table (key, type, default, bounds, doc), as topic configs are
// in protocol/topic-config.ts: parsing and validation are derived from it, and so is the table in
// docs/operations.md (scripts/docs/tables.ts). Workers-free: the bindings type (env.ts) extends Variables.

import {
  FETCH_MAX_WAIT_MS,
  GROUP_DEFAULT_SESSION_TIMEOUT_MS,
  GROUP_MAX_SESSION_TIMEOUT_MS,
  GROUP_MAX_SIZE,
  GROUP_MIN_SESSION_TIMEOUT_MS,
  MAX_TOPICS,
} from "./protocol/constants.js";
import { REPLICA_REGIONS } from "./protocol/topic-config.js";

/** How a variable's text is read. */
export type VariableKind =
  | { kind: "int"; default: number; min: number; max: number; unit?: "ms" }
  | { kind: "choice"; default: string; choices: readonly string[] }
  | { kind: "region"; default: null }
  | { kind: "list"; default: readonly string[] }
  | { kind: "secret"; default: null };

export type VariableSpec = VariableKind & { doc: string };

const DAY_MS = 86_400_000;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export const VARIABLE_SPEC = {
  EDGELOG_AUTH: {
    kind: "choice",
    default: "required",
    choices: ["required", "off"],
    doc: "`off` disables authentication (local use only; never set it in `wrangler.toml`)",
  },
  EDGELOG_ADMIN_TOKEN: {
    kind: "secret",
    default: null,
    doc: "the admin token (`wrangler secret put EDGELOG_ADMIN_TOKEN`)",
  },
  EDGELOG_AUTH_CACHE_MS: {
    kind: "int",
    default: 5_000,
    min: 1,
    // The bound is the documented revocation promise: the cache may be shorter, never longer.
    max: 10_000,
    unit: "ms",
    doc: "how long an isolate trusts a token lookup: a revoked token stops working within this",
  },
  EDGELOG_CORS_ORIGINS: {
    kind: "list",
    default: [],
    doc: "origins allowed to call the API from a browser, comma-separated, or `*`",
  },
  EDGELOG_PRODUCER_ID_EXPIRATION_MS: {
    kind: "int",
    default: 7 * DAY_MS,
    min: 1,
    max: UNBOUNDED,
    unit: "ms",
    doc: "idle idempotent producers' state is forgotten after this (Kafka's `producer.id.expiration.ms`)",
  },
  EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS: {
    kind: "int",
    default: GROUP_MIN_SESSION_TIMEOUT_MS,
    min: 1,
    max: UNBOUNDED,
    unit: "ms",
    doc: "the shortest `session_timeout_ms` a group member may ask for (Kafka's `group.min.session.timeout.ms`)",
  },
  EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS: {
    kind: "int",
    default: GROUP_MAX_SESSION_TIMEOUT_MS,
    min: 1,
    max: UNBOUNDED,
    unit: "ms",
    doc: "the longest `session_timeout_ms` a group member may ask for (Kafka's `group.max.session.timeout.ms`); not below the minimum",
  },
  EDGELOG_GROUP_METADATA_MAX_AGE_MS: {
    kind: "int",
    default: 5_000,
    min: 0,
    max: UNBOUNDED,
    unit: "ms",
    doc: "how long a group coordinator trusts topic metadata before asking the controller again",
  },
  EDGELOG_GROUP_MAX_SIZE: {
    kind: "int",
    default: GROUP_MAX_SIZE,
    min: 1,
    max: UNBOUNDED,
    doc: "members per consumer group, consumer-protocol and classic alike (Kafka's `group.consumer.max.size`)",
  },
  EDGELOG_MAX_TOPICS: {
    kind: "int",
    default: MAX_TOPICS,
    min: 1,
    max: UNBOUNDED,
    doc: "topics a deployment holds at once, Durable Streams included",
  },
  EDGELOG_STREAM_LONG_POLL_MS: {
    kind: "int",
    default: 20_000,
    min: 1,
    max: 120_000,
    unit: "ms",
    doc: "how long a Durable Streams long-poll (and each SSE wait) parks at the tail",
  },
  EDGELOG_REPLICA_REGION: {
    kind: "region",
    default: null,
    doc: "the region `replica=nearest` reads resolve as (a location hint such as `weur`); unset on Cloudflare, where each request's `request.cf` decides; set it locally, where every request comes from one machine",
  },
  EDGELOG_MIRROR_WAIT_MS: {
    kind: "int",
    default: 10_000,
    min: 0,
    max: FETCH_MAX_WAIT_MS,
    unit: "ms",
    doc: "how long a caught-up mirror long-polls its source before asking again",
  },
  EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS: {
    kind: "list",
    default: [],
    doc: "hosts an [http-sink](connectors.md#http-sink) may call: comma-separated `host`, `host:port` or `*.suffix`; unset allows none",
  },
  EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT: {
    kind: "choice",
    default: "disabled",
    choices: ["disabled", "enabled"],
    doc: "Kafka Connect's `exactly.once.source.support`: `enabled` makes every source connector write each delivery and its source offset in one [transaction](connectors.md#exactly-once-sources-kip-618)",
  },
  EDGELOG_METRICS_PUSH_MS: {
    kind: "int",
    default: 10_000,
    min: 0,
    max: 3_600_000,
    unit: "ms",
    doc: "how often at most a partition or group pushes changed counters to its metrics aggregate (from an alarm while it is active): what a scrape can lag behind",
  },
  EDGELOG_METRICS_CACHE_MS: {
    kind: "int",
    default: 5_000,
    min: 0,
    max: 300_000,
    unit: "ms",
    doc: "how long an isolate reuses a `/metrics` answer (0: every scrape reads the aggregates)",
  },
  EDGELOG_ANALYTICS_INTERVAL_MS: {
    kind: "int",
    default: 60_000,
    min: 1_000,
    max: 3_600_000,
    unit: "ms",
    doc: "with an `ANALYTICS` Workers Analytics Engine binding: at most one data point per partition per this interval, written by pushes that happen anyway",
  },
  EDGELOG_BENCH_TRACE: {
    kind: "choice",
    default: "off",
    choices: ["off", "on"],
    doc: "benchmarks only: `on` keeps per-hop timestamps of each produced record (router receive, append, wake, SSE read) in the isolate and answers them at `/_bench/trace/<topic>/<partition>` ([performance.md](performance.md#latency)); leave `off` in production",
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLE_SPEC;

/** The variables as the Worker receives them: text, or unset. */
export type Variables = { [K in VariableName]?: string };

/** What each kind of variable parses to. */
type Parsed<S> = S extends { kind: "int" }
  ? number
  : S extends { kind: "choice"; choices: readonly (infer C)[] }
    ? C
    : S extends { kind: "list" }
      ? readonly string[]
      : string | null;

/**
 * One variable, parsed and checked against its spec (the default when unset or empty). A value
 * that does not parse throws an Error naming the variable and what it accepts: a misconfiguration
 * is the operator's to fix, so it surfaces as a server error, never a 4xx.
 */
export function variable<K extends VariableName>(env: Variables, key: K): Parsed<(typeof VARIABLE_SPEC)[K]> {
  const spec: VariableSpec = VARIABLE_SPEC[key];
  const raw = env[key];
  const unset = raw === undefined || raw === "";
  const fail = (expected: string) => new Error(`${key} must be ${expected}, got ${JSON.stringify(raw)}`);
  let value: unknown;
  switch (spec.kind) {
    case "int": {
      value = unset ? spec.default : Number(raw);
      const n = value as number;
      if (!Number.isSafeInteger(n) || n < spec.min || n > spec.max) {
        throw fail(`an integer at least ${spec.min}${spec.max < UNBOUNDED ? ` and at most ${spec.max}` : ""}`);
      }
      break;
    }
    case "choice":
      value = unset ? spec.default : raw;
      if (!spec.choices.includes(value as string)) {
        throw fail(spec.choices.map((c) => `"${c}"${c === spec.default ? " (the default)" : ""}`).join(" or "));
      }
      break;
    case "region":
      value = unset ? null : raw;
      if (value !== null && !(REPLICA_REGIONS as readonly string[]).includes(value as string)) {
        throw fail(`one of ${REPLICA_REGIONS.join(", ")}`);
      }
      break;
    case "list":
      value = (raw ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
      break;
    case "secret":
      value = unset ? null : raw;
      break;
  }
  return value as Parsed<(typeof VARIABLE_SPEC)[K]>;
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
  /** Metrics: push interval, scrape cache, Analytics Engine interval (EDGELOG_METRICS_*, EDGELOG_ANALYTICS_*). */
  metrics: { pushMs: number; cacheMs: number; analyticsMs: number };
  /** Benchmarks only: per-hop timestamps of each record (src/metrics/bench-trace.ts). */
  benchTrace: boolean;
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

/** Parses the variables once per env object, so routes can ask on every request. */
export function readSettings(env: Variables): Settings {
  let settings = parsed.get(env);
  if (!settings) parsed.set(env, (settings = parseSettings(env)));
  return settings;
}

const parsed = new WeakMap<Variables, Settings>();

function parseSettings(env: Variables): Settings {
  const min = variable(env, "EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS");
  const max = variable(env, "EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS");
  if (min > max) {
    throw new Error(
      `EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS (${min}) must not exceed EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS (${max})`,
    );
  }
  return {
    producerIdExpirationMs: variable(env, "EDGELOG_PRODUCER_ID_EXPIRATION_MS"),
    replicaRegion: variable(env, "EDGELOG_REPLICA_REGION"),
    streamLongPollMs: variable(env, "EDGELOG_STREAM_LONG_POLL_MS"),
    mirrorWaitMs: variable(env, "EDGELOG_MIRROR_WAIT_MS"),
    maxTopics: variable(env, "EDGELOG_MAX_TOPICS"),
    metrics: {
      pushMs: variable(env, "EDGELOG_METRICS_PUSH_MS"),
      cacheMs: variable(env, "EDGELOG_METRICS_CACHE_MS"),
      analyticsMs: variable(env, "EDGELOG_ANALYTICS_INTERVAL_MS"),
    },
    benchTrace: variable(env, "EDGELOG_BENCH_TRACE") === "on",
    group: {
      minSessionTimeoutMs: min,
      maxSessionTimeoutMs: max,
      defaultSessionTimeoutMs: Math.min(max, Math.max(min, GROUP_DEFAULT_SESSION_TIMEOUT_MS)),
      metadataMaxAgeMs: variable(env, "EDGELOG_GROUP_METADATA_MAX_AGE_MS"),
      maxSize: variable(env, "EDGELOG_GROUP_MAX_SIZE"),
    },
  };
}

export type AuthMode = "required" | "off";

export interface AuthSettings {
  mode: AuthMode;
  adminToken: string | undefined;
  /** Scoped-token cache lifetime: a revoked token stops working within this. */
  cacheMs: number;
  corsOrigins: readonly string[];
}

/** Parses the auth variables. An unrecognised EDGELOG_AUTH fails closed with a message naming the choices. */
export function readAuthSettings(
  env: Pick<Variables, "EDGELOG_AUTH" | "EDGELOG_ADMIN_TOKEN" | "EDGELOG_AUTH_CACHE_MS" | "EDGELOG_CORS_ORIGINS">,
): AuthSettings {
  return {
    mode: variable(env, "EDGELOG_AUTH"),
    adminToken: variable(env, "EDGELOG_ADMIN_TOKEN") ?? undefined,
    cacheMs: variable(env, "EDGELOG_AUTH_CACHE_MS"),
    corsOrigins: variable(env, "EDGELOG_CORS_ORIGINS"),
  };
}
