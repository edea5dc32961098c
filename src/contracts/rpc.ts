// The one envelope of every object RPC method: its value, or the EdgelogError it threw, as a Result.

import { fail, ok, type Result } from "../protocol/errors.js";

/**
 * Runs an RPC method's body. An EdgelogError travels back as data (custom Error fields do not
 * survive RPC); anything else is a bug or a platform fault and propagates as a thrown error.
 */
export async function rpc<T>(body: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return ok(await body());
  } catch (e) {
    return fail(e);
  }
}
