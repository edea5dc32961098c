// Path parameters shared by routes.

import type { Context } from "hono";
import { EdgelogError } from "../protocol/errors.js";

export function partitionParam(raw: string): number {
  if (!/^\d{1,4}$/.test(raw)) {
    throw new EdgelogError("INVALID_REQUEST", `partition must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** A path parameter of the route being served; the table declares the path, so a miss is our bug. */
export function pathParam(c: Context, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new EdgelogError("UNKNOWN_SERVER_ERROR", `route has no path parameter ${name}`);
  return value;
}
