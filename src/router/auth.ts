// Authentication and authorization: each route's middleware resolves the caller's token and checks
// the grant its table entry declares for path-derived resources; handlers check body-derived ones
// with requireGrant. Also the per-isolate token cache and the per-token byte-rate quotas.

import type { Context, MiddlewareHandler } from "hono";
import { ALL_GRANTS, allows, describeResource, parseGrant, produceOnly, type Resource } from "../auth/grants.js";
import { QUOTA_FIELDS, TokenBucket, type QuotaKind } from "../auth/quota.js";
import { hashesEqual, hex, sha256, splitToken } from "../auth/token-format.js";
import type { Principal } from "../auth/principal.js";
import { type Env } from "../env.js";
import { readAuthSettings, type AuthSettings } from "../settings.js";
import {
  QUERY_TOKEN_PARAM,
  SASL_SESSION_PREFIX,
  TOKEN_PREFIX,
  type Operation,
  type ResourceKind,
} from "../protocol/constants.js";
import { REGISTRY_PREFIX } from "../protocol/registry-api.js";
import { EdgelogError, unwrap, type ErrorCode } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { cluster } from "./objects.js";
import { quotaOf, type Permission } from "./permissions.js";
import type { StoredToken } from "../contracts/cluster.js";

export type { Principal } from "../auth/principal.js";

const OPEN: Principal = {
  id: "open",
  name: "anyone (EDGELOG_AUTH=off)",
  grants: ALL_GRANTS,
  quotas: null,
  expiresAt: null,
};
const ADMIN: Principal = { id: "admin", name: "admin", grants: ALL_GRANTS, quotas: null, expiresAt: null };

export function authSettings(env: Env): AuthSettings {
  let s = settingsCache.get(env);
  if (!s) {
    s = readAuthSettings(env);
    settingsCache.set(env, s);
  }
  return s;
}
const settingsCache = new WeakMap<object, AuthSettings>();

let warnedOpen = false;
function warnOpenOnce(): void {
  if (warnedOpen) return;
  warnedOpen = true;
  console.warn(
    "edgelog: AUTHENTICATION IS OFF (EDGELOG_AUTH=off): every request is served without a token. " +
      "This is for local runs and tests only; never set EDGELOG_AUTH on a deployment.",
  );
}

/**
 * A route's first handler (route.ts mounts it before validation and the route's own handler):
 * authenticates the caller, checks the grant on the path-named resource, admits its quota. It
 * runs before the body is read, so a refused request costs no body bytes.
 */
export function authorize(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (permission.access === "public") return next();
    const settings = authSettings(c.env);
    // Signed routes: no credentials is the handler's to judge (it checks the signature instead).
    if (permission.access === "signed" && settings.mode !== "off" && c.req.header("authorization") === undefined)
      return next();
    let principal: Principal;
    if (settings.mode === "off") {
      warnOpenOnce();
      principal = OPEN;
    } else {
      principal = await authenticateRequest(c, settings, permission);
    }
    c.set("principal", principal);
    if (permission.access === "grant") {
      const name = permission.param === undefined ? "" : c.req.param(permission.param);
      if (name === undefined)
        throw new EdgelogError(
          "UNKNOWN_SERVER_ERROR",
          `route permission names path parameter ${permission.param}, which the route lacks`,
        );
      requireGrant(c, { kind: permission.kind, name }, permission.op);
    }
    const quota = quotaOf(permission);
    if (quota) admitQuota(principal, quota);
    return next();
  };
}

async function authenticateRequest(
  c: Context<AppEnv>,
  settings: AuthSettings,
  permission: Permission,
): Promise<Principal> {
  const header = c.req.header("authorization");
  const queryToken = c.req.query(QUERY_TOKEN_PARAM);
  if (queryToken !== undefined) {
    if (header !== undefined) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `send the token in the Authorization header or in ?${QUERY_TOKEN_PARAM}, not both`,
      );
    }
    return queryPrincipal(c.env, settings, permission, queryToken);
  }
  if (header === undefined) throw unauthenticated(settings, "no token: send Authorization: Bearer <token>");
  const token = /^Basic /i.test(header) ? basicToken(c, settings, header) : bearerToken(settings, header);
  if (settings.adminToken !== undefined && hashesEqual(await sha256(token), await adminHash(settings.adminToken)))
    return ADMIN;
  const principal = token.startsWith(SASL_SESSION_PREFIX)
    ? await sessionPrincipal(c.env, settings, token)
    : await scopedPrincipal(c.env, settings, token);
  if (!principal) throw unauthenticated(settings, "token not recognised: unknown, revoked, or mistyped");
  return principal;
}

