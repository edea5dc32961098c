// What a CLI command reads and writes: stdin, stdout, stderr, and the signal that stops it.

export interface Io {
  /** stdin as text chunks. */
  stdin: AsyncIterable<string | Uint8Array>;
  /** Writes to stdout; resolves when written (so a slow pipe slows the consumer down). */
  out(text: string): Promise<void>;
  err(text: string): void;
  /** stderr is a terminal: show progress lines. */
  tty: boolean;
  /** Aborted on SIGINT/SIGTERM or a broken stdout. */
  signal: AbortSignal;
}
