// Scoped token strings: minting `elg_<id>_<secret>`, splitting them, hashing and comparing secrets.

import { TOKEN_PREFIX } from "../protocol/constants.js";

const ID_BYTES = 8;
const SECRET_BYTES = 32;
const TOKEN_SHAPE = new RegExp(`^${TOKEN_PREFIX}([0-9a-f]{${ID_BYTES * 2}})_([0-9a-f]{${SECRET_BYTES * 2}})$`);

export interface MintedToken {
  id: string;
  /** The whole token, shown to its creator once and never stored. */
  token: string;
  /** Hex SHA-256 of the secret part: what the controller keeps. */
  secretHash: string;
}

export async function mintToken(): Promise<MintedToken> {
  const id = hex(crypto.getRandomValues(new Uint8Array(ID_BYTES)));
  const secret = hex(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
  return { id, token: `${TOKEN_PREFIX}${id}_${secret}`, secretHash: hex(await sha256(secret)) };
}

/** The id and secret of a scoped token, or undefined when the string does not have that shape. */
export function splitToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_SHAPE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Constant-time equality of a secret's hash with a stored hex hash (equal lengths: both SHA-256). */
export function hashesEqual(hash: Uint8Array, storedHex: string): boolean {
  const stored = fromHex(storedHex);
  if (stored.byteLength !== hash.byteLength) return false;
  return crypto.subtle.timingSafeEqual(hash, stored);
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}
