// Validating a connector's whole config: the keys every connector has (Kafka's ConnectorConfig,
// SinkConnectorConfig and SourceConnectorConfig), its plugin's own keys, its transformation chain; what its token must grant.

import { CONNECTOR_NAME_PATTERN, TOPIC_NAME_PATTERN } from "../protocol/constants.js";
import {
  addError,
  type ConfigKey,
  type ConfigValue,
  configInfos,
  type ConfigInfos,
  errorCount,
  parseConfig,
  type RawConfig,
} from "./config.js";
import { CONVERTER_NAMES, JSON_CONVERTER, STRING_CONVERTER } from "./converters.js";
import type { ErrorSettings } from "./errors.js";
import type { ConnectorPlugin, DeploymentFacts } from "./plugin.js";
import { connectorPlugin } from "./plugins.js";
import { buildChain, type Chain } from "./transforms/chain.js";

const converterCheck = (v: ConfigValue) =>
  CONVERTER_NAMES.includes(String(v))
    ? undefined
    : `Class ${String(v)} could not be found; use JsonConverter, StringConverter or ByteArrayConverter`;

/** Keys of every connector (Kafka's ConnectorConfig), with edgelog's converter defaults. */
export const COMMON_CONFIG: ConfigKey[] = [
  {
    name: "name",
    type: "STRING",
    importance: "HIGH",
    group: "Common",
    documentation: "Globally unique name to use for this connector.",
  },
  {
    name: "connector.class",
    type: "STRING",
    importance: "HIGH",
    group: "Common",
    documentation:
      "The connector plugin: http-sink, http-source, r2-sink, queues-sink or queues-source (GET /v1/connector-plugins).",
  },
  {
    name: "tasks.max",
    type: "INT",
    default: 1,
    min: 1,
    max: 64,
    importance: "HIGH",
    group: "Common",
    documentation: "Maximum number of tasks to use for this connector.",
  },
  {
    name: "key.converter",
    type: "CLASS",
    default: STRING_CONVERTER,
    importance: "LOW",
    group: "Common",
    documentation: "Converter between a record's key bytes and Connect data.",
    validate: converterCheck,
  },
  {
    name: "value.converter",
    type: "CLASS",
    default: JSON_CONVERTER,
    importance: "LOW",
    group: "Common",
    documentation: "Converter between a record's value bytes and Connect data (JsonConverter is schemaless here).",
    validate: converterCheck,
  },
  {
    name: "value.converter.schemas.enable",
    type: "BOOLEAN",
    default: false,
    importance: "LOW",
    group: "Common",
    documentation: "Schemas embedded in JSON are not supported: only false is accepted.",
    validate: (v) => (v === true ? "JSON with embedded schemas is not supported; set it to false" : undefined),
  },
  {
    name: "key.converter.schemas.enable",
    type: "BOOLEAN",
    default: false,
    importance: "LOW",
    group: "Common",
    documentation: "As value.converter.schemas.enable.",
    validate: (v) => (v === true ? "JSON with embedded schemas is not supported; set it to false" : undefined),
  },
  {
    name: "transforms",
    type: "LIST",
    default: [],
    importance: "LOW",
    group: "Transforms",
    documentation: "Aliases for the transformations to be applied to records.",
  },
  {
    name: "predicates",
    type: "LIST",
    default: [],
    importance: "LOW",
    group: "Predicates",
    documentation: "Aliases for the predicates used by transformations.",
  },
  {
    name: "errors.retry.timeout",
    type: "LONG",
    default: 0,
    min: -1,
    importance: "MEDIUM",
    group: "Error Handling",
    documentation:
      "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
  },
  {
    name: "errors.retry.delay.max.ms",
    type: "LONG",
    default: 60_000,
    min: 1,
    importance: "MEDIUM",
    group: "Error Handling",
    documentation: "The maximum duration in milliseconds between consecutive retry attempts.",
  },
  {
    name: "errors.tolerance",
    type: "STRING",
    default: "none",
    validValues: ["none", "all"],
    importance: "MEDIUM",
    group: "Error Handling",
    documentation:
      "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
  },
  {
    name: "errors.log.enable",
    type: "BOOLEAN",
    default: false,
    importance: "MEDIUM",
    group: "Error Handling",
    documentation: "If true, write each error and the details of the failed operation to the Worker's log.",
  },
];

