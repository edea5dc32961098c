// Path parameters shared by routes.

import { EdgelogError } from "../protocol/errors.js";

export function partitionParam(raw: string): number {
  if (!/^\d{1,4}$/.test(raw)) {
    throw new EdgelogError("INVALID_REQUEST", `partition must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}
