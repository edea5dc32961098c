// A one-line progress counter on stderr for long produce/consume runs, only on a terminal.

const EVERY_MS = 250;

export class Progress {
  #count = 0;
  #last = 0;
  readonly #started = Date.now();

  constructor(
    private readonly io: { tty: boolean; err(text: string): void },
    private readonly verb: string,
  ) {}

  add(n: number): void {
    this.#count += n;
    if (!this.io.tty) return;
    const now = Date.now();
    if (now - this.#last < EVERY_MS) return;
    this.#last = now;
    this.io.err(`\r${this.#line(now)}`);
  }

  done(): void {
    if (this.io.tty && this.#last > 0) this.io.err(`\r${this.#line(Date.now())}\n`);
  }

  #line(now: number): string {
    const secs = Math.max((now - this.#started) / 1000, 0.001);
    return `${this.verb} ${this.#count} records (${Math.round(this.#count / secs)}/s)`;
  }
}
