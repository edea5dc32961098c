// Token registry: scoped access tokens as the controller stores them (hashed secret, grants, quotas).

import type { GrantInput } from "../auth/grants.js";
import type { Quotas } from "../auth/quota.js";
import { EdgelogError } from "../protocol/errors.js";
import type { StoredToken, TokenInfo } from "../contracts/cluster.js";

interface TokenRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  secret_hash: string;
  grants: string;
  quotas: string | null;
  expires_at: number | null;
  created_at: number;
  created_by: string;
}

export class TokenRegistry {
  constructor(private readonly sql: SqlStorage) {}

  create(t: StoredToken): TokenInfo {
    this.sql.exec(
      `INSERT INTO tokens (id, name, secret_hash, grants, quotas, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      t.id,
      t.name,
      t.secret_hash,
      JSON.stringify(t.grants),
      t.quotas ? JSON.stringify(t.quotas) : null,
      t.expires_at,
      t.created_at,
      t.created_by,
    );
    return info(t);
  }

  get(id: string): StoredToken | undefined {
    const row = this.sql.exec<TokenRow>(`SELECT * FROM tokens WHERE id = ?`, id).toArray()[0];
    return row && fromRow(row);
  }

  list(): TokenInfo[] {
    return this.sql
      .exec<TokenRow>(`SELECT * FROM tokens ORDER BY created_at, id`)
      .toArray()
      .map((r) => info(fromRow(r)));
  }

  delete(id: string): void {
    const deleted = this.sql.exec(`DELETE FROM tokens WHERE id = ?`, id).rowsWritten;
    // The id is not echoed: callers sometimes pass a whole token here.
    if (deleted === 0)
      throw new EdgelogError(
        "DELEGATION_TOKEN_NOT_FOUND",
        "no token has that id (ids are the 16 hex digits after elg_)",
      );
  }
}

function fromRow(r: TokenRow): StoredToken {
  return {
    id: r.id,
    name: r.name,
    secret_hash: r.secret_hash,
    grants: JSON.parse(r.grants) as GrantInput[],
    quotas: r.quotas === null ? null : (JSON.parse(r.quotas) as Quotas),
    expires_at: r.expires_at,
    created_at: r.created_at,
    created_by: r.created_by,
  };
}

function info(t: StoredToken): TokenInfo {
  const { secret_hash: _, ...rest } = t;
  return rest;
}
