// Runs kcat (librdkafka's CLI) against a gateway from Node tests: one-shot runs and long-lived consumers.

import { spawn, type ChildProcess } from "node:child_process";

export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kcat to completion (stdin fed from `input`), failing the test if it outlives `timeoutMs`. */
export function kcat(args: string[], input = "", timeoutMs = 20_000): Promise<KcatResult> {
  return new Promise((res, rej) => {
    const child = spawn("kcat", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`kcat ${args.join(" ")} ran over ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", rej);
    child.on("close", (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

export interface RunningKcat {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startKcat(args: string[]): RunningKcat {
  const child = spawn("kcat", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<void>((res) => child.once("close", () => res()));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Polls `check` until it returns a truthy value; the awaited event here is a state change in another process. */
export async function until<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
