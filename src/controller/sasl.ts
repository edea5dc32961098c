// SASL for the Kafka gateway, kept by the controller beside the tokens: SCRAM credentials, the
// server side of SCRAM exchanges (single-use, expiring), PLAIN checks, and the sessions a
// gateway connection acts with once its client has authenticated. Callers see whether an
// exchange succeeded, never which check failed, and never a key.

import {
  parseClientFirst,
  SCRAM_ITERATIONS,
  ScramError,
  serverFirst,
  verifyClientFinal,
  type ScramCredentials,
  type ScramMechanism,
} from "../auth/scram.js";
import { hashesEqual, hex, sha256, splitToken } from "../auth/token-format.js";
import { SASL_SESSION_PREFIX, TOKEN_PREFIX } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import type { TokenRegistry } from "./tokens.js";
import type { SaslSession, StoredToken } from "../contracts/cluster.js";

/** An exchange must finish this soon after its first message (Kafka clients answer at once). */
export const SCRAM_EXCHANGE_TTL_MS = 30_000;
/** Exchanges open at once; beyond this, first messages are refused until some finish or expire. */
export const MAX_OPEN_EXCHANGES = 10_000;
/** A session lasts this long (or until its token expires or is revoked); the gateway then closes the connection and the client signs in again. */
export const SASL_SESSION_MS = 24 * 60 * 60 * 1000;

const failed = () =>
  new EdgelogError(
    "SASL_AUTHENTICATION_FAILED",
    "authentication failed: unknown or revoked token, wrong secret, or expired token",
  );

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

