// Connector config definitions, Kafka's ConfigDef in small: typed keys with defaults, validators
// and docs; parsing a flat string map into typed values with per-key errors; and the shapes the
// REST API answers (ConfigKeyInfo for plugin definitions, ConfigInfos for validation).

export type ConfigType = "STRING" | "INT" | "LONG" | "DOUBLE" | "BOOLEAN" | "LIST" | "PASSWORD" | "CLASS";
export type Importance = "HIGH" | "MEDIUM" | "LOW";

/** A config value after parsing: lists are string arrays, passwords strings. */
export type ConfigValue = string | number | boolean | string[] | null;

export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** undefined: required (Kafka's NO_DEFAULT_VALUE); null: optional, no value. */
  default?: ConfigValue;
  importance: Importance;
  documentation: string;
  group?: string;
  /** Allowed values, for enums (checked case-sensitively, as Kafka's ValidString). */
  validValues?: readonly string[];
  /** Inclusive numeric range. */
  min?: number;
  max?: number;
  /** Further checks: return a message when the value is wrong. */
  validate?: (value: ConfigValue) => string | undefined;
}

/** One key's outcome, in Kafka's ConfigValue shape. */
export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

/** The shape of GET /v1/connector-plugins/{class}/config entries (Kafka's ConfigKeyInfo). */
export interface ConfigKeyInfo {
  name: string;
  type: ConfigType;
  required: boolean;
  default_value: string | null;
  importance: Importance;
  documentation: string;
  group: string | null;
  width: "NONE";
  display_name: string;
  dependents: string[];
  order: number;
}

/** PUT /v1/connector-plugins/{class}/config/validate's answer (Kafka's ConfigInfos). */
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: { definition: ConfigKeyInfo; value: ConfigValueInfo }[];
}

/** A connector's config as the REST API carries it: Kafka's flat string map. */
export type RawConfig = Record<string, string>;

export interface Parsed {
  values: Record<string, ConfigValue>;
  /** Errors per key; empty when the config is valid. */
  errors: Record<string, string[]>;
}

const BOOL = /^(true|false)$/i;

/** Parses one raw value by type; throws a message string when it does not parse. */
function parseValue(key: ConfigKey, raw: string): ConfigValue {
  const t = raw.trim();
  switch (key.type) {
    case "INT":
    case "LONG": {
      if (!/^-?\d+$/.test(t))
        throw `Invalid value ${raw} for configuration ${key.name}: Not a number of type ${key.type}`;
      return Number(t);
    }
    case "DOUBLE": {
      const n = Number(t);
      if (t === "" || !Number.isFinite(n))
        throw `Invalid value ${raw} for configuration ${key.name}: Not a number of type DOUBLE`;
      return n;
    }
    case "BOOLEAN":
      if (!BOOL.test(t))
        throw `Invalid value ${raw} for configuration ${key.name}: Expected value to be either true or false`;
      return t.toLowerCase() === "true";
    case "LIST":
      return t === "" ? [] : t.split(",").map((s) => s.trim());
    case "PASSWORD":
      return raw;
    default:
      return t;
  }
}

function check(key: ConfigKey, value: ConfigValue): string | undefined {
  if (value === null) return undefined;
  if (key.validValues && typeof value === "string" && !key.validValues.includes(value)) {
    return `Invalid value ${value} for configuration ${key.name}: String must be one of: ${key.validValues.join(", ")}`;
  }
  if (typeof value === "number") {
    if (key.min !== undefined && value < key.min)
      return `Invalid value ${value} for configuration ${key.name}: Value must be at least ${key.min}`;
    if (key.max !== undefined && value > key.max)
      return `Invalid value ${value} for configuration ${key.name}: Value must be no more than ${key.max}`;
  }
  return key.validate?.(value);
}

/**
 * Parses `raw` against `keys`: each defined key gets its typed value (or its default), and every
 * problem is listed under its key. Keys not defined here are left to other definitions (Kafka
 * passes unknown keys through to the plugin, too).
 */
export function parseConfig(keys: readonly ConfigKey[], raw: RawConfig): Parsed {
  const values: Record<string, ConfigValue> = {};
  const errors: Record<string, string[]> = {};
  for (const key of keys) {
    const given = raw[key.name];
    let value: ConfigValue;
    if (given === undefined) {
      if (key.default === undefined) {
        (errors[key.name] ??= []).push(`Missing required configuration "${key.name}" which has no default value.`);
        values[key.name] = null;
        continue;
      }
      value = key.default;
    } else {
      try {
        value = parseValue(key, given);
      } catch (message) {
        (errors[key.name] ??= []).push(String(message));
        values[key.name] = null;
        continue;
      }
    }
    const problem = check(key, value);
    if (problem) (errors[key.name] ??= []).push(problem);
    values[key.name] = value;
  }
  return { values, errors };
}

export function addError(errors: Record<string, string[]>, key: string, message: string): void {
  (errors[key] ??= []).push(message);
}

export function errorCount(errors: Record<string, string[]>): number {
  return Object.values(errors).reduce((n, list) => n + list.length, 0);
}

function render(value: ConfigValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value.join(",") : String(value);
}

export function keyInfo(key: ConfigKey, order: number): ConfigKeyInfo {
  return {
    name: key.name,
    type: key.type,
    required: key.default === undefined,
    default_value: key.type === "PASSWORD" ? null : render(key.default),
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    width: "NONE",
    display_name: key.name,
    dependents: [],
    order,
  };
}

/** Kafka's ConfigInfos: every defined key with its value and errors, plus errors on keys defined nowhere. */
export function configInfos(
  name: string,
  keys: readonly ConfigKey[],
  raw: RawConfig,
  errors: Record<string, string[]>,
): ConfigInfos {
  const defined = new Set(keys.map((k) => k.name));
  const configs = keys.map((key, i) => ({
    definition: keyInfo(key, i + 1),
    value: {
      name: key.name,
      value: key.type === "PASSWORD" && raw[key.name] !== undefined ? "[hidden]" : (raw[key.name] ?? null),
      recommended_values: [...(key.validValues ?? [])],
      errors: errors[key.name] ?? [],
      visible: true,
    },
  }));
  // Errors on keys no definition names (a transform's own keys, say) still reach the caller.
  for (const [k, list] of Object.entries(errors)) {
    if (defined.has(k)) continue;
    configs.push({
      definition: keyInfo({ name: k, type: "STRING", default: null, importance: "LOW", documentation: "" }, 0),
      value: { name: k, value: raw[k] ?? null, recommended_values: [], errors: list, visible: true },
    });
  }
  const groups = [...new Set(keys.map((k) => k.group).filter((g): g is string => g !== undefined))];
  return { name, error_count: errorCount(errors), groups, configs };
}

/** Keys under `prefix.`, with the prefix cut off (how transforms and predicates get their own config). */
export function subConfig(raw: RawConfig, prefix: string): RawConfig {
  const out: RawConfig = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}
