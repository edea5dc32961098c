// Topic configuration: Kafka's key names and defaults, declared once as a spec table that
// validation, defaults and the docs' table are all derived from.

import { MAX_BATCH_BYTES_CEILING, MAX_PARTITIONS, TOPIC_NAME_PATTERN } from "./constants.js";
import { EdgelogError } from "./errors.js";

export type CleanupPolicy = "delete" | "compact" | "compact,delete";
export type TimestampType = "CreateTime" | "LogAppendTime";

export interface TopicConfig {
  "cleanup.policy": CleanupPolicy;
  "retention.ms": number;
  "retention.bytes": number;
  "segment.bytes": number;
  "segment.ms": number;
  "max.message.bytes": number;
  "message.timestamp.type": TimestampType;
  "delete.retention.ms": number;
  "min.insync.replicas": number;
  "replica.regions": string[];
  "replica.lag.time.max.ms": number;
  "unclean.leader.election.enable": boolean;
  "confluent.key.schema.validation": boolean;
  "confluent.value.schema.validation": boolean;
  "metrics.max.partition.series": number;
}

export type TopicConfigKey = keyof TopicConfig;

const DAY_MS = 86_400_000;
const MAX_MS = 100 * 365 * DAY_MS;
export const MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;

/** Cloudflare location hints (https://developers.cloudflare.com/durable-objects/reference/data-location/). */
export const REPLICA_REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;

/**
 * What values a key accepts, as data: parsing and the docs' "valid values" column both read it.
 * `int` is an integer range (with `-1` as an extra sentinel when `minusOne` says what it means);
 * `choice` one of a few strings; `regions` a list of location hints.
 */
export type ConfigValidator =
  | { kind: "int"; min: number; max: number; minusOne?: string; unit?: "ms" | "bytes" }
  | { kind: "choice"; choices: readonly string[]; list?: boolean }
  | { kind: "boolean" }
  | { kind: "regions" };

/** One topic config key, declared once (as Kafka's LogConfig defines each key). */
export interface TopicConfigSpec<V> {
  default: V;
  valid: ConfigValidator;
  /** What the key does, for the docs' table: one sentence, Markdown. */
  doc: string;
}

/**
 * Every topic config key: its default, the values it accepts and what it means. Validation,
 * defaults and the docs' table (docs/topics.md, `npm run docs:tables`) all come from here.
 */
export const TOPIC_CONFIG_SPEC: { readonly [K in keyof TopicConfig]: TopicConfigSpec<TopicConfig[K]> } = {
  "cleanup.policy": {
    default: "delete",
    // "delete,compact" is Kafka's other spelling of the same list.
    valid: { kind: "choice", choices: ["delete", "compact", "compact,delete"], list: true },
    doc: "`delete` removes old segments by `retention.*`; `compact` keeps the latest record per key; `compact,delete` does both",
  },
  "retention.ms": {
    default: 7 * DAY_MS,
    valid: { kind: "int", min: 1, max: MAX_MS, minusOne: "keeps forever", unit: "ms" },
    doc: "delete segments whose newest record is older than this",
  },
  "retention.bytes": {
    default: -1,
    valid: { kind: "int", min: 1, max: Number.MAX_SAFE_INTEGER, minusOne: "no limit", unit: "bytes" },
    doc: "per partition: delete the oldest segments while the partition stays at least this big",
  },
  "segment.bytes": {
    default: MAX_SEGMENT_BYTES,
    // One sealed segment is one streamed R2 PUT from one alarm; 1 GiB (Kafka's default) bounds it.
    valid: { kind: "int", min: 1024, max: MAX_SEGMENT_BYTES, unit: "bytes" },
    doc: "seal the hot head into a segment once it reaches this size",
  },
  "segment.ms": {
    default: 7 * DAY_MS,
    valid: { kind: "int", min: 1, max: MAX_MS, unit: "ms" },
    doc: "seal the head once its oldest batch is this old",
  },
  "max.message.bytes": {
    default: 1_048_588,
    valid: { kind: "int", min: 64, max: MAX_BATCH_BYTES_CEILING, unit: "bytes" },
    doc: "the largest record batch (the ceiling stays below SQLite's 2 MB row limit)",
  },
  "message.timestamp.type": {
    default: "CreateTime",
    valid: { kind: "choice", choices: ["CreateTime", "LogAppendTime"] },
    doc: "`CreateTime` keeps the producer's timestamps; `LogAppendTime` stamps each batch with the broker's append time",
  },
  "delete.retention.ms": {
    default: DAY_MS,
    valid: { kind: "int", min: 0, max: MAX_MS, unit: "ms" },
    doc: "how long a compacted topic keeps tombstones after their segment was sealed",
  },
  "min.insync.replicas": {
    default: 1,
    valid: { kind: "int", min: 1, max: 1 + REPLICA_REGIONS.length },
    doc: "replicas (the leader counts) that must be in sync for an `acks=all` write; at most 1 + the number of `replica.regions`",
  },
  "replica.regions": {
    default: [],
    valid: { kind: "regions" },
    doc: "location hints of follower replicas, one per region (a list, or a comma-separated string)",
  },
  "replica.lag.time.max.ms": {
    // A broker setting in Kafka (same default); per topic here, where each topic has its own followers.
    default: 30_000,
    valid: { kind: "int", min: 10, max: 3_600_000, unit: "ms" },
    doc: "a follower behind for longer leaves the in-sync set, and a leader silent for longer is replaced (a broker setting in Kafka; per topic here)",
  },
  "unclean.leader.election.enable": {
    default: false,
    valid: { kind: "boolean" },
    doc: "let a failover elect an out-of-sync replica when no in-sync one is left, losing the records it lacks (describe shows how many); see [failover](geo-replication.md#failover)",
  },
  "confluent.key.schema.validation": {
    default: false,
    valid: { kind: "boolean" },
    doc: "refuse records whose key is not framed with a schema id registered under the subject `<topic>-key` (null keys pass; [schema registry](schema-registry.md#validation-on-produce))",
  },
  "confluent.value.schema.validation": {
    default: false,
    valid: { kind: "boolean" },
    doc: "refuse records whose value is not framed with a schema id registered under the subject `<topic>-value` (tombstones pass)",
  },
  "metrics.max.partition.series": {
    // Caps what one topic adds to a scrape: a 10,000-partition topic must not add 10,000 series per metric.
    default: 128,
    valid: { kind: "int", min: 0, max: 100_000 },
    doc: 'partitions numbered below this get their own series in [`/metrics`](observability.md); the rest are summed under `partition="_other"` (an edgelog key)',
  },
};

