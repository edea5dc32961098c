// A connector's transformation chain from its config (`transforms`, `transforms.<alias>.type`,
// `.predicate`, `.negate`, `predicates`, `predicates.<alias>.type`, ...), as Kafka's
// ConnectorConfig builds it: validated key by key, then applied in order, dropping on null.

import { addError, type ConfigKey, type ConfigValue, parseConfig, type RawConfig, subConfig } from "../config.js";
import type { ConnectRecord } from "../record.js";
import { CAST_TRANSFORMS } from "./cast.js";
import { FIELD_TRANSFORMS } from "./fields.js";
import { FILTER, PREDICATES } from "./filter.js";
import { ROUTER_TRANSFORMS } from "./routers.js";
import type { Predicate, PredicatePlugin, Transformation, TransformPlugin } from "./types.js";

export const TRANSFORM_PLUGINS: TransformPlugin[] = [
  ...FIELD_TRANSFORMS,
  ...CAST_TRANSFORMS,
  ...ROUTER_TRANSFORMS,
  FILTER,
];
export const PREDICATE_PLUGINS: PredicatePlugin[] = PREDICATES;

/** Full class names, and the simple ones (InsertField$Value) Kafka's plugin aliases allow. */
function lookup<T extends { class: string }>(plugins: readonly T[], name: string): T | undefined {
  return plugins.find((p) => p.class === name || p.class.slice(p.class.lastIndexOf(".") + 1) === name);
}

/** The plugin an alias's `<prefix>.type` names, or undefined with the error recorded under that key. */
function pluginOf<T extends { class: string }>(
  raw: RawConfig,
  prefix: string,
  plugins: readonly T[],
  kind: string,
  errors: Record<string, string[]>,
): T | undefined {
  const type = raw[`${prefix}.type`];
  const plugin = type === undefined ? undefined : lookup(plugins, type);
  if (!plugin)
    addError(
      errors,
      `${prefix}.type`,
      type === undefined
        ? `Missing required configuration "${prefix}.type" which has no default value.`
        : `Class ${type} could not be found; known ${kind}: ${plugins.map((p) => p.class).join(", ")}`,
    );
  return plugin;
}

export interface ChainStep {
  alias: string;
  transform: Transformation;
  predicate?: Predicate;
  negate: boolean;
}

export interface Chain {
  apply(record: ConnectRecord): ConnectRecord | null;
  /** The step a failure happened in, for the DLQ's stage headers. */
  readonly steps: readonly ChainStep[];
}

/** The transform-level keys Kafka defines on every transform alias. */
const ALIAS_KEYS: ConfigKey[] = [
  { name: "type", type: "CLASS", importance: "HIGH", documentation: "Class for the transformation." },
  {
    name: "predicate",
    type: "STRING",
    default: null,
    importance: "MEDIUM",
    documentation: "The alias of a predicate used to determine whether to apply this transformation.",
  },
  {
    name: "negate",
    type: "BOOLEAN",
    default: false,
    importance: "MEDIUM",
    documentation: "Whether the configured predicate should be negated.",
  },
];

const aliases = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** Parses one alias's own config under `prefix`, prefixing every error key. */
function parseAlias(
  raw: RawConfig,
  prefix: string,
  keys: readonly ConfigKey[],
  errors: Record<string, string[]>,
): Record<string, ConfigValue> {
  const parsed = parseConfig(keys, subConfig(raw, prefix));
  for (const [k, list] of Object.entries(parsed.errors)) for (const m of list) addError(errors, `${prefix}.${k}`, m);
  return parsed.values;
}

/**
 * Validates the chain's config into `errors` (keys as the user wrote them) and returns the chain
 * when it is valid, or null.
 */
export function buildChain(raw: RawConfig, errors: Record<string, string[]>): Chain | null {
  const before = Object.keys(errors).length;
  const predicates = new Map<string, Predicate>();
  for (const alias of aliases(raw.predicates)) {
    const prefix = `predicates.${alias}`;
    const plugin = pluginOf(raw, prefix, PREDICATE_PLUGINS, "predicates", errors);
    if (!plugin) continue;
    const values = parseAlias(raw, prefix, plugin.config, errors);
    if (Object.keys(errors).length === before) predicates.set(alias, plugin.create(values));
  }
  const steps: ChainStep[] = [];
  for (const alias of aliases(raw.transforms)) {
    const prefix = `transforms.${alias}`;
    const own = parseAlias(raw, prefix, ALIAS_KEYS.slice(1), errors);
    const plugin = pluginOf(raw, prefix, TRANSFORM_PLUGINS, "transformations", errors);
    if (!plugin) continue;
    const values = parseAlias(raw, prefix, plugin.config, errors);
    const predicateAlias = own.predicate as string | null;
    let predicate: Predicate | undefined;
    if (predicateAlias) {
      if (!aliases(raw.predicates).includes(predicateAlias)) {
        addError(errors, `${prefix}.predicate`, `Predicate ${predicateAlias} is not listed in predicates`);
        continue;
      }
      predicate = predicates.get(predicateAlias);
    } else if (own.negate === true) {
      addError(errors, `${prefix}.negate`, "negate is only allowed with a predicate");
    }
    if (Object.keys(errors).length > before) continue;
    try {
      steps.push({ alias, transform: plugin.create(values), predicate, negate: own.negate === true });
    } catch (e) {
      addError(errors, prefix, (e as Error).message);
    }
  }
  if (Object.keys(errors).length > before) return null;
  return {
    steps,
    apply(record) {
      let r: ConnectRecord | null = record;
      for (const s of steps) {
        if (r === null) return null;
        if (s.predicate && s.predicate.test(r) === s.negate) continue;
        r = s.transform.apply(r);
      }
      return r;
    },
  };
}

/** The config keys of every transform and predicate, for GET /v1/connector-plugins?connectorsOnly=false. */
export function transformPluginInfos(): {
  class: string;
  type: "transformation" | "predicate";
  config: readonly ConfigKey[];
}[] {
  return [
    ...TRANSFORM_PLUGINS.map((p) => ({
      class: p.class,
      type: "transformation" as const,
      config: [...ALIAS_KEYS.slice(1), ...p.config],
    })),
    ...PREDICATE_PLUGINS.map((p) => ({ class: p.class, type: "predicate" as const, config: p.config })),
  ];
}
