// The connector plugins edgelog ships, as definitions: class, type, version, config keys (Confluent's
// names where they apply) and the cross-key checks that need the deployment (allowed HTTP hosts,
// declared R2 and Queue bindings). The tasks that run them are in sinks/ and sources/.

import { addError, type ConfigKey, type ConfigValue, type RawConfig } from "./config.js";
import { TOPIC_NAME_PATTERN } from "../protocol/constants.js";
import { hostAllowed } from "./allowlist.js";

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

const topicKey: ConfigKey = {
  name: "topic",
  type: "STRING",
  importance: "HIGH",
  documentation: "The topic the source writes to.",
  validate: (v) => (TOPIC_NAME_PATTERN.test(String(v)) ? undefined : `${JSON.stringify(v)} is not a valid topic name`),
};

const keyRules: ConfigKey[] = [
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

export const HTTP_SINK: ConnectorPlugin = {
  class: "http-sink",
  aliases: ["io.confluent.connect.http.HttpSinkConnector", "HttpSinkConnector"],
  type: "sink",
  version: VERSION,
  config: [
    {
      name: "http.api.url",
      type: "STRING",
      importance: "HIGH",
      group: "Connection",
      documentation: "HTTP API URL. Its host must be allowed by the operator (EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS).",
    },
    {
      name: "request.method",
      type: "STRING",
      default: "POST",
      validValues: ["POST", "PUT", "PATCH"],
      importance: "HIGH",
      group: "Connection",
      documentation: "HTTP request method.",
    },
    {
      name: "headers",
      type: "STRING",
      default: "",
      importance: "MEDIUM",
      group: "Connection",
      documentation: "HTTP headers to send, each Name:Value, separated by header.separator.",
    },
    {
      name: "header.separator",
      type: "STRING",
      default: "|",
      importance: "LOW",
      group: "Connection",
      documentation: "Separator between headers in the headers config.",
    },
    {
      name: "batch.max.size",
      type: "INT",
      default: 100,
      min: 1,
      max: 10_000,
      importance: "HIGH",
      group: "Batching",
      documentation: "The most records sent in one request.",
    },
    {
      name: "batch.json.as.array",
      type: "BOOLEAN",
      default: false,
      importance: "MEDIUM",
      group: "Batching",
      documentation:
        "true: the body is a JSON array of records (application/json); false: JSON lines (application/x-ndjson).",
    },
    {
      name: "http.request.timeout.ms",
      type: "INT",
      default: 30_000,
      min: 1,
      importance: "LOW",
      group: "Retries",
      documentation: "How long a request may take before it counts as failed (and is retried).",
    },
    {
      name: "max.retries",
      type: "INT",
      default: 10,
      min: 0,
      importance: "MEDIUM",
      group: "Retries",
      documentation:
        "How many times a failed request (5xx, 408, 429, a timeout, no connection) is retried before its records are errant.",
    },
    {
      name: "retry.backoff.ms",
      type: "INT",
      default: 3_000,
      min: 0,
      importance: "MEDIUM",
      group: "Retries",
      documentation:
        "The first wait before a retry; it doubles with each retry, capped by errors.retry.delay.max.ms. A Retry-After header takes precedence.",
    },
    {
      name: "idempotency.key.header",
      type: "STRING",
      default: "Idempotency-Key",
      importance: "LOW",
      group: "Connection",
      documentation:
        "Header carrying the batch's identity (topic/partition/first-last offset), the same on every retry; empty to send none.",
    },
  ],
  validate(values, _raw, errors, facts) {
    const url = values["http.api.url"];
    if (typeof url !== "string") return;
    const problem = hostAllowed(url, facts.httpAllowedHosts);
    if (problem) addError(errors, "http.api.url", problem);
    const sep = String(values["header.separator"]);
    const headers = String(values.headers);
    if (headers !== "") {
      for (const h of headers.split(sep)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(h.trim()))
          addError(errors, "headers", `Invalid header ${JSON.stringify(h)}: use Name:Value`);
      }
    }
  },
};

export const HTTP_SOURCE: ConnectorPlugin = {
  class: "http-source",
  aliases: [],
  type: "source",
  version: VERSION,
  config: [
    topicKey,
    ...keyRules,
    {
      name: "key.header",
      type: "STRING",
      default: null,
      importance: "MEDIUM",
      documentation: "A request header whose value becomes the record key (key.pointer takes precedence).",
    },
    {
      name: "ingest.split",
      type: "STRING",
      default: "none",
      validValues: ["none", "array", "lines"],
      importance: "MEDIUM",
      documentation:
        "none: the body is one record; array: each element of a JSON array body is a record; lines: each line of the body is a record.",
    },
    {
      name: "hmac.secret",
      type: "PASSWORD",
      default: null,
      importance: "HIGH",
      group: "Security",
      documentation:
        "Shared secret: requests signed with it (HMAC of the raw body) are accepted without a token. Without it, requests need a token that may produce to the topic.",
    },
    {
      name: "hmac.header",
      type: "STRING",
      default: "X-Signature-256",
      importance: "MEDIUM",
      group: "Security",
      documentation: "The request header holding the signature (hex, after hmac.prefix).",
    },
    {
      name: "hmac.algorithm",
      type: "STRING",
      default: "HmacSHA256",
      validValues: ["HmacSHA1", "HmacSHA256", "HmacSHA512"],
      importance: "LOW",
      group: "Security",
      documentation: "The signature's algorithm.",
    },
    {
      name: "hmac.prefix",
      type: "STRING",
      default: "sha256=",
      importance: "LOW",
      group: "Security",
      documentation: "Text before the hex signature in the header (GitHub's sha256=); empty for none.",
    },
    {
      name: "idempotency.header",
      type: "STRING",
      default: "Idempotency-Key",
      importance: "LOW",
      documentation:
        "A request header naming the delivery: a delivery already written is answered again without writing twice.",
    },
    {
      name: "headers.forward",
      type: "LIST",
      default: [],
      importance: "LOW",
      documentation: "Request headers copied into each record's headers.",
    },
  ],
  validate(values, _raw, errors) {
    const secret = values["hmac.secret"];
    if (secret !== null && String(secret).length < 16)
      addError(errors, "hmac.secret", "Use a secret of at least 16 characters");
  },
};

