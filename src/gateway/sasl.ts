// One connection's SASL state on an authenticated listener (SASL_PLAINTEXT, SASL_SSL): the
// handshake, PLAIN and SCRAM-SHA-256/512 exchanges relayed to edgelog (which alone holds the
// credentials), and, once signed in, the session the connection's requests act with.

import { EdgelogError } from "../protocol/errors.js";
import type { Value } from "./wire/codec.js";
import { errorMessage, KAFKA, NONE, refused } from "./errors.js";
import { Upstream } from "./upstream.js";

export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Kafka's sasl.server.max.receive.size: the largest frame read before a client has authenticated. */
export const SASL_MAX_RECEIVE_BYTES = 512 * 1024;

/** A SASL reply: the body, and whether the connection closes once it is sent (every failure, as Kafka does). */
export interface SaslReply {
  body: Value;
  close?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const toUtf8 = new TextEncoder();

type Stage = "handshake" | "authenticate" | "scram-final" | "done";

export class SaslState {
  #stage: Stage = "handshake";
  #mechanism: SaslMechanism | undefined;
  #exchange: string | undefined;
  /** The connection's client of edgelog once signed in: a session acting as the client's token. */
  upstream: Upstream | undefined;
  /** When the session ends (ms); the connection closes then and the client signs in again. */
  expiresAt = Number.POSITIVE_INFINITY;

  constructor(
    /** Calls edgelog's SASL routes with the gateway's own token (it needs authenticate on the cluster). */
    readonly verifier: Upstream,
    readonly mechanisms: readonly SaslMechanism[],
    readonly log: (m: string) => void,
  ) {}

  get authenticated(): boolean {
    return this.#stage === "done";
  }

  handshake(mechanism: string): SaslReply {
    const offered = [...this.mechanisms];
    if (this.#stage !== "handshake")
      return {
        body: { ErrorCode: KAFKA.ILLEGAL_SASL_STATE, Mechanisms: offered },
        close: "SaslHandshake after the handshake (re-authentication is not supported)",
      };
    if (!(offered as string[]).includes(mechanism))
      return {
        body: { ErrorCode: KAFKA.UNSUPPORTED_SASL_MECHANISM, Mechanisms: offered },
        close: `client asked for SASL mechanism ${JSON.stringify(mechanism)}; offered ${offered.join(", ")}`,
      };
    this.#mechanism = mechanism as SaslMechanism;
    this.#stage = "authenticate";
    return { body: { ErrorCode: NONE, Mechanisms: offered } };
  }

  async authenticate(bytes: Uint8Array, signal: AbortSignal): Promise<SaslReply> {
    const mech = this.#mechanism;
    if (mech === undefined || this.#stage === "handshake" || this.#stage === "done")
      return this.#fail(KAFKA.ILLEGAL_SASL_STATE, "SaslAuthenticate without a SaslHandshake before it");
    try {
      if (mech === "PLAIN") return this.#signedIn(await this.#plain(bytes, signal), new Uint8Array(0));
      if (this.#stage === "authenticate") {
        const first = await this.verifier.scramFirst(mech, utf8.decode(bytes), signal);
        this.#exchange = first.exchange;
        this.#stage = "scram-final";
        return { body: reply(NONE, null, toUtf8.encode(first.server_first)) };
      }
      const final = await this.verifier.scramFinal(this.#exchange!, utf8.decode(bytes), signal);
      return this.#signedIn(final, toUtf8.encode(final.server_final));
    } catch (e) {
      if (refused(e) && !(e instanceof EdgelogError && e.code === "SASL_AUTHENTICATION_FAILED"))
        this.log(
          `edgelog refused the gateway's token for SASL checks (it needs authenticate on the cluster): ${errorMessage(e)}`,
        );
      const message =
        e instanceof EdgelogError && e.code === "SASL_AUTHENTICATION_FAILED"
          ? `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mech}`
          : `Authentication with SASL mechanism ${mech} could not be checked: ${errorMessage(e)}`;
      return this.#fail(KAFKA.SASL_AUTHENTICATION_FAILED, message);
    }
  }

  /** `[authzid] NUL authcid NUL passwd` (RFC 4616); an authzid other than the user is refused. */
  #plain(bytes: Uint8Array, signal: AbortSignal) {
    const parts = utf8.decode(bytes).split("\u0000");
    if (parts.length !== 3 || (parts[0] !== "" && parts[0] !== parts[1]))
      throw new EdgelogError("SASL_AUTHENTICATION_FAILED", "malformed PLAIN message");
    return this.verifier.saslPlain(parts[1]!, parts[2]!, signal);
  }

  #signedIn(s: { session: string; expires_at: number }, authBytes: Uint8Array): SaslReply {
    this.#stage = "done";
    this.upstream = new Upstream({ url: this.verifier.url, token: s.session });
    this.expiresAt = s.expires_at;
    return { body: reply(NONE, null, authBytes) };
  }

  #fail(code: number, message: string): SaslReply {
    this.#stage = "handshake";
    return { body: reply(code, message, new Uint8Array(0)), close: `SASL: ${message}` };
  }
}

function reply(code: number, message: string | null, authBytes: Uint8Array): Value {
  // Sessions end by closing the connection; 0 tells KIP-368 clients not to re-authenticate on it.
  return { ErrorCode: code, ErrorMessage: message, AuthBytes: authBytes, SessionLifetimeMs: 0 };
}
