// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: topic configs with Kafka's names,
// sources, defaults and synonyms (from the one topic-config spec table), the read-only broker
// configs clients read, and changes mapped to PATCH /v1/topics/{t}.

import type { TopicReply } from "../../protocol/api.js";
import { DEFAULT_LIMITS } from "../limits.js";
import {
  DEFAULT_TOPIC_CONFIG,
  TOPIC_CONFIG_KEYS,
  TOPIC_CONFIG_SPEC,
  type ConfigValidator,
  type TopicConfigKey,
} from "../../protocol/topic-config.js";
import type { Value } from "../wire/codec.js";
import { DENIED, errorMessage, failure, KAFKA, NONE } from "../errors.js";
import { NODE_ID, type Handler, type RequestContext } from "./context.js";
import { fanOut, repeated } from "./fan-out.js";
import { validName } from "./topics.js";

/** Kafka's ConfigResource types. */
export const RESOURCE = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;
/** Kafka's ConfigSource values. */
const SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;
/** Kafka's ConfigType values (DescribeConfigs v3+). */
const TYPE = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, LIST: 7 } as const;
/** IncrementalAlterConfigs operations. */
const OP = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/** The broker-level name each topic config defaults from (Kafka's LogConfig synonyms). */
const BROKER_SYNONYM: Partial<Record<TopicConfigKey, string>> = {
  "cleanup.policy": "log.cleanup.policy",
  "retention.ms": "log.retention.ms",
  "retention.bytes": "log.retention.bytes",
  "segment.bytes": "log.segment.bytes",
  "segment.ms": "log.roll.ms",
  "max.message.bytes": "message.max.bytes",
  "message.timestamp.type": "log.message.timestamp.type",
  "delete.retention.ms": "log.cleaner.delete.retention.ms",
  "min.insync.replicas": "min.insync.replicas",
  "replica.lag.time.max.ms": "replica.lag.time.max.ms",
};

/** Renders a config value as Kafka's string form (lists comma-separated). */
function render(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}

function configType(valid: ConfigValidator): number {
  switch (valid.kind) {
    case "boolean":
      return TYPE.BOOLEAN;
    case "int":
      return valid.unit ? TYPE.LONG : TYPE.INT;
    case "choice":
      return valid.list ? TYPE.LIST : TYPE.STRING;
    case "regions":
      return TYPE.LIST;
  }
}

interface DescribedConfig {
  Name: string;
  Value: string | null;
  ReadOnly: boolean;
  IsDefault: boolean;
  ConfigSource: number;
  IsSensitive: boolean;
  Synonyms: { Name: string; Value: string | null; Source: number }[];
  ConfigType: number;
  Documentation: string | null;
}

function topicConfigs(
  topic: Pick<TopicReply, "config">,
  includeSynonyms: boolean,
  includeDocs: boolean,
): DescribedConfig[] {
  return TOPIC_CONFIG_KEYS.map((key) => {
    const spec = TOPIC_CONFIG_SPEC[key];
    const fallback = render(DEFAULT_TOPIC_CONFIG[key]);
    const value = render(topic.config[key] ?? DEFAULT_TOPIC_CONFIG[key]);
    const overridden = key in topic.config && value !== fallback;
    const brokerName = BROKER_SYNONYM[key];
    const synonyms = [
      ...(overridden ? [{ Name: key, Value: value, Source: SOURCE.DYNAMIC_TOPIC_CONFIG }] : []),
      { Name: brokerName ?? key, Value: fallback, Source: SOURCE.DEFAULT_CONFIG },
    ];
    return {
      Name: key,
      Value: value,
      ReadOnly: false,
      IsDefault: !overridden,
      ConfigSource: overridden ? SOURCE.DYNAMIC_TOPIC_CONFIG : SOURCE.DEFAULT_CONFIG,
      IsSensitive: false,
      Synonyms: includeSynonyms ? synonyms : [],
      ConfigType: configType(spec.valid),
      Documentation: includeDocs ? spec.doc : null,
    };
  });
}

