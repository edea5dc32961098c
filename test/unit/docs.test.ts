// The docs say what the code does: generated tables match their spec tables, and every link lands.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DOC_TABLES, markedRegion } from "../../scripts/docs/tables.js";
import { DEFAULT_TOPIC_CONFIG, parseTopicConfig } from "../../src/protocol/topic-config.js";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(resolve(ROOT, file), "utf8");

describe("generated docs tables", () => {
  it.each(DOC_TABLES.map((t) => [t.file, t.marker, t] as const))(
    "%s %s is what `npm run docs:tables` writes",
    (file, marker, table) => {
      const committed = markedRegion(read(file), marker);
      expect(committed, `${file} has <!-- edgelog:${marker}:start/end --> markers`).not.toBeNull();
      expect(committed, `${file} is stale: run npm run docs:tables`).toBe(table.render());
    },
  );
});

describe("topic config spec", () => {
  it("defaults to Kafka's defaults", () => {
    // Kafka's LogConfig defaults, written out here rather than read from the spec.
    expect(DEFAULT_TOPIC_CONFIG).toMatchObject({
      "cleanup.policy": "delete",
      "retention.ms": 604_800_000,
      "retention.bytes": -1,
      "segment.bytes": 1_073_741_824,
      "segment.ms": 604_800_000,
      "max.message.bytes": 1_048_588,
      "message.timestamp.type": "CreateTime",
      "delete.retention.ms": 86_400_000,
      "min.insync.replicas": 1,
      "replica.lag.time.max.ms": 30_000,
    });
  });

  it("validates by the documented bounds", () => {
    expect(parseTopicConfig({ "segment.bytes": "1024", "retention.ms": -1 })).toEqual({
      "segment.bytes": 1024,
      "retention.ms": -1,
    });
    expect(() => parseTopicConfig({ "segment.bytes": 1023 })).toThrow(/segment.bytes must be 1024..1073741824/);
    expect(() => parseTopicConfig({ "segment.ms": -1 })).toThrow(/segment.ms must be 1\.\./);
    expect(() => parseTopicConfig({ "max.message.bytes": 1_900_001 })).toThrow(/max.message.bytes/);
    expect(parseTopicConfig({ "cleanup.policy": "delete, compact" })).toEqual({ "cleanup.policy": "compact,delete" });
    expect(() => parseTopicConfig({ "message.timestamp.type": "createtime" })).toThrow(/CreateTime \| LogAppendTime/);
  });

  it("rejects keys that are not configs, including the names of object properties", () => {
    for (const key of ["retention", "constructor", "toString", "hasOwnProperty", "__proto__"]) {
      expect(() => parseTopicConfig(JSON.parse(`{"${key}": 1}`)), key).toThrow(/unknown config/);
    }
  });
});

describe("links in the README, CONTRIBUTING.md and docs/", () => {
  const files = [
    "README.md",
    "CONTRIBUTING.md",
    ...readdirSync(resolve(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];

  it.each(files)("every relative link in %s reaches a file and heading", (file) => {
    const broken: string[] = [];
    for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const linked = path === "" ? file : join(dirname(file), path);
      if (!existsSync(resolve(ROOT, linked))) broken.push(target!);
      else if (anchor && !headingAnchors(read(linked)).has(anchor)) broken.push(target!);
    }
    expect(broken).toEqual([]);
  });
});

/** GitHub's anchors for a page's headings (outside code blocks). */
function headingAnchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = !fenced && /^#+ (.*)$/.exec(line)?.[1];
    if (heading)
      out.add(
        heading
          .toLowerCase()
          .replace(/[^\p{L}\p{N}_\- ]/gu, "")
          .replace(/ /g, "-"),
      );
  }
  return out;
}
