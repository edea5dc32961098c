// Grants: what a token may do. Parsing resource patterns, matching a request against them, and
// deciding whether one set of grants covers another (so no token can mint a stronger one).

import {
  OPERATIONS,
  TOPIC_NAME_PATTERN,
  TRANSACTIONAL_ID_PATTERN,
  type Operation,
  type ResourceKind,
} from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";

/** A grant as the API spells it: `{"resource":"topic:orders.*","operations":["produce"]}`. */
export interface GrantInput {
  resource: string;
  operations: Operation[];
}

/**
 * A parsed grant. `pattern` is a literal name, or a prefix ending in `*` (`orders.*` matches
 * `orders.eu`, not `orders2`; `*` matches every name). The cluster resource has no name.
 */
export interface Grant {
  kind: ResourceKind;
  pattern: string;
  operations: readonly Operation[];
}

/** A concrete thing a request touches: `topic` + name, `group` + name, or the cluster. */
export interface Resource {
  kind: ResourceKind;
  name: string;
}

export const CLUSTER: Resource = { kind: "cluster", name: "" };
export const topicResource = (name: string): Resource => ({ kind: "topic", name });
export const groupResource = (name: string): Resource => ({ kind: "group", name });
export const subjectResource = (name: string): Resource => ({ kind: "subject", name });
export const transactionalIdResource = (name: string): Resource => ({ kind: "transactional-id", name });
export const connectorResource = (name: string): Resource => ({ kind: "connector", name });

export function describeResource(r: Resource): string {
  return r.kind === "cluster" ? "cluster" : `${r.kind}:${r.name}`;
}

/** Operations each resource kind's grants may carry. */
const KIND_OPERATIONS: Record<ResourceKind, readonly Operation[]> = {
  topic: ["produce", "consume", "describe", "admin"],
  group: ["produce", "consume", "describe", "admin"],
  // The schema registry's subjects: read, write (register), delete, configure (level and mode).
  subject: ["read", "write", "delete", "configure", "admin"],
  // Kafka's TransactionalId: WRITE (init, produce, register, commit offsets, end) and DESCRIBE.
  "transactional-id": ["write", "describe", "admin"],
  // Connectors: describe (config, status, offsets) and admin (create, change, pause, stop, delete).
  connector: ["describe", "admin"],
  // Produce and consume name nothing on the cluster itself; authenticate is a Kafka gateway's (POST /v1/sasl/*).
  cluster: ["describe", "authenticate", "admin"],
};
/** Subjects are free-form text (Confluent's); only `*` (pattern syntax), whitespace and control characters are refused. */
const SUBJECT_GRANT_PATTERN = /^[^\s*\u0000-\u001f]{1,255}$/;
/** Group ids are free-form (as Kafka's); only `*` (pattern syntax) and whitespace are refused. */
const GROUP_PATTERN = /^[^\s*]{1,255}$/;
/** The resource kinds a grant names with `<kind>:<name or prefix*>`. */
const NAMED_KINDS: readonly string[] = ["topic", "group", "subject", "transactional-id", "connector"];

/** Parses and validates one grant; INVALID_REQUEST names what is wrong. */
export function parseGrant(input: GrantInput, where = "grant"): Grant {
  const ops = [...new Set(input.operations)];
  for (const op of ops) {
    if (!OPERATIONS.includes(op)) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `${where}: unknown operation ${JSON.stringify(op)}; use ${OPERATIONS.join(", ")}`,
      );
    }
  }
  if (ops.length === 0) throw new EdgelogError("INVALID_REQUEST", `${where}: give at least one operation`);
  const r = input.resource;
  const colon = r.indexOf(":");
  const kind = r === "cluster" ? "cluster" : r.slice(0, colon);
  const pattern = r === "cluster" ? "" : r.slice(colon + 1);
  if (r !== "cluster" && (colon < 0 || !NAMED_KINDS.includes(kind))) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `${where}: unknown resource ${JSON.stringify(r)}; use topic:<name>, group:<name>, subject:<name>, transactional-id:<name>, connector:<name> (each also as <prefix>*) or cluster`,
    );
  }
  const allowed = KIND_OPERATIONS[kind as ResourceKind];
  const bad = ops.find((op) => !allowed.includes(op));
  if (bad)
    throw new EdgelogError("INVALID_REQUEST", `${where}: the ${kind} resource takes ${allowed.join(", ")}, not ${bad}`);
  if (kind === "cluster") return { kind: "cluster", pattern: "", operations: ops };
  const fixed = pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
  const nameOk =
    kind === "topic" || kind === "connector"
      ? TOPIC_NAME_PATTERN
      : kind === "subject"
        ? SUBJECT_GRANT_PATTERN
        : kind === "transactional-id"
          ? TRANSACTIONAL_ID_PATTERN
          : GROUP_PATTERN;
  if (pattern === "" || (fixed !== "" && !nameOk.test(fixed))) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `${where}: ${JSON.stringify(r)} is not a valid ${kind} name or prefix pattern (a trailing * is the only wildcard)`,
    );
  }
  return { kind: kind as ResourceKind, pattern, operations: ops };
}