function bearerToken(settings: AuthSettings, header: string): string {
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) throw unauthenticated(settings, 'malformed Authorization header: expected "Bearer <token>"');
  return m[1]!;
}

/**
 * HTTP Basic, as Confluent's registry clients send credentials (basic.auth.user.info), on registry
 * routes only (elsewhere a browser could replay remembered Basic credentials): the user is a
 * token's id and the password its secret, or the password is a whole token and the user anything.
 */
function basicToken(c: Context<AppEnv>, settings: AuthSettings, header: string): string {
  if (!c.req.path.startsWith(REGISTRY_PREFIX))
    throw unauthenticated(
      settings,
      `Basic credentials are accepted under ${REGISTRY_PREFIX} only; send Authorization: Bearer <token>`,
    );
  let pair: string;
  try {
    pair = atob(header.replace(/^Basic +/i, "").trim());
  } catch {
    throw unauthenticated(settings, "malformed Basic credentials: expected base64 of user:password");
  }
  const colon = pair.indexOf(":");
  if (colon < 0) throw unauthenticated(settings, "malformed Basic credentials: expected base64 of user:password");
  const user = pair.slice(0, colon);
  const password = pair.slice(colon + 1);
  const scoped = `${TOKEN_PREFIX}${user.replace(new RegExp(`^${TOKEN_PREFIX}`), "")}_${password}`;
  return splitToken(password) || !splitToken(scoped) ? password : scoped;
}

/**
 * A token in the query string, for navigator.sendBeacon (which cannot set headers): accepted only
 * on produce routes and only for produce-only tokens, because URLs end up in logs and histories.
 */
async function queryPrincipal(
  env: Env,
  settings: AuthSettings,
  permission: Permission,
  token: string,
): Promise<Principal> {
  if (permission.access !== "grant" || permission.op !== "produce") {
    throw unauthenticated(
      settings,
      `?${QUERY_TOKEN_PARAM} is accepted only on produce routes; send Authorization: Bearer <token>`,
    );
  }
  const principal = await scopedPrincipal(env, settings, token);
  if (!principal) throw unauthenticated(settings, "token not recognised: unknown, revoked, or mistyped");
  if (!produceOnly(principal.grants)) {
    throw unauthenticated(
      settings,
      `?${QUERY_TOKEN_PARAM} is accepted only for tokens whose every grant is produce on topics; ` +
        "this token can do more, so send it in the Authorization header (and revoke it if this URL was shared)",
    );
  }
  return principal;
}

function unauthenticated(settings: AuthSettings, message: string): EdgelogError {
  const hint =
    settings.adminToken === undefined
      ? "; this deployment has no EDGELOG_ADMIN_TOKEN secret (set one with `wrangler secret put EDGELOG_ADMIN_TOKEN`), so only existing scoped tokens are accepted"
      : "";
  return new EdgelogError("UNAUTHENTICATED", message + hint);
}

let admin: { token: string; hash: Promise<string> } | undefined;
function adminHash(token: string): Promise<string> {
  if (admin?.token !== token) admin = { token, hash: sha256(token).then(hex) };
  return admin.hash;
}

interface CachedToken {
  token: { stored: StoredToken; principal: Principal } | null;
  at: number;
}

/** Scoped tokens looked up in this isolate, by id; entries older than cacheMs are looked up again. */
const tokenCache = new Map<string, CachedToken>();
const TOKEN_CACHE_ENTRIES = 10_000;

async function scopedPrincipal(env: Env, settings: AuthSettings, token: string): Promise<Principal | undefined> {
  const parts = splitToken(token);
  if (!parts) return undefined;
  const now = Date.now();
  let hit = tokenCache.get(parts.id);
  if (!hit || now - hit.at >= settings.cacheMs) {
    const stored = unwrap(await cluster(env).getToken(parts.id));
    hit = { token: stored && { stored, principal: toPrincipal(stored) }, at: now };
    if (tokenCache.size >= TOKEN_CACHE_ENTRIES) tokenCache.clear();
    tokenCache.set(parts.id, hit);
  }
  if (!hit.token || !hashesEqual(await sha256(parts.secret), hit.token.stored.secret_hash)) return undefined;
  const { principal } = hit.token;
  if (principal.expiresAt !== null && Date.now() >= principal.expiresAt) {
    throw unauthenticated(settings, `token ${principal.id} expired at ${new Date(principal.expiresAt).toISOString()}`);
  }
  return principal;
}

/** SASL sessions looked up in this isolate (by credential), each acting as its token; as tokenCache. */
const sessionCache = new Map<string, CachedToken>();

