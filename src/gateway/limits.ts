// The gateway's resource bounds (Kafka's broker settings where Kafka has one), validated once, and the
// request-memory budget every connection reserves its next frame from before reading its body.

export interface GatewayLimits {
  /** Largest request frame accepted; a bigger one closes its connection (Kafka's socket.request.max.bytes). */
  socketRequestMaxBytes: number;
  /** Bytes of requests read or being read across all connections (Kafka's queued.max.request.bytes). */
  queuedMaxRequestBytes: number;
  /** A connection with no request in progress for this long is closed (Kafka's connections.max.idle.ms). */
  connectionsMaxIdleMs: number;
  /** Time from a frame's first byte to its last; Kafka has no such setting, this stops slowloris clients. */
  requestReadTimeoutMs: number;
  /** Open client connections; more are refused by closing them (Kafka's max.connections). */
  maxConnections: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  socketRequestMaxBytes: 100 * 1024 * 1024,
  // Two maximum-size requests at once; Kafka's default (-1) is unbounded, which a Node process cannot afford.
  queuedMaxRequestBytes: 200 * 1024 * 1024,
  connectionsMaxIdleMs: 10 * 60 * 1000,
  requestReadTimeoutMs: 30_000,
  maxConnections: 1000,
};

/** Kafka's CLI-style names, for messages and flags. */
export const LIMIT_NAMES: Record<keyof GatewayLimits, string> = {
  socketRequestMaxBytes: "socket-request-max-bytes",
  queuedMaxRequestBytes: "queued-max-request-bytes",
  connectionsMaxIdleMs: "connections-max-idle-ms",
  requestReadTimeoutMs: "request-read-timeout-ms",
  maxConnections: "max-connections",
};

/** Fills in defaults and refuses values that cannot work, naming the flag. */
export function resolveLimits(given: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof GatewayLimits)[]) {
    const v = given[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 1)
      throw new Error(`--${LIMIT_NAMES[key]} must be a positive integer, got ${JSON.stringify(v)}`);
    limits[key] = v;
  }
  // The smallest request header is 8 bytes (key, version, correlation id) plus a client id length.
  if (limits.socketRequestMaxBytes < 10) throw new Error("--socket-request-max-bytes must be at least 10");
  // Otherwise a frame of the maximum size could never be read (Kafka refuses this configuration too).
  if (limits.queuedMaxRequestBytes < limits.socketRequestMaxBytes)
    throw new Error(
      `--queued-max-request-bytes (${limits.queuedMaxRequestBytes}) must be at least --socket-request-max-bytes (${limits.socketRequestMaxBytes})`,
    );
  return limits;
}

/**
 * The shared budget for request bytes. A connection reserves a whole frame once its size prefix is
 * read and releases it when the request has been answered, so a frame being read always completes:
 * connections that cannot reserve wait in arrival order, with reading paused, instead of each
 * holding part of a frame while memory runs out.
 */
export class RequestMemory {
  #used = 0;
  readonly #waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly capacity: number) {}

  get used(): number {
    return this.#used;
  }

  /** Reserves `bytes` now (true) or calls `grant` once they are reserved (false). */
  reserve(bytes: number, grant: () => void): boolean {
    if (this.#waiting.length === 0 && this.#used + bytes <= this.capacity) {
      this.#used += bytes;
      return true;
    }
    this.#waiting.push({ bytes, grant });
    return false;
  }

  /** Withdraws a pending reservation (its connection closed while waiting). */
  cancel(grant: () => void): void {
    const i = this.#waiting.findIndex((w) => w.grant === grant);
    if (i >= 0) this.#waiting.splice(i, 1);
    this.#grant();
  }

  release(bytes: number): void {
    this.#used -= bytes;
    this.#grant();
  }

  #grant(): void {
    while (this.#waiting.length > 0 && this.#used + this.#waiting[0]!.bytes <= this.capacity) {
      const w = this.#waiting.shift()!;
      this.#used += w.bytes;
      w.grant();
    }
  }
}
