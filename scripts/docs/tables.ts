// The docs' tables that describe code, rendered from the code's own spec tables. `npm run docs:tables`
// writes them between their markers; test/unit/docs.test.ts fails when the committed docs differ.
// To add a table: write its renderer here and list it in DOC_TABLES with its file and marker name.

import { ARROWS, WORKERS_RUNTIME } from "../arrows.js";
import { VARIABLE_SPEC, type VariableSpec } from "../../src/settings.js";
import {
  type ConfigValidator,
  REPLICA_REGIONS,
  TOPIC_CONFIG_KEYS,
  TOPIC_CONFIG_SPEC,
} from "../../src/protocol/topic-config.js";
import { APIS } from "../../src/gateway/wire/messages.js";
import type { ConfigKey } from "../../src/connect/config.js";
import { COMMON_CONFIG, SINK_CONFIG, SOURCE_CONFIG } from "../../src/connect/connector-config.js";
import { CONNECTOR_PLUGINS } from "../../src/connect/plugins.js";
import { transformPluginInfos } from "../../src/connect/transforms/chain.js";
import { METRIC_SPEC, type MetricSpec } from "../../src/metrics/spec.js";

export interface DocTable {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** The table sits between `<!-- edgelog:<marker>:start -->` and `<!-- edgelog:<marker>:end -->`. */
  marker: string;
  render: () => string;
}

export const DOC_TABLES: DocTable[] = [
  { file: "docs/topics.md", marker: "topic-config-table", render: topicConfigTable },
  { file: "README.md", marker: "kafka-api-table", render: kafkaApiTable },
  { file: "docs/operations.md", marker: "env-table", render: variablesTable },
  { file: "CONTRIBUTING.md", marker: "arrows-table", render: arrowsTable },
  { file: "docs/connectors.md", marker: "connect-common-config", render: () => connectConfigTable(COMMON_CONFIG) },
  { file: "docs/connectors.md", marker: "connect-sink-config", render: () => connectConfigTable(SINK_CONFIG) },
  { file: "docs/connectors.md", marker: "connect-source-config", render: () => connectConfigTable(SOURCE_CONFIG) },
  ...CONNECTOR_PLUGINS.map((p) => ({
    file: "docs/connectors.md",
    marker: `connect-${p.class}-config`,
    render: () => connectConfigTable(p.config),
  })),
  { file: "docs/connectors.md", marker: "connect-transforms", render: transformsTable },
  { file: "docs/observability.md", marker: "metrics-table", render: metricsTable },
];

/** Every metric /metrics exports (METRIC_SPEC in src/metrics/spec.ts). */
function metricsTable(): string {
  const rows = Object.entries(METRIC_SPEC).map(([name, spec]: [string, MetricSpec]) => [
    `\`${name}\``,
    spec.type,
    spec.labels.map((l) => `\`${l}\``).join(", "),
    spec.help.replace(/\|/g, "\\|"),
    spec.meaning,
    spec.source,
  ]);
  return markdownTable(["Metric", "Type", "Labels", "Meaning", "OpenTelemetry / Kafka", "Counted by"], rows);
}

/** A connector config definition: key, type, default (or required) and documentation. */
function connectConfigTable(keys: readonly ConfigKey[]): string {
  const rows = keys.map((k) => {
    const def =
      k.default === undefined
        ? "required"
        : k.default === null || k.default === "" || (Array.isArray(k.default) && k.default.length === 0)
          ? "none"
          : `\`${Array.isArray(k.default) ? k.default.join(",") : String(k.default)}\``;
    const valid = k.validValues ? ` One of ${k.validValues.map((v) => `\`${v}\``).join(", ")}.` : "";
    return [`\`${k.name}\``, k.type, def.replaceAll("|", "\\|"), `${k.documentation}${valid}`.replaceAll("|", "\\|")];
  });
  return markdownTable(["Key", "Type", "Default", "Meaning"], rows);
}

/** The transformations and predicates, with their keys. */
function transformsTable(): string {
  const rows = transformPluginInfos().map((t) => [
    `\`${t.class.replace("org.apache.kafka.connect.transforms.", "")}\``,
    t.type,
    t.config
      .filter((k) => k.name !== "predicate" && k.name !== "negate")
      .map((k) => `\`${k.name}\`${k.default === undefined ? " (required)" : ""}`)
      .join(", ") || "none",
  ]);
  return markdownTable(["Class (after org.apache.kafka.connect.transforms.)", "Kind", "Keys"], rows);
}

/** The Kafka APIs the gateway serves, from the table ApiVersions answers with. */
function kafkaApiTable(): string {
  const rows = [...APIS]
    .sort((a, b) => a.key - b.key)
    .map((a) => [a.name, String(a.key), a.min === a.max ? `${a.min}` : `${a.min}–${a.max}`, a.note ?? ""]);
  return markdownTable(["API", "Key", "Versions", "Note"], rows);
}

/** A Markdown table; cells are Markdown already (pipes escaped by the caller's text, which has none). */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The text between a marker pair (without the markers), or null when the file has no such pair. */
export function markedRegion(text: string, marker: string): string | null {
  const { start, end } = markers(marker);
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return null;
  return text
    .slice(a + start.length, b)
    .replace(/^\n/, "")
    .replace(/\n$/, "");
}