export const R2_SINK: ConnectorPlugin = {
  class: "r2-sink",
  aliases: [],
  type: "sink",
  version: VERSION,
  config: [
    {
      name: "r2.bucket.binding",
      type: "STRING",
      default: "ARCHIVE",
      importance: "HIGH",
      group: "Storage",
      documentation: "The R2 bucket binding (declared in wrangler.toml) objects are written to.",
    },
    {
      name: "topics.dir",
      type: "STRING",
      default: "connect",
      importance: "HIGH",
      group: "Storage",
      documentation:
        "Top-level directory of the object keys: <topics.dir>/<topic>/<partition>/<yyyy-MM-dd>/<startOffset>.<ext>.",
    },
    {
      name: "flush.size",
      type: "INT",
      default: 1_000,
      min: 1,
      max: 1_000_000,
      importance: "HIGH",
      group: "Storage",
      documentation: "Number of records written to one object.",
    },
    {
      name: "rotate.interval.ms",
      type: "LONG",
      default: -1,
      min: -1,
      importance: "HIGH",
      group: "Storage",
      documentation: "Close an open object this long after its first record arrived (wall clock); -1 disables.",
    },
    {
      name: "format.class",
      type: "STRING",
      default: "json",
      validValues: [
        "json",
        "parquet",
        "io.confluent.connect.s3.format.json.JsonFormat",
        "io.confluent.connect.s3.format.parquet.ParquetFormat",
      ],
      importance: "HIGH",
      group: "Storage",
      documentation: "json: JSON lines (.jsonl); parquet: Parquet (.parquet).",
    },
    {
      name: "parquet.codec",
      type: "STRING",
      default: "snappy",
      validValues: ["none", "snappy"],
      importance: "LOW",
      group: "Storage",
      documentation: "Compression of Parquet pages.",
    },
  ],
  validate(values, _raw, errors, facts) {
    const b = String(values["r2.bucket.binding"]);
    if (!facts.r2Bindings.includes(b))
      addError(
        errors,
        "r2.bucket.binding",
        `No R2 bucket binding ${b} in this deployment (declared: ${facts.r2Bindings.join(", ") || "none"})`,
      );
    const dir = String(values["topics.dir"]);
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(dir))
      addError(errors, "topics.dir", "Use path segments of [A-Za-z0-9._-] separated by /");
    // The archive bucket keeps edgelog's own segments under topics/.
    if (b === "ARCHIVE" && (dir === "topics" || dir.startsWith("topics/")))
      addError(errors, "topics.dir", "topics/ in the ARCHIVE bucket holds edgelog's segments; pick another directory");
  },
};

export const QUEUES_SINK: ConnectorPlugin = {
  class: "queues-sink",
  aliases: [],
  type: "sink",
  version: VERSION,
  config: [
    {
      name: "queue.binding",
      type: "STRING",
      importance: "HIGH",
      documentation: "The Queue producer binding (declared in wrangler.toml) messages are sent to.",
    },
    {
      name: "batch.max.size",
      type: "INT",
      default: 100,
      min: 1,
      max: QUEUE_BATCH_MAX_MESSAGES,
      importance: "MEDIUM",
      documentation: "The most messages per sendBatch (Queues allows 100).",
    },
    {
      name: "queue.message.format",
      type: "STRING",
      default: "envelope",
      validValues: ["envelope", "value"],
      importance: "MEDIUM",
      documentation:
        "envelope: {topic, partition, offset, key, value, headers, timestamp}; value: the record value alone.",
    },
  ],
  validate(values, _raw, errors, facts) {
    const b = values["queue.binding"];
    if (typeof b === "string" && !facts.queueProducers.includes(b))
      addError(
        errors,
        "queue.binding",
        `No Queue producer binding ${b} in this deployment (declared: ${facts.queueProducers.join(", ") || "none"}); declare one in wrangler.toml`,
      );
  },
};

export const QUEUES_SOURCE: ConnectorPlugin = {
  class: "queues-source",
  aliases: [],
  type: "source",
  version: VERSION,
  config: [
    topicKey,
    ...keyRules,
    {
      name: "queue.name",
      type: "STRING",
      importance: "HIGH",
      documentation:
        "The queue whose consumer is this Worker ([[queues.consumers]] in wrangler.toml); its batches are written to the topic.",
    },
  ],
};

export const CONNECTOR_PLUGINS: readonly ConnectorPlugin[] = [
  HTTP_SINK,
  HTTP_SOURCE,
  R2_SINK,
  QUEUES_SINK,
  QUEUES_SOURCE,
];

export function connectorPlugin(name: string): ConnectorPlugin | undefined {
  return CONNECTOR_PLUGINS.find((p) => p.class === name || p.aliases.includes(name));
}