/** What a broker reports about itself: the gateway's own bounds and edgelog's topic defaults. */
function brokerConfigs(ctx: RequestContext, includeDocs: boolean): DescribedConfig[] {
  const entries: [string, unknown, number, string][] = [
    ["broker.id", NODE_ID, TYPE.INT, "this gateway's node id (every gateway is node 0)"],
    ["node.id", NODE_ID, TYPE.INT, "this gateway's node id"],
    ["num.partitions", 1, TYPE.INT, "partitions of a topic created without a count"],
    ["default.replication.factor", 1, TYPE.INT, "edgelog replicates inside each Durable Object"],
    ["offsets.topic.replication.factor", 1, TYPE.INT, "offsets live in each group's object"],
    ["auto.create.topics.enable", ctx.identity.autoCreateTopics, TYPE.BOOLEAN, "--auto-create-topics"],
    ["socket.request.max.bytes", DEFAULT_LIMITS.socketRequestMaxBytes, TYPE.INT, "--socket-request-max-bytes"],
    ["queued.max.request.bytes", DEFAULT_LIMITS.queuedMaxRequestBytes, TYPE.LONG, "--queued-max-request-bytes"],
    ["connections.max.idle.ms", DEFAULT_LIMITS.connectionsMaxIdleMs, TYPE.LONG, "--connections-max-idle-ms"],
    ["max.connections", DEFAULT_LIMITS.maxConnections, TYPE.INT, "--max-connections"],
    ["delete.topic.enable", true, TYPE.BOOLEAN, "topics can be deleted"],
    ["group.consumer.heartbeat.interval.ms", 5000, TYPE.INT, "KIP-848 heartbeat interval"],
    ...TOPIC_CONFIG_KEYS.flatMap((key): [string, unknown, number, string][] => {
      const name = BROKER_SYNONYM[key];
      return name && name !== key
        ? [[name, DEFAULT_TOPIC_CONFIG[key], configType(TOPIC_CONFIG_SPEC[key].valid), TOPIC_CONFIG_SPEC[key].doc]]
        : [];
    }),
  ];
  return entries.map(([Name, v, type, doc]) => ({
    Name,
    Value: render(v),
    ReadOnly: true,
    IsDefault: true,
    ConfigSource: SOURCE.DEFAULT_CONFIG,
    IsSensitive: false,
    Synonyms: [],
    ConfigType: type,
    Documentation: includeDocs ? doc : null,
  }));
}

interface DescribeResource {
  ResourceType: number;
  ResourceName: string;
  ConfigurationKeys: string[] | null;
}

export const describeConfigs: Handler = async (req, ctx) => {
  const synonyms = req.IncludeSynonyms === true;
  const docs = req.IncludeDocumentation === true;
  const results = await fanOut(req.Resources as DescribeResource[], async (r) => {
    const result = (code: number, message: string | null, configs: DescribedConfig[] = []) => {
      const keys = r.ConfigurationKeys;
      // v0 has IsDefault where later versions have ConfigSource; both are filled, the codec writes its version's.
      return {
        ErrorCode: code,
        ErrorMessage: message,
        ResourceType: r.ResourceType,
        ResourceName: r.ResourceName,
        Configs: keys && keys.length > 0 ? configs.filter((c) => keys.includes(c.Name)) : configs,
      };
    };
    if (r.ResourceType === RESOURCE.BROKER) {
      if (r.ResourceName !== "" && r.ResourceName !== String(NODE_ID))
        return result(KAFKA.INVALID_REQUEST, `no broker ${r.ResourceName}: the gateway is broker ${NODE_ID}`);
      return result(NONE, null, brokerConfigs(ctx, docs));
    }
    if (r.ResourceType === RESOURCE.BROKER_LOGGER) return result(NONE, null);
    if (r.ResourceType !== RESOURCE.TOPIC)
      return result(KAFKA.INVALID_REQUEST, `resource type ${r.ResourceType} has no configs in edgelog`);
    if (!validName(r.ResourceName))
      return result(KAFKA.INVALID_TOPIC_EXCEPTION, `invalid topic name ${JSON.stringify(r.ResourceName)}`);
    try {
      const topic = await ctx.upstream.describeTopic(r.ResourceName, ctx.signal);
      return result(NONE, null, topicConfigs(topic, synonyms, docs));
    } catch (e) {
      return result(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic), errorMessage(e));
    }
  });
  return { ThrottleTimeMs: 0, Results: results };
};

type Change = Record<string, unknown>;

