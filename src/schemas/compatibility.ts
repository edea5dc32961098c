// Compatibility levels and the check a registration runs: the candidate against the previous
// versions its level names, each pair judged by its format's rules (reader reads writer's data).

import type { CompatibilityLevel } from "../protocol/registry-api.js";

// The level names are the registry API's vocabulary (protocol depends on nothing above it).
export { COMPATIBILITY_LEVELS, type CompatibilityLevel } from "../protocol/registry-api.js";
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = "BACKWARD";

/** One reason a reader cannot read a writer's data: the format's difference type, where, and why. */
export interface Incompatibility {
  type: string;
  path: string;
  description: string;
}

/** A previous version, as the check needs it. */
export interface PreviousVersion<S> {
  version: number;
  schema: S;
  text: string;
}

/**
 * Checks `candidate` against `previous` (oldest first, soft-deleted versions left out) under
 * `level`; returns Confluent-style messages, empty when compatible. BACKWARD: the candidate reads
 * what the latest wrote; FORWARD: the latest reads what the candidate writes; FULL: both; the
 * transitive levels check every previous version instead of the latest alone.
 */
export function compatibilityMessages<S>(
  level: CompatibilityLevel,
  candidate: S,
  previous: readonly PreviousVersion<S>[],
  judge: (reader: S, writer: S) => Incompatibility[],
): string[] {
  if (level === "NONE" || previous.length === 0) return [];
  const against = level.endsWith("_TRANSITIVE") ? [...previous].reverse() : previous.slice(-1);
  const backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
  const forward = level.startsWith("FORWARD") || level.startsWith("FULL");
  for (const old of against) {
    const found = [...(backward ? judge(candidate, old.schema) : []), ...(forward ? judge(old.schema, candidate) : [])];
    if (found.length > 0) {
      return [
        ...found.map((i) => `{errorType:'${i.type}', description:'${i.description}', additionalInfo:'${i.path}'}`),
        `{oldSchemaVersion: ${old.version}}`,
        `{oldSchema: '${old.text}'}`,
        `{compatibility: '${level}'}`,
      ];
    }
  }
  return [];
}