export const TOPIC_CONFIG_KEYS = Object.keys(TOPIC_CONFIG_SPEC) as TopicConfigKey[];

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze(
  Object.fromEntries(TOPIC_CONFIG_KEYS.map((k) => [k, TOPIC_CONFIG_SPEC[k].default])) as unknown as TopicConfig,
);

function parseInteger(v: Extract<ConfigValidator, { kind: "int" }>, value: unknown, key: string): number {
  // Kafka configs arrive as strings from Kafka tooling; accept numeric strings too.
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    throw new EdgelogError("INVALID_CONFIG", `${key} must be an integer, got ${JSON.stringify(value)}`);
  }
  if (v.minusOne !== undefined && n === -1) return n;
  if (n < v.min || n > v.max) {
    const range = `${v.minusOne !== undefined ? "-1 or " : ""}${v.min}..${v.max}`;
    throw new EdgelogError("INVALID_CONFIG", `${key} must be ${range}, got ${n}`);
  }
  return n;
}

function parseChoice(v: Extract<ConfigValidator, { kind: "choice" }>, value: unknown, key: string): string {
  const normalised =
    typeof value === "string" && v.list
      ? value
          .split(",")
          .map((p) => p.trim())
          .sort()
          .join(",")
      : value;
  if (typeof normalised !== "string" || !v.choices.includes(normalised)) {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `${key} must be one of ${v.choices.join(" | ")}, got ${JSON.stringify(value)}`,
    );
  }
  return normalised;
}

function parseRegions(input: unknown, key: string): string[] {
  // Kafka tools send list configs as comma-separated strings ("weur,apac"); JSON clients send arrays.
  const value =
    typeof input === "string"
      ? input
          .split(",")
          .map((r) => r.trim())
          .filter((r) => r !== "")
      : input;
  if (!Array.isArray(value))
    throw new EdgelogError("INVALID_CONFIG", `${key} must be an array of region names (or a comma-separated string)`);
  const seen = new Set<string>();
  for (const r of value) {
    if (typeof r !== "string" || !(REPLICA_REGIONS as readonly string[]).includes(r)) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `${key}: unknown region ${JSON.stringify(r)}; use one of ${REPLICA_REGIONS.join(", ")}`,
      );
    }
    if (seen.has(r)) throw new EdgelogError("INVALID_CONFIG", `${key}: region ${r} listed twice`);
    seen.add(r);
  }
  return [...value];
}

function parseBoolean(value: unknown, key: string): boolean {
  // Kafka tools send "true"/"false" strings; JSON clients send booleans.
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new EdgelogError("INVALID_CONFIG", `${key} must be true or false, got ${JSON.stringify(value)}`);
}

/** Parses one value against its key's validator. */
function parseValue(valid: ConfigValidator, value: unknown, key: string): unknown {
  switch (valid.kind) {
    case "boolean":
      return parseBoolean(value, key);
    case "int":
      return parseInteger(valid, value, key);
    case "choice":
      return parseChoice(valid, value, key);
    case "regions":
      return parseRegions(value, key);
  }
}

/** Validates a partial config (unknown keys rejected) and returns it normalised. */
export function parseTopicConfig(input: unknown): Partial<TopicConfig> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new EdgelogError("INVALID_CONFIG", "config must be an object of Kafka config names to values");
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const spec = Object.hasOwn(TOPIC_CONFIG_SPEC, key) ? TOPIC_CONFIG_SPEC[key as TopicConfigKey] : undefined;
    if (!spec) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `unknown config ${JSON.stringify(key)}; known: ${TOPIC_CONFIG_KEYS.join(", ")}`,
      );
    }
    out[key] = parseValue(spec.valid, value, key);
  }
  return out as Partial<TopicConfig>;
}

/** Checks rules that span keys, on the complete merged config. */
export function checkTopicConfig(config: TopicConfig): TopicConfig {
  const replicas = 1 + config["replica.regions"].length;
  if (config["min.insync.replicas"] > replicas) {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `min.insync.replicas (${config["min.insync.replicas"]}) exceeds the replica count (${replicas}: the leader plus replica.regions)`,
    );
  }
  return config;
}

export function validateTopicName(name: unknown): string {
  if (typeof name !== "string" || !TOPIC_NAME_PATTERN.test(name) || name === "." || name === "..") {
    throw new EdgelogError(
      "INVALID_TOPIC_EXCEPTION",
      `invalid topic name ${JSON.stringify(name)}: use 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'`,
    );
  }
  return name;
}

export function validatePartitionCount(n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) {
    throw new EdgelogError(
      "INVALID_PARTITIONS",
      `partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${JSON.stringify(n)}`,
    );
  }
  return n;
}
