// When an object's changed metrics are next pushed: at most once per interval, and only when
// something changed since the last push (so an idle object is never woken for metrics).

export class PushClock {
  #unpushed = false;
  #last: number;

  /** A fresh object waits one interval before its first push, as after any other. */
  constructor(startedAt: number) {
    this.#last = startedAt;
  }

  changed(): void {
    this.#unpushed = true;
  }

  get unpushed(): boolean {
    return this.#unpushed;
  }

  /** When the next push is due (null: nothing changed). */
  due(intervalMs: number): number | null {
    return this.#unpushed ? this.#last + intervalMs : null;
  }

  pushed(now: number): void {
    this.#unpushed = false;
    this.#last = now;
  }

  failed(): void {
    this.#unpushed = true;
  }
}