/** Keys of every sink (Kafka's SinkConnectorConfig), and how often a sink commits. */
export const SINK_CONFIG: ConfigKey[] = [
  {
    name: "topics",
    type: "LIST",
    importance: "HIGH",
    group: "Common",
    documentation: "List of topics to consume, separated by commas.",
    validate: (v) => {
      const list = v as string[];
      if (list.length === 0) return "topics must name at least one topic";
      const bad = list.find((t) => !TOPIC_NAME_PATTERN.test(t));
      return bad === undefined ? undefined : `${JSON.stringify(bad)} is not a valid topic name`;
    },
  },
  {
    name: "errors.deadletterqueue.topic.name",
    type: "STRING",
    default: "",
    importance: "MEDIUM",
    group: "Error Handling",
    documentation:
      "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.",
  },
  {
    name: "errors.deadletterqueue.context.headers.enable",
    type: "BOOLEAN",
    default: false,
    importance: "MEDIUM",
    group: "Error Handling",
    documentation: "If true, add headers containing error context to the messages written to the dead letter queue.",
  },
  {
    name: "errors.deadletterqueue.exactly.once",
    type: "BOOLEAN",
    default: false,
    importance: "LOW",
    group: "Error Handling",
    documentation:
      "edgelog's: write DLQ records in a transaction that also commits the task's offsets (KIP-447), so the DLQ's committed records hold each failed record once across crashes. Needs a DLQ topic; not for r2-sink.",
  },
  {
    name: "offset.flush.interval.ms",
    type: "LONG",
    default: 10_000,
    min: 0,
    importance: "LOW",
    group: "Common",
    documentation:
      "How often the task flushes the sink and commits its offsets (a worker setting in Kafka, per connector here).",
  },
  {
    name: "consumer.override.isolation.level",
    type: "STRING",
    default: "read_uncommitted",
    validValues: ["read_uncommitted", "read_committed"],
    importance: "MEDIUM",
    group: "Common",
    documentation:
      "The sink's consumer isolation.level (a KIP-458 client override): read_committed delivers only committed transactions' records, e.g. those of an exactly-once source.",
  },
];

/** Keys of every source (Kafka's SourceConnectorConfig): exactly-once support (KIP-618). */
export const SOURCE_CONFIG: ConfigKey[] = [
  {
    name: "exactly.once.support",
    type: "STRING",
    default: "requested",
    validValues: ["requested", "required"],
    importance: "MEDIUM",
    group: "Exactly Once Support",
    documentation:
      "required: refuse the config unless this deployment runs sources exactly once (EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled); requested: run exactly once when the deployment does, at least once otherwise.",
  },
  {
    name: "transaction.boundary",
    type: "STRING",
    default: "poll",
    validValues: ["poll", "interval", "connector"],
    importance: "MEDIUM",
    group: "Exactly Once Support",
    documentation:
      "Where a transaction ends. Only poll is supported: each delivery (one webhook request, one queue batch) is one transaction; interval and connector are refused.",
  },
];

export interface ValidatedConnector {
  plugin: ConnectorPlugin;
  name: string;
  values: Record<string, ConfigValue>;
  chain: Chain;
  errors: ErrorSettings;
  /** A source that writes each delivery and its source offset in one transaction (KIP-618). */
  exactlyOnce: boolean;
}

export interface Validation {
  /** Every key's outcome, Kafka's ConfigInfos (what validate answers). */
  infos: ConfigInfos;
  errors: Record<string, string[]>;
  /** Set when there is no error. */
  connector?: ValidatedConnector;
}

