// A small JSON path filter for record values: `$.a.b[0]`, `$.items[*].sku`, `$["odd key"]`, alone
// (the path exists) or compared with a JSON literal: == != > >= < <= and ~= (string contains,
// array includes). Parsed by hand: the console's Content-Security-Policy forbids eval.

type Segment = { kind: "name"; name: string } | { kind: "index"; index: number } | { kind: "any" };
const OPS = ["==", "!=", ">=", "<=", "~=", ">", "<"] as const;
type Op = (typeof OPS)[number];

export interface JsonPathFilter {
  source: string;
  test(value: unknown): boolean;
}

export class JsonPathError extends Error {}

/** Parses an expression; throws JsonPathError saying where it went wrong. */
export function compileJsonPath(source: string): JsonPathFilter {
  const text = source.trim();
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonPathError(`${what} at character ${i + 1} of ${JSON.stringify(text)}`);
  };
  if (text.startsWith("$")) i = 1;
  else if (!text.startsWith(".") && !text.startsWith("[")) i = -1; // "a.b" reads as "$.a.b"
  const segments: Segment[] = [];
  const ident = /[A-Za-z0-9_$-]/;
  for (;;) {
    if (i === -1) i = 0;
    else if (text[i] === ".") i++;
    else if (text[i] === "[") {
      i++;
      if (text[i] === "*") {
        segments.push({ kind: "any" });
        i++;
      } else if (text[i] === '"' || text[i] === "'") {
        const quote = text[i]!;
        const end = text.indexOf(quote, i + 1);
        if (end < 0) fail("unclosed quote");
        segments.push({ kind: "name", name: text.slice(i + 1, end) });
        i = end + 1;
      } else {
        const m = /^\d+/.exec(text.slice(i));
        if (!m) fail('expected a number, "name" or * inside [ ]');
        segments.push({ kind: "index", index: Number(m![0]) });
        i += m![0].length;
      }
      if (text[i] !== "]") fail("expected ]");
      i++;
      continue;
    } else break;
    if (text[i] === "*") {
      segments.push({ kind: "any" });
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && ident.test(text[i]!)) i++;
    if (i === start) fail("expected a field name");
    segments.push({ kind: "name", name: text.slice(start, i) });
  }
  while (text[i] === " ") i++;
  if (i >= text.length) return { source, test: (v) => select(v, segments).length > 0 };
  const op = OPS.find((o) => text.startsWith(o, i));
  if (!op) fail(`expected one of ${OPS.join(" ")}`);
  let literal: unknown;
  try {
    literal = JSON.parse(text.slice(i + op!.length));
  } catch {
    i += op!.length;
    fail('expected a JSON value after the operator (strings in double quotes: "text")');
  }
  return { source, test: (v) => select(v, segments).some((x) => compare(x, op!, literal)) };
}

function select(root: unknown, segments: Segment[]): unknown[] {
  let current: unknown[] = [root];
  for (const s of segments) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== "object") continue;
      if (s.kind === "any") next.push(...Object.values(v));
      else if (s.kind === "index") {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else if (!Array.isArray(v) && Object.hasOwn(v, s.name)) next.push((v as Record<string, unknown>)[s.name]);
    }
    current = next;
  }
  return current;
}

function compare(x: unknown, op: Op, literal: unknown): boolean {
  switch (op) {
    case "==":
      return equal(x, literal);
    case "!=":
      return !equal(x, literal);
    case "~=":
      if (typeof x === "string" && typeof literal === "string") return x.includes(literal);
      return Array.isArray(x) && x.some((e) => equal(e, literal));
    default: {
      const bothNumbers = typeof x === "number" && typeof literal === "number";
      const bothStrings = typeof x === "string" && typeof literal === "string";
      if (!bothNumbers && !bothStrings) return false;
      const a = x as number | string;
      const b = literal as number | string;
      return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
    }
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
