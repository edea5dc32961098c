// What a connector plugin is (class, type, version, config keys, the cross-key checks that need the
// deployment) and what validation knows of the deployment; the keys both sources share. The
// plugins themselves are in plugins/, listed in plugins.ts.

import type { ConfigKey, ConfigValue, RawConfig } from "./config.js";
import { TOPIC_NAME_PATTERN } from "../protocol/constants.js";

/** What validation needs to know about the deployment. */
export interface DeploymentFacts {
  /** EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS entries: host, host:port, or *.suffix. */
  httpAllowedHosts: readonly string[];
  /** EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled (Kafka's exactly.once.source.support). */
  exactlyOnceSource: boolean;
  r2Bindings: readonly string[];
  queueProducers: readonly string[];
}

export interface ConnectorPlugin {
  class: string;
  /** Other names connector.class may use (Confluent's class name for the HTTP sink). */
  aliases: readonly string[];
  type: "sink" | "source";
  version: string;
  config: readonly ConfigKey[];
  validate?(
    values: Record<string, ConfigValue>,
    raw: RawConfig,
    errors: Record<string, string[]>,
    facts: DeploymentFacts,
  ): void;
}

export const VERSION = "1.0.0";
/** Cloudflare Queues' largest message (bytes), as Miniflare and the platform enforce it. */
export const QUEUE_MESSAGE_MAX_BYTES = 128_000;
/** Cloudflare Queues' most messages per sendBatch. */
export const QUEUE_BATCH_MAX_MESSAGES = 100;

export const topicKey: ConfigKey = {
  name: "topic",
  type: "STRING",
  importance: "HIGH",
  documentation: "The topic the source writes to.",
  validate: (v) => (TOPIC_NAME_PATTERN.test(String(v)) ? undefined : `${JSON.stringify(v)} is not a valid topic name`),
};

export const keyRules: ConfigKey[] = [
  {
    name: "key.pointer",
    type: "STRING",
    default: null,
    importance: "MEDIUM",
    documentation: "A JSON pointer (RFC 6901, e.g. /user/id) into the body whose value becomes the record key.",
    validate: (v) =>
      v === null || String(v) === "" || String(v).startsWith("/") ? undefined : "a JSON pointer starts with /",
  },
  {
    name: "partition",
    type: "INT",
    default: -1,
    min: -1,
    importance: "LOW",
    documentation: "A fixed partition to write to; -1 partitions by key (murmur2, as Kafka's producer).",
  },
];
