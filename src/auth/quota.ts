// Byte-rate quotas as token buckets: a request may start while the bucket is not in debt, and
// its bytes are charged afterwards (possibly into debt), as Kafka measures and then throttles.

/** Quotas a token carries, set at creation (Kafka's producer_byte_rate and consumer_byte_rate). */
export interface Quotas {
  produce_bytes_per_sec?: number;
  fetch_bytes_per_sec?: number;
}

export type QuotaKind = "produce" | "fetch";

export const QUOTA_FIELDS: Record<QuotaKind, keyof Quotas> = {
  produce: "produce_bytes_per_sec",
  fetch: "fetch_bytes_per_sec",
};

export class TokenBucket {
  #balance: number;
  #at: number;

  /** Holds at most one second of traffic, so an idle client cannot save up a long burst. */
  constructor(
    readonly bytesPerSec: number,
    now: number,
  ) {
    this.#balance = bytesPerSec;
    this.#at = now;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#balance = Math.min(this.bytesPerSec, this.#balance + elapsed * this.bytesPerSec);
    this.#at = now;
  }

  /** Whole seconds to wait before the next request may start; 0 when it may start now. */
  waitSeconds(now: number): number {
    this.#refill(now);
    return this.#balance >= 0 ? 0 : Math.max(1, Math.ceil(-this.#balance / this.bytesPerSec));
  }

  charge(bytes: number, now: number): void {
    this.#refill(now);
    this.#balance -= bytes;
  }
}