export function formatGrant(g: Grant): GrantInput {
  return { resource: g.kind === "cluster" ? "cluster" : `${g.kind}:${g.pattern}`, operations: [...g.operations] };
}

/**
 * Whether holding `held` allows `wanted`. Admin allows everything on its resource; produce and
 * consume each allow describe, as Kafka's WRITE and READ imply DESCRIBE (and a transactional id's
 * write its describe); on a subject, write, delete and configure each allow read.
 */
export function implies(held: Operation, wanted: Operation): boolean {
  return (
    held === wanted ||
    held === "admin" ||
    (wanted === "describe" && (held === "produce" || held === "consume" || held === "write")) ||
    (wanted === "read" && (held === "write" || held === "delete" || held === "configure"))
  );
}

function patternMatches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

export function allows(grants: readonly Grant[], resource: Resource, op: Operation): boolean {
  return grants.some(
    (g) =>
      g.kind === resource.kind &&
      (g.kind === "cluster" || patternMatches(g.pattern, resource.name)) &&
      g.operations.some((held) => implies(held, op)),
  );
}

/** Whether some topic grant allows `op` on at least one topic name. */
export function allowsOnAnyTopic(grants: readonly Grant[], op: Operation): boolean {
  return allowsOnAny(grants, "topic", op);
}

/** Whether some grant of `kind` allows `op` on at least one name. */
export function allowsOnAny(grants: readonly Grant[], kind: ResourceKind, op: Operation): boolean {
  return grants.some((g) => g.kind === kind && g.operations.some((held) => implies(held, op)));
}

/** Whether every name `inner` matches is matched by `outer` too. */
function patternCovers(outer: string, inner: string): boolean {
  if (!outer.endsWith("*")) return outer === inner;
  const innerFixed = inner.endsWith("*") ? inner.slice(0, -1) : inner;
  return innerFixed.startsWith(outer.slice(0, -1));
}

/** The first operation of `wanted` that no grant in `held` covers, if any: a token cannot grant more than it has. */
export function uncovered(held: readonly Grant[], wanted: Grant): Operation | undefined {
  return wanted.operations.find(
    (op) =>
      !held.some(
        (g) =>
          g.kind === wanted.kind &&
          (g.kind === "cluster" || patternCovers(g.pattern, wanted.pattern)) &&
          g.operations.some((h) => implies(h, op)),
      ),
  );
}

/** True when every grant allows only produce: such tokens may travel in a URL (see docs/security.md). */
export function produceOnly(grants: readonly Grant[]): boolean {
  return grants.length > 0 && grants.every((g) => g.kind === "topic" && g.operations.every((op) => op === "produce"));
}

/** Everything on everything: the admin token's grants, and everyone's when auth is off. */
export const ALL_GRANTS: readonly Grant[] = [
  { kind: "topic", pattern: "*", operations: ["admin"] },
  { kind: "group", pattern: "*", operations: ["admin"] },
  { kind: "subject", pattern: "*", operations: ["admin"] },
  { kind: "transactional-id", pattern: "*", operations: ["admin"] },
  { kind: "connector", pattern: "*", operations: ["admin"] },
  { kind: "cluster", pattern: "", operations: ["admin"] },
];
