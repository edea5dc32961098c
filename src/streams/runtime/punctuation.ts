// Punctuation schedules (Kafka's PunctuationQueue): stream-time ones fire as records advance stream
// time, wall-clock ones as the clock passes; each fires at most once per check and then realigns.

import type { Cancellable } from "../processors/api.js";

interface Schedule {
  next: number;
  interval: number;
  fn: (timestamp: number) => void;
  cancelled: boolean;
}

export class PunctuationQueue {
  readonly #schedules: Schedule[] = [];

  /** `first`: when it first fires (stream time: 0, so the first record fires it; wall clock: now + interval). */
  schedule(first: number, interval: number, fn: (timestamp: number) => void): Cancellable {
    const s: Schedule = { next: first, interval, fn, cancelled: false };
    this.#schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.#schedules.splice(this.#schedules.indexOf(s), 1);
      },
    };
  }

  /** Fires every schedule due at `time`; returns whether any fired. */
  mayPunctuate(time: number, around: (fire: () => void) => void = (f) => f()): boolean {
    let fired = false;
    for (const s of [...this.#schedules]) {
      if (s.cancelled || s.next > time) continue;
      // The next time after `time` on the schedule's grid (a jump of several intervals fires once).
      s.next = time >= s.next + s.interval ? time - ((time - s.next) % s.interval) + s.interval : s.next + s.interval;
      around(() => s.fn(time));
      fired = true;
    }
    return fired;
  }

  get size(): number {
    return this.#schedules.length;
  }
}
