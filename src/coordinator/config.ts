// Coordinator settings from the environment, parsed once and checked with a clear message.

import type { Env } from "../env.js";
import {
  GROUP_DEFAULT_SESSION_TIMEOUT_MS,
  GROUP_MAX_SESSION_TIMEOUT_MS,
  GROUP_MIN_SESSION_TIMEOUT_MS,
} from "../protocol/constants.js";
import type { SessionLimits } from "./group.js";

export interface CoordinatorConfig extends SessionLimits {
  /** How long topic metadata is trusted before the controller is asked again. */
  metadataMaxAgeMs: number;
}

function int(env: Env, name: keyof Env, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (ms), got ${JSON.stringify(raw)}`);
  return n;
}

export function coordinatorConfig(env: Env): CoordinatorConfig {
  const min = int(env, "EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS", GROUP_MIN_SESSION_TIMEOUT_MS);
  const max = int(env, "EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS", GROUP_MAX_SESSION_TIMEOUT_MS);
  if (min < 1 || min > max) {
    throw new Error(`EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS (${min}) must be at least 1 and at most EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS (${max})`);
  }
  return {
    minSessionTimeoutMs: min,
    maxSessionTimeoutMs: max,
    defaultSessionTimeoutMs: Math.min(max, Math.max(min, GROUP_DEFAULT_SESSION_TIMEOUT_MS)),
    metadataMaxAgeMs: int(env, "EDGELOG_GROUP_METADATA_MAX_AGE_MS", 5_000),
  };
}