/** A Kafka gateway connection's session (POST /v1/sasl/*): its token's principal, while both live. */
async function sessionPrincipal(env: Env, settings: AuthSettings, credential: string): Promise<Principal | undefined> {
  const now = Date.now();
  const key = hex(await sha256(credential));
  let hit = sessionCache.get(key);
  if (!hit || now - hit.at >= settings.cacheMs) {
    const stored = unwrap(await cluster(env).getSessionToken(credential));
    hit = { token: stored && { stored, principal: toPrincipal(stored) }, at: now };
    if (sessionCache.size >= TOKEN_CACHE_ENTRIES) sessionCache.clear();
    sessionCache.set(key, hit);
  }
  const principal = hit.token?.principal;
  if (principal && principal.expiresAt !== null && now >= principal.expiresAt)
    throw unauthenticated(settings, `token ${principal.id} expired at ${new Date(principal.expiresAt).toISOString()}`);
  return principal;
}

function toPrincipal(t: StoredToken): Principal {
  return {
    id: t.id,
    name: t.name,
    grants: t.grants.map((g) => parseGrant(g)),
    quotas: t.quotas,
    expiresAt: t.expires_at,
  };
}

/** Drops a revoked token from this isolate's cache at once; other isolates drop it within cacheMs. */
export function forgetToken(id: string): void {
  tokenCache.set(id, { token: null, at: Date.now() });
  for (const [key, hit] of sessionCache) if (hit.token?.stored.id === id) sessionCache.delete(key);
}

/** The caller on a signed route: null when the request came without a token. */
export function optionalPrincipal(c: Context<AppEnv>): Principal | null {
  return c.get("principal") ?? null;
}

export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get("principal");
  if (!p) throw new EdgelogError("UNAUTHENTICATED", "no token was checked for this route");
  return p;
}

export function hasGrant(c: Context<AppEnv>, resource: Resource, op: Operation): boolean {
  return allows(principalOf(c).grants, resource, op);
}

const DENIED: Record<ResourceKind, ErrorCode> = {
  topic: "TOPIC_AUTHORIZATION_FAILED",
  group: "GROUP_AUTHORIZATION_FAILED",
  subject: "SUBJECT_AUTHORIZATION_FAILED",
  "transactional-id": "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  connector: "CONNECTOR_AUTHORIZATION_FAILED",
  cluster: "CLUSTER_AUTHORIZATION_FAILED",
};

/** The one authorization check: throws 403 with the resource kind's code unless the caller holds `op` on it. */
export function requireGrant(c: Context<AppEnv>, resource: Resource, op: Operation): void {
  if (!hasGrant(c, resource, op)) throw denied(principalOf(c), resource, op);
}

export function denied(p: Principal, resource: Resource, op: Operation): EdgelogError {
  return new EdgelogError(
    DENIED[resource.kind],
    `token ${JSON.stringify(p.name)} may not ${op} ${describeResource(resource)}`,
  );
}

/**
 * Byte-rate buckets per token, per isolate: Kafka enforces quotas per broker, and an isolate is
 * the nearest analogue here, so a client spread over many isolates can exceed its rate.
 */
const buckets = new Map<string, Partial<Record<QuotaKind, TokenBucket>>>();

function bucketFor(p: Principal, kind: QuotaKind): TokenBucket | undefined {
  const rate = p.quotas?.[QUOTA_FIELDS[kind]];
  if (!rate) return undefined;
  let mine = buckets.get(p.id);
  if (!mine) buckets.set(p.id, (mine = {}));
  return (mine[kind] ??= new TokenBucket(rate, Date.now()));
}

function admitQuota(p: Principal, kind: QuotaKind): void {
  const bucket = bucketFor(p, kind);
  const wait = bucket?.waitSeconds(Date.now()) ?? 0;
  if (wait > 0) {
    throw new EdgelogError(
      "THROTTLING_QUOTA_EXCEEDED",
      `token ${JSON.stringify(p.name)} is over its ${kind} quota of ${bucket!.bytesPerSec} bytes/s`,
      undefined,
      wait,
    );
  }
}

/** How long the caller's debt on `kind` lasts (ms; 0 when none): a long-lived stream waits it out, as Kafka delays its responses. */
export function quotaDelayMs(c: Context<AppEnv>, kind: QuotaKind): number {
  const p = c.get("principal");
  return p ? (bucketFor(p, kind)?.waitSeconds(Date.now()) ?? 0) * 1000 : 0;
}

/** Counts bytes produced or fetched against the caller's quota; the next request waits out any debt. */
export function chargeQuota(c: Context<AppEnv>, kind: QuotaKind, bytes: number): void {
  const p = c.get("principal");
  if (p) bucketFor(p, kind)?.charge(bytes, Date.now());
}