/** Validates `raw` for `pluginName` (the path's class for validate, or connector.class). */
export function validateConnector(raw: RawConfig, facts: DeploymentFacts, pluginName?: string): Validation {
  const className = pluginName ?? raw["connector.class"];
  const plugin = className === undefined ? undefined : connectorPlugin(className);
  const keys = [...COMMON_CONFIG, ...typeConfig(plugin?.type), ...(plugin?.config ?? [])];
  const parsed = parseConfig(keys, raw);
  const errors = parsed.errors;
  if (!plugin && className !== undefined && !errors["connector.class"]) {
    addError(
      errors,
      "connector.class",
      `Failed to find any class that implements Connector and which name matches ${className}; see GET /v1/connector-plugins`,
    );
  }
  const name = raw.name;
  if (name !== undefined && !CONNECTOR_NAME_PATTERN.test(name)) {
    addError(errors, "name", "Connector names are 1-200 characters of [a-zA-Z0-9._-]");
  }
  if (plugin?.type === "source" && (parsed.values["tasks.max"] as number) > 1) {
    addError(errors, "tasks.max", `${plugin.class} runs one task; set tasks.max to 1`);
  }
  if (plugin?.type === "source") checkExactlyOnce(parsed.values, errors, facts);
  if (raw["topics.regex"] !== undefined)
    addError(errors, "topics.regex", "topics.regex is not supported; list the topics in topics");
  const dlq = parsed.values["errors.deadletterqueue.topic.name"];
  if (typeof dlq === "string" && dlq !== "") {
    if (!TOPIC_NAME_PATTERN.test(dlq))
      addError(errors, "errors.deadletterqueue.topic.name", `${JSON.stringify(dlq)} is not a valid topic name`);
    if ((parsed.values.topics as string[] | null)?.includes(dlq))
      addError(
        errors,
        "errors.deadletterqueue.topic.name",
        "The DLQ topic cannot be one of the topics the connector consumes",
      );
  }
  if (parsed.values["errors.deadletterqueue.exactly.once"] === true) {
    if (typeof dlq !== "string" || dlq === "")
      addError(errors, "errors.deadletterqueue.exactly.once", "Set errors.deadletterqueue.topic.name too");
    if (plugin?.class === "r2-sink")
      addError(
        errors,
        "errors.deadletterqueue.exactly.once",
        "r2-sink commits each object's offsets as it writes it, apart from its DLQ records: its DLQ stays at least once",
      );
  }
  if (plugin) plugin.validate?.(parsed.values, raw, errors, facts);
  const chain = buildChain(raw, errors);
  const infos = configInfos(plugin?.class ?? className ?? "", keys, raw, errors);
  if (errorCount(errors) > 0 || !plugin || !chain || name === undefined) return { infos, errors };
  const v = parsed.values;
  return {
    infos,
    errors,
    connector: {
      plugin,
      name,
      values: v,
      chain,
      errors: {
        tolerance: v["errors.tolerance"] as "none" | "all",
        retryTimeoutMs: v["errors.retry.timeout"] as number,
        retryDelayMaxMs: v["errors.retry.delay.max.ms"] as number,
        dlqTopic: plugin.type === "sink" && dlq ? (dlq as string) : null,
        dlqContextHeaders: v["errors.deadletterqueue.context.headers.enable"] === true,
        dlqExactlyOnce: plugin.type === "sink" && v["errors.deadletterqueue.exactly.once"] === true,
        logEnable: v["errors.log.enable"] === true,
      },
      exactlyOnce: plugin.type === "source" && facts.exactlyOnceSource,
    },
  };
}

/** The keys a sink or a source has beside the common ones. */
export function typeConfig(type: "sink" | "source" | undefined): ConfigKey[] {
  return type === "sink" ? SINK_CONFIG : type === "source" ? SOURCE_CONFIG : [];
}

/** KIP-618's per-connector keys against the deployment's exactly.once.source.support. */
function checkExactlyOnce(
  values: Record<string, ConfigValue>,
  errors: Record<string, string[]>,
  facts: DeploymentFacts,
): void {
  if (values["exactly.once.support"] === "required" && !facts.exactlyOnceSource)
    addError(
      errors,
      "exactly.once.support",
      "exactly.once.support is required, but this deployment runs sources at least once: set EDGELOG_CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled (Kafka's exactly.once.source.support), or use requested",
    );
  const boundary = values["transaction.boundary"];
  if (boundary === "interval" || boundary === "connector")
    addError(
      errors,
      "transaction.boundary",
      `transaction.boundary=${boundary} is not supported: each delivery (a webhook request, a queue batch) is one transaction; use poll`,
    );
}

/** The group a sink's tasks form (Kafka Connect's connect-<name>); an exactly-once source commits its source offset there. */
export const sinkGroup = (name: string) => `connect-${name}`;

/** A task's transactional.id: an exactly-once source's (KIP-618 names it after the connector and task), or a sink's exactly-once DLQ's. */
export const taskTransactionalId = (name: string, task = 0) => `connect-${name}-${task}`;

/** Topics the connector reads and writes: what GET /topics reports and what its token is granted. */
export function connectorTopics(c: ValidatedConnector): { consume: string[]; produce: string[] } {
  if (c.plugin.type === "sink") {
    return { consume: c.values.topics as string[], produce: c.errors.dlqTopic ? [c.errors.dlqTopic] : [] };
  }
  return { consume: [], produce: [c.values.topic as string] };
}
