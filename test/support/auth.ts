// Tokens for the auth tests: the admin secret the integration-auth project configures, and scoped tokens.

import { env } from "cloudflare:workers";
import { call } from "./api.js";

export const ADMIN_TOKEN = env.EDGELOG_ADMIN_TOKEN!;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const asAdmin = bearer(ADMIN_TOKEN);

export interface GrantSpec {
  resource: string;
  operations: string[];
}

/** Creates a scoped token as the admin; returns the whole reply body (with `token`, shown once). */
export async function createToken(grants: GrantSpec[], extra: Record<string, unknown> = {}, as = asAdmin) {
  const r = await call("POST", "/v1/tokens", { name: "test", grants, ...extra }, as);
  if (r.status !== 201) throw new Error(`create token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; token: string; name: string; grants: GrantSpec[] };
}

/** Calls a route as the given token (or as nobody). */
export function callAs(
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return call(method, path, body, token === undefined ? headers : { ...headers, ...bearer(token) });
}