/** The text with the region between a marker pair replaced; throws when the markers are missing. */
export function replaceMarkedRegion(text: string, marker: string, body: string): string {
  const { start, end } = markers(marker);
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

function markers(marker: string) {
  return { start: `<!-- edgelog:${marker}:start -->`, end: `<!-- edgelog:${marker}:end -->` };
}

function topicConfigTable(): string {
  const rows = TOPIC_CONFIG_KEYS.map((key) => {
    const spec = TOPIC_CONFIG_SPEC[key];
    return [`\`${key}\``, formatDefault(spec.default, spec.valid), formatValid(spec.valid), spec.doc];
  });
  return markdownTable(["Key", "Default", "Valid values", "Meaning"], rows);
}

/** The EDGELOG_* variables (VARIABLE_SPEC in src/settings.ts). */
function variablesTable(): string {
  const rows = Object.entries(VARIABLE_SPEC).map(([key, spec]: [string, VariableSpec]) => {
    const name = spec.kind === "secret" ? `\`${key}\` (secret)` : `\`${key}\``;
    return [name, variableDefault(spec), variableValues(spec), spec.doc];
  });
  return markdownTable(["Variable", "Default", "Valid values", "Meaning"], rows);
}

function variableDefault(spec: VariableSpec): string {
  switch (spec.kind) {
    case "int": {
      const human = humanise(spec.default, spec.unit);
      return human && !human.startsWith(`${spec.default} `) ? `${spec.default} (${human})` : String(spec.default);
    }
    case "choice":
      return `\`${spec.default}\``;
    case "list":
      return spec.default.length === 0 ? "none" : spec.default.map((v) => `\`${v}\``).join(", ");
    default:
      return "none";
  }
}

function variableValues(spec: VariableSpec): string {
  switch (spec.kind) {
    case "int": {
      const unit = spec.unit === "ms" ? " ms" : "";
      return spec.max >= Number.MAX_SAFE_INTEGER ? `at least ${spec.min}${unit}` : `${spec.min} – ${spec.max}${unit}`;
    }
    case "choice":
      return spec.choices.map((c) => `\`${c}\``).join(", ");
    case "region":
      return REPLICA_REGIONS.map((r) => `\`${r}\``).join(", ");
    case "list":
      return "a comma-separated list";
    case "secret":
      return "any text";
  }
}

/** What each part of src/ may import (scripts/arrows.ts, which `npm test` enforces), lowest layer first. */
function arrowsTable(): string {
  const rows = Object.entries(ARROWS).map(([part, deps]) => {
    const name =
      part === "env" || part === "settings" || part === "objects" || part === "index" ? `${part}.ts` : `${part}/`;
    const runtime = WORKERS_RUNTIME.includes(part) ? " (and the Workers runtime)" : "";
    return [`\`${name}\``, deps.length === 0 ? "nothing" : deps.map((d) => `\`${d}\``).join(", ") + runtime];
  });
  return markdownTable(["Part of `src/`", "May import"], rows);
}

function formatDefault(value: unknown, valid: ConfigValidator): string {
  if (typeof value === "number") {
    const human = valid.kind === "int" && value >= 0 ? humanise(value, valid.unit) : null;
    // Only a shorter form is worth showing: "604800000 (7 days)", not "1048588 (1048588 bytes)".
    return human && !human.startsWith(`${value} `) ? `${value} (${human})` : String(value);
  }
  return `\`${Array.isArray(value) ? JSON.stringify(value) : String(value)}\``;
}

function formatValid(valid: ConfigValidator): string {
  switch (valid.kind) {
    case "int": {
      const range =
        valid.max >= Number.MAX_SAFE_INTEGER
          ? `at least ${humanise(valid.min, valid.unit) ?? valid.min}`
          : `${humanise(valid.min, valid.unit) ?? valid.min} – ${humanise(valid.max, valid.unit) ?? valid.max}`;
      return valid.minusOne ? `${range}, or \`-1\` (${valid.minusOne})` : range;
    }
    case "choice":
      return valid.choices.map((c) => `\`${c}\``).join(", ") + (valid.list ? " (a list, in either order)" : "");
    case "boolean":
      return "`true`, `false`";
    case "regions":
      return `${REPLICA_REGIONS.map((r) => `\`${r}\``).join(", ")}, each at most once`;
  }
}

/** A readable form of an exact amount (`7 days`, `1 GiB`); null when there is no shorter one. */
function humanise(n: number, unit: "ms" | "bytes" | undefined): string | null {
  const steps: [number, string, string][] =
    unit === "ms"
      ? [
          [365 * 86_400_000, "year", "years"],
          [86_400_000, "day", "days"],
          [3_600_000, "hour", "hours"],
          [60_000, "minute", "minutes"],
          [1000, "s", "s"],
          [1, "ms", "ms"],
        ]
      : unit === "bytes"
        ? [
            [2 ** 30, "GiB", "GiB"],
            [2 ** 20, "MiB", "MiB"],
            [2 ** 10, "KiB", "KiB"],
            [1, "byte", "bytes"],
          ]
        : [];
  if (n === 0) return unit ? `0 ${unit === "ms" ? "ms" : "bytes"}` : null;
  for (const [size, one, many] of steps) {
    if (n % size === 0) return `${n / size} ${n === size ? one : many}`;
  }
  return null;
}
