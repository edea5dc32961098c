// The edgelog binary: parse argv, run the command, turn every failure into one line and an exit code.

import { EdgelogError } from "../client/index.js";
import { parseArgv } from "./args.js";
import { UsageError } from "./command.js";
import { runCommand } from "./commands.js";
import type { Io } from "./io.js";

/** Exit codes a script can branch on. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, UNREACHABLE: 3, BROKEN_PIPE: 4 } as const;

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const abort = new AbortController();
  let brokenPipe = false;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") brokenPipe = true;
    abort.abort();
  });
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const io: Io = {
    stdin: process.stdin,
    out: (text) =>
      new Promise((resolve) => {
        if (text.length === 0 || brokenPipe) return resolve();
        process.stdout.write(text, () => resolve());
      }),
    err: (text) => void process.stderr.write(text),
    tty: Boolean(process.stderr.isTTY),
    signal: abort.signal,
  };
  try {
    const inv = parseArgv(argv, env);
    await runCommand(inv, io);
    if (brokenPipe) return reportPipe();
    return EXIT.OK;
  } catch (e) {
    if (brokenPipe) return reportPipe();
    if (e instanceof UsageError) {
      process.stderr.write(`edgelog: ${e.message}\nRun with --help for usage.\n`);
      return EXIT.USAGE;
    }
    if (e instanceof EdgelogError) {
      const fix = e.code === "NETWORK_EXCEPTION" ? " (is the server running? set --url or EDGELOG_URL)" : "";
      process.stderr.write(`edgelog: ${e.code}: ${e.message}${fix}\n`);
      return e.code === "NETWORK_EXCEPTION" ? EXIT.UNREACHABLE : EXIT.ERROR;
    }
    if (abort.signal.aborted) return EXIT.ERROR;
    process.stderr.write(`edgelog: ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.ERROR;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

function reportPipe(): number {
  process.stderr.write("edgelog: stdout was closed (broken pipe); stopping\n");
  return EXIT.BROKEN_PIPE;
}
