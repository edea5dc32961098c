// Starts edgelog as a real `wrangler dev` process (Node side of e2e tests): own port, own
// state directory, stopped (or killed) by the test that started it.

import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

export interface ServerOptions {
  /** Another Worker entry than wrangler.toml's main (e.g. a Worker that adds streams applications). */
  main?: string;
  /** Another wrangler configuration than wrangler.toml (e.g. one that declares Queues). */
  config?: string;
  /** Persistence directory; a fresh temporary one when omitted (removed on dispose). */
  stateDir?: string;
  vars?: Record<string, string>;
  startTimeoutMs?: number;
  /** Return once the process is spawned, without waiting for it to answer (see untilHealthy). */
  background?: boolean;
  /** Also append the process's output to this file (a server other processes use). */
  logFile?: string;
}

export interface EdgelogServer {
  url: string;
  port: number;
  stateDir: string;
  /** Stops the process gracefully. */
  stop(): Promise<void>;
  /** SIGKILLs the whole process group (wrangler and workerd) at once: a crash. */
  kill(): Promise<void>;
  /** Starts the process again on the same port and state. */
  restart(): Promise<void>;
  /** Stops it and removes a temporary state directory. */
  dispose(): Promise<void>;
  output(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export async function startServer(opts: ServerOptions = {}): Promise<EdgelogServer> {
  const ownDir = !opts.stateDir;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "edgelog-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = "";

  const launch = async () => {
    const inspector = await freePort();
    const vars = Object.entries({ EDGELOG_AUTH: "off", ...opts.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    child = spawn(
      WRANGLER,
      [
        "dev",
        ...(opts.config ? ["--config", opts.config] : []),
        ...(opts.main ? [opts.main] : []),
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--inspector-port",
        String(inspector),
        "--persist-to",
        stateDir,
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
        ...vars,
      ],
      {
        cwd: ROOT,
        detached: true, // own process group, so kill() reaches workerd too
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          CI: "true",
          NO_COLOR: "1",
        },
      },
    );
    const out = (d: Buffer) => {
      log += d;
      if (opts.logFile) appendFileSync(opts.logFile, d);
    };
    child.stdout!.on("data", out);
    child.stderr!.on("data", out);
    if (!opts.background) await untilHealthy(url, opts.startTimeoutMs ?? 60_000, () => log);
  };

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  const exited = () =>
    new Promise<void>((res) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return res();
      child.once("exit", () => res());
    });

  await launch();
  const server: EdgelogServer = {
    url,
    port,
    stateDir,
    async stop() {
      const done = exited();
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
      await done;
      clearTimeout(timer);
      await portClosed(port);
    },
    async kill() {
      const done = exited();
      signalGroup("SIGKILL");
      await done;
      await portClosed(port);
    },
    async restart() {
      await launch();
    },
    async dispose() {
      await server.stop();
      if (ownDir) rmSync(stateDir, { recursive: true, force: true });
    },
    output: () => log,
  };
  return server;
}

/** Waits until the server at `url` answers /healthz; `log` is what the error shows if it never does. */
export async function untilHealthy(url: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`edgelog did not become healthy at ${url} within ${timeoutMs} ms:\n${log()}`);
}

/** Waits until nothing accepts connections on the port, so a restart can bind it. */
async function portClosed(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(200) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a server before the file's tests and disposes of it after them; call at the top level. */
export function useServer(opts: ServerOptions = {}): () => EdgelogServer {
  let server: EdgelogServer | undefined;
  beforeAll(async () => {
    server = await startServer(opts);
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });
  return () => {
    if (!server) throw new Error("the server is not started yet: use it inside a test");
    return server;
  };
}
