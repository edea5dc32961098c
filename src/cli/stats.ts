// `edgelog stats`: the busiest partitions and the most lagging groups, from two scrapes of
// /metrics. Pure: parsing the text exposition, rates between two samples, and the table.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus's text exposition (the lines /metrics answers); comments are skipped. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[k!] = v!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export interface PartitionRow {
  topic: string;
  partition: string;
  recordsInPerSec: number;
  bytesInPerSec: number;
  recordsOutPerSec: number;
  highWatermark: number | null;
}

export interface GroupRow {
  group: string;
  topic: string;
  partition: string;
  lag: number;
}

export interface Stats {
  partitions: PartitionRow[];
  groups: GroupRow[];
}

/** Rates over the two scrapes `seconds` apart; the busiest `top` partitions, the `top` most lagging. */
export function computeStats(before: Sample[], after: Sample[], seconds: number, top: number): Stats {
  const key = (s: Sample) => `${s.labels.topic}\u0000${s.labels.partition}`;
  const index = (samples: Sample[], name: string) =>
    new Map(samples.filter((s) => s.name === name).map((s) => [key(s), s.value]));
  const rate = (name: string) => {
    const a = index(before, name);
    return (k: string, v: number) => Math.max(0, v - (a.get(k) ?? v)) / Math.max(seconds, 1e-9);
  };
  const inRate = rate("messaging_client_sent_messages_total");
  const bytesRate = rate("edgelog_bytes_in_total");
  const outRate = rate("messaging_client_consumed_messages_total");
  const bytesNow = index(after, "edgelog_bytes_in_total");
  const outNow = index(after, "messaging_client_consumed_messages_total");
  const hw = index(after, "edgelog_high_watermark");
  const partitions = after
    .filter((s) => s.name === "messaging_client_sent_messages_total")
    .map((s) => {
      const k = key(s);
      return {
        topic: s.labels.topic ?? "",
        partition: s.labels.partition ?? "",
        recordsInPerSec: inRate(k, s.value),
        bytesInPerSec: bytesRate(k, bytesNow.get(k) ?? 0),
        recordsOutPerSec: outRate(k, outNow.get(k) ?? 0),
        highWatermark: hw.get(k) ?? null,
      };
    })
    .sort((a, b) => b.recordsInPerSec + b.recordsOutPerSec - (a.recordsInPerSec + a.recordsOutPerSec))
    .slice(0, top);
  const groups = after
    .filter((s) => s.name === "edgelog_group_lag")
    .map((s) => ({
      group: s.labels.group ?? "",
      topic: s.labels.topic ?? "",
      partition: s.labels.partition ?? "",
      lag: s.value,
    }))
    .sort((a, b) => b.lag - a.lag)
    .slice(0, top);
  return { partitions, groups };
}

/** The terminal table: two sections, fixed columns. */
export function renderStats(stats: Stats, at: Date, seconds: number): string {
  const lines = [`edgelog stats  ${at.toISOString()}  (rates over ${seconds.toFixed(1)} s)`, ""];
  lines.push("BUSIEST PARTITIONS");
  lines.push(row(["TOPIC", "PARTITION", "IN REC/S", "IN B/S", "OUT REC/S", "HIGH WATERMARK"]));
  for (const p of stats.partitions)
    lines.push(
      row([
        p.topic,
        p.partition,
        fixed(p.recordsInPerSec),
        fixed(p.bytesInPerSec),
        fixed(p.recordsOutPerSec),
        p.highWatermark === null ? "-" : String(p.highWatermark),
      ]),
    );
  if (stats.partitions.length === 0) lines.push("(no partition has reported yet)");
  lines.push("", "MOST LAGGING GROUPS");
  lines.push(row(["GROUP", "TOPIC", "PARTITION", "LAG"]));
  for (const g of stats.groups) lines.push(row([g.group, g.topic, g.partition, String(g.lag)]));
  if (stats.groups.length === 0) lines.push("(no group has committed offsets yet)");
  return `${lines.join("\n")}\n`;
}

const WIDTHS = [24, 10, 12, 12, 12, 15];

function row(cells: string[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(WIDTHS[i] ?? 12))).join(" ");
}

function fixed(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}
