// Topic configuration: Kafka's key names, Kafka's defaults, validated in one place.

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
}

export type TopicConfigKey = keyof TopicConfig;

const DAY_MS = 86_400_000;

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  "cleanup.policy": "delete",
  "retention.ms": 7 * DAY_MS,
  "retention.bytes": -1,
  "segment.bytes": 1024 * 1024 * 1024,
  "segment.ms": 7 * DAY_MS,
  "max.message.bytes": 1_048_588,
  "message.timestamp.type": "CreateTime",
  "delete.retention.ms": DAY_MS,
  "min.insync.replicas": 1,
  "replica.regions": [],
  // A broker setting in Kafka (same default); per topic here, where each topic has its own followers.
  "replica.lag.time.max.ms": 30_000,
});

/** Cloudflare location hints (https://developers.cloudflare.com/durable-objects/reference/data-location/). */
export const REPLICA_REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;

type Parser = (value: unknown, key: string) => unknown;

function integer(min: number, max: number, allowMinusOne = false): Parser {
  return (value, key) => {
    // Kafka configs arrive as strings from Kafka tooling; accept numeric strings too.
    const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isSafeInteger(n)) {
      throw new EdgelogError("INVALID_CONFIG", `${key} must be an integer, got ${JSON.stringify(value)}`);
    }
    if (allowMinusOne && n === -1) return n;
    if (n < min || n > max) {
      const range = `${allowMinusOne ? "-1 or " : ""}${min}..${max}`;
      throw new EdgelogError("INVALID_CONFIG", `${key} must be ${range}, got ${n}`);
    }
    return n;
  };
}

function oneOf<T extends string>(choices: readonly T[], normalise: (s: string) => string = (s) => s): Parser {
  return (value, key) => {
    const v = typeof value === "string" ? normalise(value) : value;
    if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `${key} must be one of ${choices.join(" | ")}, got ${JSON.stringify(value)}`,
      );
    }
    return v;
  };
}

const regions: Parser = (input, key) => {
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
};

const MAX_MS = 100 * 365 * DAY_MS;
export const MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;

const PARSERS: Record<TopicConfigKey, Parser> = {
  // "delete,compact" is Kafka's other spelling of the same list.
  "cleanup.policy": oneOf(["delete", "compact", "compact,delete"], (s) =>
    s
      .split(",")
      .map((p) => p.trim())
      .sort()
      .join(","),
  ),
  "retention.ms": integer(1, MAX_MS, true),
  "retention.bytes": integer(1, Number.MAX_SAFE_INTEGER, true),
  // One sealed segment is one streamed R2 PUT from one alarm; 1 GiB (Kafka's default) bounds it.
  "segment.bytes": integer(1024, MAX_SEGMENT_BYTES),
  "segment.ms": integer(1, MAX_MS),
  "max.message.bytes": integer(64, MAX_BATCH_BYTES_CEILING),
  "message.timestamp.type": oneOf(["CreateTime", "LogAppendTime"]),
  "delete.retention.ms": integer(0, MAX_MS),
  "min.insync.replicas": integer(1, 1 + REPLICA_REGIONS.length),
  "replica.regions": regions,
  "replica.lag.time.max.ms": integer(10, 3_600_000),
};

export const TOPIC_CONFIG_KEYS = Object.keys(PARSERS) as TopicConfigKey[];

/** Validates a partial config (unknown keys rejected) and returns it normalised. */
export function parseTopicConfig(input: unknown): Partial<TopicConfig> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new EdgelogError("INVALID_CONFIG", "config must be an object of Kafka config names to values");
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const parse = PARSERS[key as TopicConfigKey];
    if (!parse) {
      throw new EdgelogError(
        "INVALID_CONFIG",
        `unknown config ${JSON.stringify(key)}; known: ${TOPIC_CONFIG_KEYS.join(", ")}`,
      );
    }
    out[key] = parse(value, key);
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