export class SaslStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly tokens: TokenRegistry,
  ) {}

  setScram(tokenId: string, creds: ScramCredentials): void {
    this.sql.exec(`UPDATE tokens SET scram = ? WHERE id = ?`, JSON.stringify(creds), tokenId);
  }

  #scram(tokenId: string): ScramCredentials | undefined {
    const row = this.sql.exec<{ scram: string | null }>(`SELECT scram FROM tokens WHERE id = ?`, tokenId).toArray()[0];
    return row?.scram ? (JSON.parse(row.scram) as ScramCredentials) : undefined;
  }

  /** SCRAM's first round: the server-first-message, for known and unknown users alike. */
  async scramFirst(
    mech: ScramMechanism,
    clientFirst: string,
    now: number,
  ): Promise<{ exchange: string; server_first: string }> {
    let first;
    try {
      first = parseClientFirst(clientFirst);
    } catch (e) {
      throw new EdgelogError("SASL_AUTHENTICATION_FAILED", (e as ScramError).message);
    }
    this.sql.exec(`DELETE FROM sasl_exchanges WHERE expires_at <= ?`, now);
    const open = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM sasl_exchanges`).one().n;
    if (open >= MAX_OPEN_EXCHANGES)
      throw new EdgelogError(
        "THROTTLING_QUOTA_EXCEEDED",
        `${open} SCRAM exchanges are open; try again shortly`,
        undefined,
        1,
      );
    const id = tokenIdOf(first.username);
    const token = id ? this.tokens.get(id) : undefined;
    const cred = token && this.#scram(token.id)?.[mech];
    // An unknown user gets a stand-in salt, stable per name, so the reply does not say who exists.
    const salt = cred?.salt ?? b64((await this.#keyed(`${mech}:${first.username}`)).subarray(0, 32));
    const exchange = hex(crypto.getRandomValues(new Uint8Array(16)));
    const serverNonce = b64(crypto.getRandomValues(new Uint8Array(18)));
    const message = serverFirst(first.nonce, serverNonce, salt, cred?.iterations ?? SCRAM_ITERATIONS);
    this.sql.exec(
      `INSERT INTO sasl_exchanges (id, mechanism, token_id, client_first, server_first, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
      exchange,
      mech,
      cred ? token!.id : "",
      clientFirst,
      message,
      now + SCRAM_EXCHANGE_TTL_MS,
    );
    return { exchange, server_first: message };
  }

  /** SCRAM's second round: one proof per exchange (the row is gone whatever the outcome). */
  async scramFinal(
    exchange: string,
    clientFinal: string,
    now: number,
  ): Promise<SaslSession & { server_final: string }> {
    const row = this.sql
      .exec<{ mechanism: string; token_id: string; client_first: string; server_first: string; expires_at: number }>(
        `DELETE FROM sasl_exchanges WHERE id = ? RETURNING mechanism, token_id, client_first, server_first, expires_at`,
        exchange,
      )
      .toArray()[0];
    if (!row || row.expires_at <= now || row.token_id === "") throw failed();
    const token = this.tokens.get(row.token_id);
    const mech = row.mechanism as ScramMechanism;
    const cred = token && this.#scram(token.id)?.[mech];
    if (!token || !cred || expired(token, now)) throw failed();
    let serverFinal: string;
    try {
      serverFinal = await verifyClientFinal(
        mech,
        cred,
        parseClientFirst(row.client_first),
        row.server_first,
        clientFinal,
      );
    } catch (e) {
      if (e instanceof ScramError) throw failed();
      throw e;
    }
    return { ...(await this.#session(token, now)), server_final: serverFinal };
  }

  /** PLAIN: user = token id and password = its secret, or password = the whole token. */
  async plain(username: string, password: string, now: number): Promise<SaslSession> {
    const parts =
      splitToken(password) ??
      splitToken(`${TOKEN_PREFIX}${username.replace(new RegExp(`^${TOKEN_PREFIX}`), "")}_${password}`);
    const token = parts && this.tokens.get(parts.id);
    if (!parts || !token || !hashesEqual(await sha256(parts.secret), token.secret_hash) || expired(token, now))
      throw failed();
    return this.#session(token, now);
  }

  /** The session's token, when the session is known, unexpired and its secret matches; else undefined. */
  async session(credential: string, now: number): Promise<StoredToken | undefined> {
    const m = new RegExp(`^${SASL_SESSION_PREFIX}([0-9a-f]{16})_([0-9a-f]{64})$`).exec(credential);
    if (!m) return undefined;
    const row = this.sql
      .exec<{ secret_hash: string; token_id: string; expires_at: number }>(
        `SELECT secret_hash, token_id, expires_at FROM sasl_sessions WHERE id = ?`,
        m[1]!,
      )
      .toArray()[0];
    if (!row || row.expires_at <= now || !hashesEqual(await sha256(m[2]!), row.secret_hash)) return undefined;
    return this.tokens.get(row.token_id);
  }

  /** Sessions go with their token. */
  forgetToken(tokenId: string): void {
    this.sql.exec(`DELETE FROM sasl_sessions WHERE token_id = ?`, tokenId);
  }

  async #session(token: StoredToken, now: number): Promise<SaslSession> {
    this.sql.exec(`DELETE FROM sasl_sessions WHERE expires_at <= ?`, now);
    const id = hex(crypto.getRandomValues(new Uint8Array(8)));
    const secret = hex(crypto.getRandomValues(new Uint8Array(32)));
    const expiresAt = Math.min(now + SASL_SESSION_MS, token.expires_at ?? Number.POSITIVE_INFINITY);
    this.sql.exec(
      `INSERT INTO sasl_sessions (id, secret_hash, token_id, expires_at) VALUES (?, ?, ?, ?)`,
      id,
      hex(await sha256(secret)),
      token.id,
      expiresAt,
    );
    return { session: `${SASL_SESSION_PREFIX}${id}_${secret}`, token_id: token.id, expires_at: expiresAt };
  }

  /** HMAC-SHA-256 under the controller's own random key (made on first use, never leaves this object). */
  async #keyed(data: string): Promise<Uint8Array> {
    let row = this.sql
      .exec<{ value: string }>(`SELECT value FROM cluster_keys WHERE name = 'scram-stand-in'`)
      .toArray()[0];
    if (!row) {
      row = { value: hex(crypto.getRandomValues(new Uint8Array(32))) };
      this.sql.exec(`INSERT INTO cluster_keys (name, value) VALUES ('scram-stand-in', ?)`, row.value);
    }
    const raw = Uint8Array.from(row.value.match(/../g)!, (h) => parseInt(h, 16));
    const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  }
}

/** A SCRAM username names a token by id, with or without the elg_ prefix. */
function tokenIdOf(username: string): string | undefined {
  const id = username.replace(new RegExp(`^${TOKEN_PREFIX}`), "");
  return /^[0-9a-f]{16}$/.test(id) ? id : undefined;
}

function expired(t: StoredToken, now: number): boolean {
  return t.expires_at !== null && now >= t.expires_at;
}
