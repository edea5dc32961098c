// The client side of SCRAM-SHA-256/512 (RFC 5802), written for the tests from the RFC and not from
// edgelog's server code: builds the client messages and checks the server's signature.

const utf8 = new TextEncoder();
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export type Mechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";
const HASH = { "SCRAM-SHA-256": ["SHA-256", 256], "SCRAM-SHA-512": ["SHA-512", 512] } as const;

async function hmac(m: Mechanism, key: Uint8Array, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: HASH[m][0] }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8.encode(data)));
}

export class ScramClient {
  readonly nonce = b64(crypto.getRandomValues(new Uint8Array(18)));
  readonly first: string;
  #serverSignature?: Uint8Array;

  constructor(
    readonly mechanism: Mechanism,
    readonly username: string,
    readonly password: string,
  ) {
    this.first = `n,,n=${username},r=${this.nonce}`;
  }

  /** The client-final-message for a server-first-message. */
  async final(serverFirst: string): Promise<string> {
    const attrs = Object.fromEntries(serverFirst.split(",").map((p) => [p[0], p.slice(2)]));
    if (!attrs.r!.startsWith(this.nonce)) throw new Error("server nonce does not extend ours");
    const base = await crypto.subtle.importKey("raw", utf8.encode(this.password), "PBKDF2", false, ["deriveBits"]);
    const salted = new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "PBKDF2", hash: HASH[this.mechanism][0], salt: unb64(attrs.s!), iterations: Number(attrs.i) },
        base,
        HASH[this.mechanism][1],
      ),
    );
    const clientKey = await hmac(this.mechanism, salted, "Client Key");
    const storedKey = new Uint8Array(await crypto.subtle.digest(HASH[this.mechanism][0], clientKey));
    const withoutProof = `c=${btoa("n,,")},r=${attrs.r}`;
    const authMessage = `${this.first.slice(3)},${serverFirst},${withoutProof}`;
    const signature = await hmac(this.mechanism, storedKey, authMessage);
    this.#serverSignature = await hmac(this.mechanism, await hmac(this.mechanism, salted, "Server Key"), authMessage);
    return `${withoutProof},p=${b64(clientKey.map((b, i) => b ^ signature[i]!))}`;
  }

  /** True when the server-final-message proves the server holds this password's ServerKey. */
  verifies(serverFinal: string): boolean {
    return serverFinal === `v=${b64(this.#serverSignature!)}`;
  }
}
