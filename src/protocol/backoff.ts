// Exponential backoff, one formula for every retry loop: the SDK's requests and live tails, the
// router's retries of a faulting partition, a mirror's failed slices, a replicator's failing follower.

export interface Backoff {
  /** The bound of the first retry's wait. */
  initialMs: number;
  /** No bound grows past this. */
  maxMs: number;
}

/** The bound of retry `attempt` (0 = the first retry): initialMs, doubling, at most maxMs. */
export function backoffBound(attempt: number, b: Backoff): number {
  return Math.min(b.maxMs, b.initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/**
 * Full jitter: a uniform wait in [0, bound). Clients that failed together retry spread over the
 * whole interval; equal jitter (bound/2 plus a random half) keeps half of every wait in lockstep.
 */
export function fullJitter(attempt: number, b: Backoff, random: () => number = Math.random): number {
  return Math.floor(random() * backoffBound(attempt, b));
}
