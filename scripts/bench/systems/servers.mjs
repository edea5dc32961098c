// Starting the peers' servers on loopback with their own data dirs, installing them if missing.

import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function has(bin) {
  try {
    execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure each Debian package's binary exists: apt-get when root, else a clear instruction. */
export function ensureInstalled(packages) {
  const missing = Object.entries(packages)
    .filter(([, bin]) => !has(bin))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `peers need ${missing.join(", ")}: run \`sudo apt-get install -y ${missing.join(" ")}\` (Debian/Ubuntu) and retry`,
    );
  }
  console.error(`installing ${missing.join(", ")} with apt-get…`);
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** Spawns a server and resolves once `ready()` succeeds; the handle stops it by its own pid. */
export async function spawnServer(cmd, args, ready, timeoutMs = 20_000) {
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited with ${child.exitCode}: ${err}`);
    try {
      await ready();
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${cmd} did not become ready: ${e.message} ${err}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    version: () => execFileSync(cmd, ["--version"]).toString().trim(),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
