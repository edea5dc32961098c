// Token routes: create (shown once), list (never the secret), revoke.

import type { Context } from "hono";
import { z } from "zod";
import { formatGrant, parseGrant, uncovered, type Grant } from "../auth/grants.js";
import { QUOTA_FIELDS, type QuotaKind } from "../auth/quota.js";
import { scramCredentials } from "../auth/scram.js";
import { mintToken, splitToken } from "../auth/token-format.js";
import { CreatedTokenSchema, CreateTokenSchema, TokenInfoSchema, type CreateTokenRequest } from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { denied, forgetToken, principalOf, type Principal } from "./auth.js";
import { cluster } from "./objects.js";
import { pathParam } from "./params.js";
import { onCluster } from "./permissions.js";
import { route, type Route } from "./route.js";

export const tokenRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/tokens",
    summary:
      "Create a scoped token (needs cluster admin; grants no wider than the caller's); the token is shown only in this reply",
    permission: onCluster("admin"),
    body: CreateTokenSchema,
    ok: { status: 201, schema: CreatedTokenSchema },
    handler: (c, { body }) => createToken(c, body),
  }),
  route({
    method: "GET",
    path: "/v1/tokens",
    summary: "List tokens (never their secrets)",
    permission: onCluster("describe"),
    ok: { status: 200, schema: z.object({ tokens: z.array(TokenInfoSchema) }) },
    handler: listTokens,
  }),
  route({
    method: "DELETE",
    path: "/v1/tokens/:id",
    summary: "Revoke a token; every isolate refuses it within EDGELOG_AUTH_CACHE_MS (at most 10 s)",
    permission: onCluster("admin"),
    ok: { status: 204 },
    handler: revokeToken,
  }),
];

async function createToken(c: Context<AppEnv>, input: CreateTokenRequest): Promise<Response> {
  const grants = input.grants.map((g, i) => parseGrant(g, `grants[${i}]`));
  const now = Date.now();
  const creator = principalOf(c);
  checkNoEscalation(creator, grants, input, now);
  const minted = await mintToken();
  // SCRAM credentials come from the secret now, while it is in hand; it is never stored.
  const scram = await scramCredentials(splitToken(minted.token)!.secret);
  const info = unwrap(
    await cluster(c.env).createToken(
      {
        id: minted.id,
        name: input.name,
        secret_hash: minted.secretHash,
        grants: grants.map(formatGrant),
        quotas: input.quotas && Object.keys(input.quotas).length > 0 ? input.quotas : null,
        expires_at: input.expires_at ?? null,
        created_at: now,
        created_by: creator.id,
      },
      scram,
    ),
  );
  return c.json({ ...info, token: minted.token }, 201);
}

async function listTokens(c: Context<AppEnv>): Promise<Response> {
  return c.json({ tokens: unwrap(await cluster(c.env).listTokens()) });
}

async function revokeToken(c: Context<AppEnv>): Promise<Response> {
  const id = pathParam(c, "id");
  unwrap(await cluster(c.env).deleteToken(id));
  forgetToken(id);
  return c.body(null, 204);
}

/**
 * A token can hand out only what it holds: every operation of every grant covered by its own
 * grants, quotas no looser than its own, and no life beyond its own expiry.
 */
function checkNoEscalation(creator: Principal, grants: Grant[], input: CreateTokenRequest, now: number): void {
  for (const g of grants) {
    const op = uncovered(creator.grants, g);
    if (op) throw denied(creator, { kind: g.kind, name: g.pattern }, op);
  }
  for (const kind of Object.keys(QUOTA_FIELDS) as QuotaKind[]) {
    const field = QUOTA_FIELDS[kind];
    const own = creator.quotas?.[field];
    const asked = input.quotas?.[field];
    if (own !== undefined && (asked === undefined || asked > own)) {
      throw new EdgelogError(
        "CLUSTER_AUTHORIZATION_FAILED",
        `this token's ${field} is ${own}; a token it creates needs ${field} of at most that`,
      );
    }
  }
  const expires = input.expires_at ?? null;
  if (expires !== null && expires <= now) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `expires_at ${expires} is in the past (now ${now}); give a later time in ms since the epoch`,
    );
  }
  if (creator.expiresAt !== null && (expires === null || expires > creator.expiresAt)) {
    throw new EdgelogError(
      "CLUSTER_AUTHORIZATION_FAILED",
      `this token expires at ${creator.expiresAt}; a token it creates must expire no later`,
    );
  }
}
