// SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as a Kafka broker verifies it: credentials derived from a
// password (salt, iterations, StoredKey, ServerKey), the server's side of the two-message exchange,
// and nothing that lets a caller test a password guess without a fresh server nonce.

export const SCRAM_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

/** Kafka's minimum (ScramMechanism.minIterations); token secrets are 256 random bits, so more buys nothing. */
export const SCRAM_ITERATIONS = 4096;

const HASH: Record<ScramMechanism, { name: "SHA-256" | "SHA-512"; bytes: number }> = {
  "SCRAM-SHA-256": { name: "SHA-256", bytes: 32 },
  "SCRAM-SHA-512": { name: "SHA-512", bytes: 64 },
};

/** What is stored per mechanism: enough to verify a proof and sign the reply, never to recover the password. */
export interface ScramCredential {
  salt: string;
  iterations: number;
  stored_key: string;
  server_key: string;
}

export type ScramCredentials = Record<ScramMechanism, ScramCredential>;

export class ScramError extends Error {
  override readonly name = "ScramError";
}

const utf8 = new TextEncoder();
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function hmac(mech: ScramMechanism, key: Uint8Array, data: Uint8Array | string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: HASH[mech].name }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, typeof data === "string" ? utf8.encode(data) : data));
}

async function digest(mech: ScramMechanism, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(HASH[mech].name, data));
}

/** One mechanism's credential for `password` (token secrets are hex, so SASLprep leaves them as they are). */
export async function scramCredential(
  mech: ScramMechanism,
  password: string,
  salt: Uint8Array = crypto.getRandomValues(new Uint8Array(32)),
  iterations = SCRAM_ITERATIONS,
): Promise<ScramCredential> {
  const base = await crypto.subtle.importKey("raw", utf8.encode(password), "PBKDF2", false, ["deriveBits"]);
  const salted = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: HASH[mech].name, salt, iterations },
      base,
      HASH[mech].bytes * 8,
    ),
  );
  const clientKey = await hmac(mech, salted, "Client Key");
  return {
    salt: b64(salt),
    iterations,
    stored_key: b64(await digest(mech, clientKey)),
    server_key: b64(await hmac(mech, salted, "Server Key")),
  };
}

export async function scramCredentials(password: string): Promise<ScramCredentials> {
  return {
    "SCRAM-SHA-256": await scramCredential("SCRAM-SHA-256", password),
    "SCRAM-SHA-512": await scramCredential("SCRAM-SHA-512", password),
  };
}

/** SCRAM's attribute lists: `k=v,k=v`, values may contain `=` (base64). */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new ScramError(`malformed SCRAM attribute ${JSON.stringify(part.slice(0, 20))}`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** SCRAM usernames escape `,` and `=` as `=2C` and `=3D`. */
function unescapeName(s: string): string {
  if (/=(?!2C|3D)/.test(s)) throw new ScramError("malformed SCRAM username");
  return s.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

export interface ClientFirst {
  /** "n,," (no channel binding; Kafka's clients send this). */
  gs2Header: string;
  /** The message without the gs2 header: part of what the proof signs. */
  bare: string;
  username: string;
  nonce: string;
}

/** The client-first-message: `n,,n=<user>,r=<nonce>` (authzid empty or equal to the user; no channel binding). */
export function parseClientFirst(message: string): ClientFirst {
  const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(message);
  if (!m) throw new ScramError("client-first-message must start with n,, (channel binding is not supported)");
  const bare = m[3]!;
  const attrs = attributes(bare);
  const username = attrs.get("n");
  const nonce = attrs.get("r");
  if (username === undefined || !nonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce))
    throw new ScramError("client-first-message needs n=<username>,r=<printable nonce>");
  if (attrs.has("m")) throw new ScramError("SCRAM extensions are not supported");
  return { gs2Header: message.slice(0, message.length - bare.length), bare, username: unescapeName(username), nonce };
}

export function serverFirst(clientNonce: string, serverNonce: string, salt: string, iterations: number): string {
  return `r=${clientNonce}${serverNonce},s=${salt},i=${iterations}`;
}

/**
 * Checks a client-final-message against the exchange so far: the channel binding echoes the gs2
 * header, the nonce is the server's combined nonce, and the proof matches StoredKey. Returns the
 * server-final-message (`v=<ServerSignature>`), or throws ScramError without saying which check failed.
 */
export async function verifyClientFinal(
  mech: ScramMechanism,
  credential: ScramCredential,
  first: ClientFirst,
  serverFirstMessage: string,
  clientFinal: string,
): Promise<string> {
  const proofAt = clientFinal.lastIndexOf(",p=");
  if (proofAt < 0) throw new ScramError("client-final-message has no proof");
  const withoutProof = clientFinal.slice(0, proofAt);
  const attrs = attributes(withoutProof);
  const combined = attributes(serverFirstMessage).get("r")!;
  // Kafka accepts a nonce that ends with the combined one (ScramSaslServer.verifyClientProof):
  // librdkafka sends the client nonce again in front of it. The server's fresh part is still required.
  if (attrs.get("c") !== btoa(first.gs2Header) || !attrs.get("r")?.endsWith(combined))
    throw new ScramError("SCRAM channel binding or nonce does not match this exchange");
  let proof: Uint8Array;
  try {
    proof = unb64(clientFinal.slice(proofAt + 3));
  } catch {
    throw new ScramError("SCRAM proof is not base64");
  }
  const authMessage = `${first.bare},${serverFirstMessage},${withoutProof}`;
  const storedKey = unb64(credential.stored_key);
  if (proof.length !== storedKey.length) throw new ScramError("SCRAM proof has the wrong length");
  const clientSignature = await hmac(mech, storedKey, authMessage);
  const clientKey = proof.map((b, i) => b ^ clientSignature[i]!);
  const candidate = await digest(mech, clientKey);
  if (!crypto.subtle.timingSafeEqual(candidate, storedKey)) throw new ScramError("SCRAM proof does not verify");
  return `v=${b64(await hmac(mech, unb64(credential.server_key), authMessage))}`;
}
