// The e2e project's globalSetup: spawns the shared servers (shared-servers.ts) without waiting for
// them, so they start while the unit and integration projects run, and stops them after the run.

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startServer } from "./server.js";
import { SHARED_SERVERS, type SharedServerKind } from "./shared-servers.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kinds = Object.keys(SHARED_SERVERS) as SharedServerKind[];
  const started = await Promise.all(
    kinds.map(async (kind) => {
      const logFile = join(tmpdir(), `edgelog-e2e-${kind}-${process.pid}.log`);
      const server = await startServer({ ...SHARED_SERVERS[kind], background: true, logFile });
      return { kind, server, logFile };
    }),
  );
  project.provide(
    "edgelogServers",
    Object.fromEntries(started.map((s) => [s.kind, { url: s.server.url, logFile: s.logFile }])) as Record<
      SharedServerKind,
      { url: string; logFile: string }
    >,
  );
  return async () => {
    await Promise.all(started.map((s) => s.server.dispose()));
    for (const s of started) rmSync(s.logFile, { force: true });
  };
}
