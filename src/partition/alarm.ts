// When a partition's alarm should next fire: the policy as a pure function of what just happened,
// and the scheduler that keeps the one alarm a Durable Object has at the earliest time asked for.

import type { TopicConfig } from "../protocol/topic-config.js";

/** Backoff before background work that failed (R2 unavailable, a crash mid-roll) is retried. */
export const MAINTENANCE_RETRY_MS = 10_000;
/** While a follower is behind, the alarm resumes its catch-up at least this often. */
export const REPLICA_CATCH_UP_MS = 1_000;
/** How often idle producers' state is swept while any is kept. */
export const PRODUCER_SWEEP_MS = 3_600_000;

/** What just happened, with what the policy needs to know about the partition then. */
export type AlarmState =
  | {
      /** Records were appended. */
      after: "append";
      /** The topic's roll and retention settings. */
      config: AlarmConfig;
      /** When the alarm is set for (null: none). */
      alarmAt: number | null;
      /** Bytes in SQLite, and of them those not yet sealed into a segment (the active head). */
      hotBytes: number;
      unsealedBytes: number;
      /** Whether idempotent producers' state is kept (it is swept by the alarm). */
      hasProducers: boolean;
    }
  | {
      /** A slice of background work ran (src/archive/maintenance.ts). */
      after: "maintenance";
      /** When it says the next slice is due: now while work remains, a deadline, or null for never. */
      due: number | null;
      /** A follower is behind and shipping must resume. */
      replicasBehind: boolean;
      hasProducers: boolean;
    }
  | {
      /** The slice failed; every step is safe to redo. */
      after: "failure";
    };

export type AlarmConfig = Pick<TopicConfig, "segment.bytes" | "segment.ms" | "retention.ms">;

/**
 * When the alarm must fire by (null: no need). After an append this costs a few comparisons: the
 * head past segment.bytes makes a roll due now, and with no alarm set the time deadlines are armed
 * (the alarm computes the exact ones itself); an alarm already due is left alone.
 */
export function nextAlarm(state: AlarmState, now: number): number | null {
  let at = Number.POSITIVE_INFINITY;
  switch (state.after) {
    case "append": {
      if (state.alarmAt !== null && state.alarmAt <= now) return null;
      const { config } = state;
      const limit = config["segment.bytes"];
      if (state.hotBytes >= limit && state.unsealedBytes >= limit) at = now;
      else if (state.alarmAt === null) {
        const retention = config["retention.ms"] >= 0 ? config["retention.ms"] : Number.POSITIVE_INFINITY;
        at = now + Math.min(config["segment.ms"], retention);
      }
      // Idle idempotent producers are swept by the alarm too, so their state stays bounded.
      if (state.hasProducers) at = Math.min(at, now + PRODUCER_SWEEP_MS);
      break;
    }
    case "maintenance":
      at = state.due ?? at;
      if (state.replicasBehind) at = Math.min(at, now + REPLICA_CATCH_UP_MS);
      if (state.hasProducers) at = Math.min(at, now + PRODUCER_SWEEP_MS);
      break;
    case "failure":
      at = now + MAINTENANCE_RETRY_MS;
      break;
  }
  return Number.isFinite(at) ? at : null;
}

/** The storage calls the scheduler makes. */
export interface AlarmStorage {
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
}

/**
 * Keeps the object's one alarm at the earliest time anything asked for, remembering when it is set
 * so that most asks cost no storage call: an alarm set earlier already covers a later need.
 */
export class AlarmScheduler {
  #at: number | null = null;

  constructor(private readonly storage: AlarmStorage) {}

  /** Reads the alarm a previous instance set; call inside the constructor's blockConcurrencyWhile. */
  async load(): Promise<void> {
    this.#at = await this.storage.getAlarm();
  }

  /** When the alarm is set for, as far as this instance knows (null: none). */
  get at(): number | null {
    return this.#at;
  }

  /** None is set any more: the alarm is running, or storage was wiped with it. */
  cleared(): void {
    this.#at = null;
  }

  /** Makes sure the alarm fires by `at` (null: nothing asked). */
  async wakeBy(at: number | null): Promise<void> {
    if (at === null || (this.#at !== null && this.#at <= at)) return;
    await this.storage.setAlarm(at);
    this.#at = at;
  }
}
