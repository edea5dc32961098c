// Runs `npm run example -- <name>` processes (scripts/example.mjs) against a test server, as a user
// would: each in its own process group, so a test can SIGKILL one mid-stream.

import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export interface ExampleProcess {
  /** Resolves once the example says it is running (its application started). */
  running: Promise<void>;
  output(): string;
  /** SIGKILLs the process: a crash, nothing flushed or committed. */
  kill(): Promise<void>;
  /** SIGTERM: the example closes its application (final commit, leaves the group) and exits. */
  stop(): Promise<void>;
}

export function runExample(name: string, env: Record<string, string>): ExampleProcess {
  let log = "";
  const child: ChildProcess = spawn(process.execPath, [resolve(ROOT, "scripts/example.mjs"), name], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const running = new Promise<void>((res, rej) => {
    const onData = (d: Buffer) => {
      log += d;
      if (log.includes(": running against")) res();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (log += d));
    void exited.then(() => rej(new Error(`example ${name} exited before it was running:\n${log}`)));
  });
  running.catch(() => undefined);
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    }
    await exited;
  };
  return { running, output: () => log, kill: () => signal("SIGKILL"), stop: () => signal("SIGTERM") };
}
