// Scraping /metrics in tests: the exposition parsed by a reader of its own (not src/metrics), and
// pushes made due on demand by running each object's alarm.

import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { coordinatorObject, partitionObject } from "../../src/objects.js";
import { call } from "./api.js";

export interface Scrape {
  status: number;
  contentType: string;
  text: string;
  /** Value of one series, by name and exactly its labels (in any order); undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every series of a metric name, with its labels. */
  series(name: string): { labels: Record<string, string>; value: number }[];
}

export async function scrape(headers: Record<string, string> = {}): Promise<Scrape> {
  const r = await call("GET", "/metrics", undefined, headers);
  const text = r.body instanceof Uint8Array ? new TextDecoder().decode(r.body) : JSON.stringify(r.body);
  const samples = parseExposition(text);
  const matches = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return {
    status: r.status,
    contentType: r.headers.get("content-type") ?? "",
    text,
    value: (name, labels = {}) => samples.find((s) => s.name === name && matches(s.labels, labels))?.value,
    series: (name) => samples.filter((s) => s.name === name),
  };
}

function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[k!] = v!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    out.push({ name: m[1]!, labels, value: m[3] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[3]) });
  }
  return out;
}

/** Runs the alarm of each partition of the topic (and of the groups named): what a push interval later does. */
export async function pushNow(topicId: string, partitions: number, groups: string[] = []): Promise<void> {
  await Promise.all(
    Array.from({ length: partitions }, (_, p) => runDurableObjectAlarm(partitionObject(env, topicId, p))),
  );
  for (const g of groups) await runDurableObjectAlarm(coordinatorObject(env, g));
}
