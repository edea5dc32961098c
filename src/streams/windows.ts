// Window specifications (Kafka's TimeWindows, SessionWindows, JoinWindows): sizes, grace periods,
// and which windows a timestamp falls in.

import { EdgelogError } from "../protocol/errors.js";
import type { Window } from "./records.js";

function check(name: string, ms: number, min = 0): number {
  if (!Number.isSafeInteger(ms) || ms < min) {
    throw new EdgelogError("INVALID_TOPOLOGY", `${name} must be an integer number of ms >= ${min}, got ${ms}`);
  }
  return ms;
}

/** Fixed-size windows on event time: tumbling (advance = size) or hopping (advance < size). [start, end). */
export class TimeWindows {
  readonly kind = "time";
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(check("window size", sizeMs, 1), sizeMs, 0);
  }

  /** Records up to `graceMs` behind stream time still update their window; later ones are dropped. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(check("window size", sizeMs, 1), sizeMs, check("grace", graceMs));
  }

  /** Hopping windows: a new window every `advanceMs`. */
  advanceBy(advanceMs: number): TimeWindows {
    check("advance", advanceMs, 1);
    if (advanceMs > this.sizeMs) {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        `window advance (${advanceMs} ms) cannot exceed its size (${this.sizeMs} ms)`,
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows holding `timestamp`, oldest first (Kafka's TimeWindows.windowsFor). */
  windowsFor(timestamp: number): Window[] {
    const out: Window[] = [];
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) out.push({ start, end: start + this.sizeMs });
    return out;
  }

  /** How long the store keeps a window: until it can no longer change. */
  get retentionMs(): number {
    return this.sizeMs + this.graceMs;
  }
}

/** Sessions: a key's records closer than `gapMs` to each other share a window [first, last] (both inclusive). */
export class SessionWindows {
  readonly kind = "session";
  private constructor(
    readonly gapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return new SessionWindows(check("inactivity gap", gapMs, 1), 0);
  }

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(check("inactivity gap", gapMs, 1), check("grace", graceMs));
  }

  get retentionMs(): number {
    return this.gapMs + this.graceMs;
  }
}

/**
 * Stream-stream joins: a record joins the other side's records of the same key within `beforeMs`
 * before and `afterMs` after its timestamp.
 */
export class JoinWindows {
  readonly kind = "join";
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(ms: number): JoinWindows {
    return new JoinWindows(check("time difference", ms), ms, 0);
  }

  static ofTimeDifferenceAndGrace(ms: number, graceMs: number): JoinWindows {
    return new JoinWindows(check("time difference", ms), ms, check("grace", graceMs));
  }

  before(ms: number): JoinWindows {
    return new JoinWindows(check("before", ms), this.afterMs, this.graceMs);
  }

  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, check("after", ms), this.graceMs);
  }

  get retentionMs(): number {
    return this.beforeMs + this.afterMs + this.graceMs;
  }
}
