// The benchmark harness (`npm run bench`) still runs: its smallest workloads against edgelog and the
// live floors, with the per-hop trace on (EDGELOG_BENCH_TRACE, the bench-only marks).

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

it("the bench harness runs every workload against edgelog and prints its table", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["scripts/bench/run.mjs", "--smoke", "--trace"], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    timeout: 60_000,
  });
  for (const row of [
    "W1 batched produce, JSON",
    "W1 batched produce, binary",
    "W1 via the SDK producer",
    "W1 via kafkajs → Kafka gateway",
    "W2 unbatched",
    "W3 consume from 0, JSON",
    "W4 end-to-end p99",
    "W6 4 partitions, binary",
    "ratio of p50s",
    "WebSocket tail vs WebSocket floor",
    "Per-hop trace of edgelog's W4 at 100/s",
  ]) {
    expect(stdout).toContain(row);
  }
  // Every record written came back through the live tail.
  expect(stdout).toMatch(/\| W4 records lost \(not seen within 5 s\) \| 0 \|/);
}, 90_000);
