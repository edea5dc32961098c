// The assignors by name, as heartbeats request them.

import { range } from "./range.js";
import { roundrobin } from "./roundrobin.js";
import { sticky } from "./sticky.js";
import type { Assignor } from "./types.js";

export const ASSIGNORS = { range, roundrobin, sticky } as const satisfies Record<string, Assignor>;
export type AssignorName = keyof typeof ASSIGNORS;
export const ASSIGNOR_NAMES = Object.keys(ASSIGNORS) as AssignorName[];
/** Kafka's server-side default ("uniform") is sticky too. */
export const DEFAULT_ASSIGNOR: AssignorName = "sticky";