/** Applies one resource's change (or only checks it, for ValidateOnly) and answers its result. */
async function alter(
  ctx: RequestContext,
  r: { ResourceType: number; ResourceName: string; Configs: { Name: string }[] },
  change: (topic: Pick<TopicReply, "config">) => Change,
  validateOnly: boolean,
  /** The resource is named more than once in the request: Kafka refuses each mention. */
  twice: boolean,
): Promise<Value> {
  const result = (code: number, message: string | null) => ({
    ErrorCode: code,
    ErrorMessage: message,
    ResourceType: r.ResourceType,
    ResourceName: r.ResourceName,
  });
  if (twice) return result(KAFKA.INVALID_REQUEST, `resource ${r.ResourceName} appears more than once`);
  if (repeated(r.Configs, (c) => c.Name).size > 0)
    return result(KAFKA.INVALID_REQUEST, `a config key appears more than once for ${r.ResourceName}`);
  if (r.ResourceType === RESOURCE.BROKER || r.ResourceType === RESOURCE.BROKER_LOGGER)
    return result(KAFKA.INVALID_REQUEST, "broker configs are fixed: set them as flags of the gateway or edgelog");
  if (r.ResourceType !== RESOURCE.TOPIC)
    return result(KAFKA.INVALID_REQUEST, `resource type ${r.ResourceType} has no configs in edgelog`);
  if (!validName(r.ResourceName))
    return result(KAFKA.INVALID_TOPIC_EXCEPTION, `invalid topic name ${JSON.stringify(r.ResourceName)}`);
  try {
    const topic = await ctx.upstream.describeTopic(r.ResourceName, ctx.signal);
    const config = change(topic);
    for (const key of Object.keys(config))
      if (!(TOPIC_CONFIG_KEYS as string[]).includes(key))
        return result(
          KAFKA.INVALID_CONFIG,
          `unknown topic config ${key}; edgelog's are ${TOPIC_CONFIG_KEYS.join(", ")}`,
        );
    // ValidateOnly: the keys are known; values are checked by edgelog only when applied.
    if (!validateOnly && Object.keys(config).length > 0)
      await ctx.upstream.alterTopic(r.ResourceName, { config }, ctx.signal);
    return result(NONE, null);
  } catch (e) {
    return result(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic), errorMessage(e));
  }
}

/** AlterConfigs replaces a topic's whole set of overrides: keys left out return to their defaults. */
export const alterConfigs: Handler = async (req, ctx) => {
  const resources = req.Resources as {
    ResourceType: number;
    ResourceName: string;
    Configs: { Name: string; Value: string | null }[];
  }[];
  const twice = repeated(resources, (r) => `${r.ResourceType}:${r.ResourceName}`);
  const responses = await fanOut(resources, (r, i) =>
    alter(
      ctx,
      r,
      (topic) => {
        const change: Change = {};
        // Overrides not restated return to their defaults (edgelog's topic config lists every key).
        for (const key of TOPIC_CONFIG_KEYS)
          if (key in topic.config && render(topic.config[key]) !== render(DEFAULT_TOPIC_CONFIG[key]))
            change[key] = null;
        for (const c of r.Configs) change[c.Name] = c.Value;
        return change;
      },
      req.ValidateOnly === true,
      twice.has(i),
    ),
  );
  return { ThrottleTimeMs: 0, Responses: responses };
};

export const incrementalAlterConfigs: Handler = async (req, ctx) => {
  const resources = req.Resources as {
    ResourceType: number;
    ResourceName: string;
    Configs: { Name: string; ConfigOperation: number; Value: string | null }[];
  }[];
  const twice = repeated(resources, (r) => `${r.ResourceType}:${r.ResourceName}`);
  const responses = await fanOut(resources, async (r, i) => {
    let invalid: string | null = null;
    const out = await alter(
      ctx,
      r,
      (topic) => {
        const change: Change = {};
        for (const c of r.Configs) {
          const current = render(
            change[c.Name] ?? topic.config[c.Name] ?? DEFAULT_TOPIC_CONFIG[c.Name as TopicConfigKey],
          );
          const list = (current ?? "").split(",").filter((x) => x !== "");
          const items = (c.Value ?? "").split(",").filter((x) => x !== "");
          if (c.ConfigOperation === OP.SET) change[c.Name] = c.Value;
          else if (c.ConfigOperation === OP.DELETE) change[c.Name] = null;
          else if (c.ConfigOperation === OP.APPEND || c.ConfigOperation === OP.SUBTRACT) {
            const spec = TOPIC_CONFIG_SPEC[c.Name as TopicConfigKey];
            if (spec && configType(spec.valid) !== TYPE.LIST) invalid = `${c.Name} is not a list config`;
            change[c.Name] = (
              c.ConfigOperation === OP.APPEND
                ? [...list, ...items.filter((i) => !list.includes(i))]
                : list.filter((i) => !items.includes(i))
            ).join(",");
          } else invalid = `unknown config operation ${c.ConfigOperation}`;
        }
        return invalid ? {} : change;
      },
      req.ValidateOnly === true,
      twice.has(i),
    );
    if (invalid) return { ...out, ErrorCode: KAFKA.INVALID_CONFIG, ErrorMessage: invalid };
    return out;
  });
  return { ThrottleTimeMs: 0, Responses: responses };
};
