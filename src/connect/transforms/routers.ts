// The topic routers: RegexRouter (a full-match regex with replacement) and TimestampRouter
// (topic and record time through Java SimpleDateFormat patterns, in UTC), with Kafka's config keys.

import { DataException } from "../record.js";
import { TRANSFORMS_PACKAGE, type TransformPlugin } from "./types.js";

/** Java's Matcher.matches(): the whole input must match. */
export function fullMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function regexProblem(v: unknown): string | undefined {
  try {
    fullMatch(String(v));
    return undefined;
  } catch (e) {
    return `Invalid regex: ${(e as Error).message}`;
  }
}

const regexRouter: TransformPlugin = {
  class: `${TRANSFORMS_PACKAGE}.RegexRouter`,
  config: [
    {
      name: "regex",
      type: "STRING",
      importance: "HIGH",
      documentation: "Regular expression to use for matching.",
      validate: regexProblem,
    },
    { name: "replacement", type: "STRING", importance: "HIGH", documentation: "Replacement string." },
  ],
  create(v) {
    const re = fullMatch(String(v.regex));
    const replacement = String(v.replacement);
    return {
      apply: (r) => (re.test(r.topic) ? { ...r, topic: r.topic.replace(re, replacement) } : r),
    };
  },
};

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A SimpleDateFormat pattern's letters this formatter knows (UTC): y M d H h m s S E a, and 'quoted' text. */
const LETTERS = /[yMdHhmsSEaZX]/;

export function formatJavaDate(pattern: string, ms: number): string {
  const d = new Date(ms);
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out += "'";
        i += 2;
        continue;
      }
      out += pattern.slice(i + 1, end < 0 ? pattern.length : end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (!LETTERS.test(c)) {
      if (/[A-Za-z]/.test(c)) throw new DataException(`Illegal pattern character '${c}'`);
      out += c;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    switch (c) {
      case "y":
        out += n === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), n);
        break;
      case "M":
        out +=
          n >= 4
            ? MONTHS[d.getUTCMonth()]
            : n === 3
              ? MONTHS[d.getUTCMonth()]!.slice(0, 3)
              : pad(d.getUTCMonth() + 1, n);
        break;
      case "d":
        out += pad(d.getUTCDate(), n);
        break;
      case "H":
        out += pad(d.getUTCHours(), n);
        break;
      case "h":
        out += pad(d.getUTCHours() % 12 || 12, n);
        break;
      case "m":
        out += pad(d.getUTCMinutes(), n);
        break;
      case "s":
        out += pad(d.getUTCSeconds(), n);
        break;
      case "S":
        out += pad(d.getUTCMilliseconds(), n);
        break;
      case "E":
        out += n >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()]!.slice(0, 3);
        break;
      case "a":
        out += d.getUTCHours() < 12 ? "AM" : "PM";
        break;
      case "Z":
        out += "+0000";
        break;
      case "X":
        out += "Z";
        break;
    }
  }
  return out;
}

const timestampRouter: TransformPlugin = {
  class: `${TRANSFORMS_PACKAGE}.TimestampRouter`,
  config: [
    {
      name: "topic.format",
      type: "STRING",
      default: "${topic}-${timestamp}",
      importance: "HIGH",
      documentation:
        "Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.",
    },
    {
      name: "timestamp.format",
      type: "STRING",
      default: "yyyyMMdd",
      importance: "HIGH",
      documentation:
        "Format string for the timestamp that is compatible with java.text.SimpleDateFormat (formatted in UTC).",
      validate: (v) => {
        try {
          formatJavaDate(String(v), 0);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    },
  ],
  create(v) {
    const topicFormat = String(v["topic.format"]);
    const tsFormat = String(v["timestamp.format"]);
    return {
      apply(r) {
        if (r.timestamp === null) throw new DataException(`Timestamp missing on record from topic ${r.topic}`);
        const topic = topicFormat
          .replaceAll("${topic}", r.topic)
          .replaceAll("${timestamp}", formatJavaDate(tsFormat, r.timestamp));
        return { ...r, topic };
      },
    };
  },
};

export const ROUTER_TRANSFORMS: TransformPlugin[] = [regexRouter, timestampRouter];
