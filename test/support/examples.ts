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

/** JSON calls to a test server that throw on a non-2xx answer (with its body). */
export function jsonApi(base: () => string) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const r = await fetch(`${base()}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Polls `probe` (failures count as not yet) until it returns something. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every record of a topic, partition by partition, in offset order (read_committed: committed ones only). */
export async function readTopic(
  api: ReturnType<typeof jsonApi>,
  topic: string,
  isolation: "read_uncommitted" | "read_committed" = "read_uncommitted",
): Promise<{ key: string; value: unknown; timestamp: number }[]> {
  const { partition_count } = await api("GET", `/v1/topics/${topic}`);
  const out = [];
  for (let p = 0; p < partition_count; p++) {
    for (let offset = 0; ; ) {
      const r = await api(
        "GET",
        `/v1/topics/${topic}/partitions/${p}/records?offset=${offset}&max_records=10000&isolation=${isolation}`,
      );
      out.push(...r.records);
      const end = isolation === "read_committed" ? r.last_stable_offset : r.high_watermark;
      if (r.next_offset >= end) break;
      offset = r.next_offset;
    }
  }
  return out;
}
