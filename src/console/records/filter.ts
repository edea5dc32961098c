// The record filters of the messages and live screens: key, value text, JSON path and header.

import { utf8Text } from "./bytes.js";
import { asJson } from "./decode.js";
import { compileJsonPath } from "./jsonpath.js";
import type { ConsoleRecord } from "./model.js";

export interface FilterSpec {
  /** Substring of the key's text, case-insensitive. */
  key?: string;
  /** Substring of the value's text, case-insensitive. */
  value?: string;
  /** A JSON path expression over the value (records/jsonpath.ts). */
  jsonPath?: string;
  /** `name` (the header is present) or `name=text` (its value contains text). */
  header?: string;
}

export type Predicate = (r: ConsoleRecord) => boolean;

export function isEmpty(spec: FilterSpec): boolean {
  return !spec.key?.trim() && !spec.value?.trim() && !spec.jsonPath?.trim() && !spec.header?.trim();
}

/** One predicate for all the filters set (each must match). Throws JsonPathError on a bad path. */
export function compileFilter(spec: FilterSpec): Predicate {
  const tests: Predicate[] = [];
  const key = spec.key?.trim().toLowerCase();
  if (key) tests.push((r) => contains(r.key, key));
  const value = spec.value?.trim().toLowerCase();
  if (value) tests.push((r) => contains(r.value, value));
  if (spec.jsonPath?.trim()) {
    const path = compileJsonPath(spec.jsonPath);
    tests.push((r) => {
      const json = asJson(r.value);
      return json !== undefined && path.test(json);
    });
  }
  const header = spec.header?.trim();
  if (header) {
    const eq = header.indexOf("=");
    const name = eq < 0 ? header : header.slice(0, eq).trim();
    const text = eq < 0 ? undefined : header.slice(eq + 1).toLowerCase();
    tests.push((r) =>
      r.headers.some(([n, v]) => n === name && (text === undefined || (v !== null && contains(v, text)))),
    );
  }
  return (r) => tests.every((t) => t(r));
}

function contains(bytes: Uint8Array | null, lower: string): boolean {
  if (bytes === null) return false;
  return (utf8Text(bytes) ?? "").toLowerCase().includes(lower);
}
