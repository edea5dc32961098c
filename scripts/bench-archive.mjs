// Benchmark (not a test): full-scan read throughput from the archive (R2) next to the hot tier
// (SQLite), against a real `wrangler dev`. Usage: npm run bench:archive [-- --mb 16 --runs 5]

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MB = arg("mb", 16);
const RUNS = Math.max(3, arg("runs", 5));
const RECORD_BYTES = 1000;
const PER_REQUEST = 1000;
const ROOT = resolve(import.meta.dirname, "..");

const freePort = () =>
  new Promise((res, rej) => {
    const srv = createServer()
      .once("error", rej)
      .listen(0, "127.0.0.1", () => {
        const { port } = srv.address();
        srv.close(() => res(port));
      });
  });

async function startServer() {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "edgelog-bench-"));
  const child = spawn(
    join(ROOT, "node_modules/.bin/wrangler"),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
      "--var",
      "EDGELOG_AUTH:off",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* starting */
    }
    if (i > 600) throw new Error("wrangler dev did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* gone */
    }
    rmSync(state, { recursive: true, force: true });
  };
  return { url, stop };
}

async function api(url, method, path, body) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

async function fill(url, topic, config) {
  await api(url, "POST", "/v1/topics", { name: topic, partitions: 1, config });
  const value = "v".repeat(RECORD_BYTES - 40);
  const requests = Math.ceil((MB * 1024 * 1024) / (RECORD_BYTES * PER_REQUEST));
  for (let q = 0; q < requests; q++) {
    const records = Array.from({ length: PER_REQUEST }, (_, i) => ({ key: `k${i}`, value, partition: 0 }));
    await api(url, "POST", `/v1/topics/${topic}/records`, { records, format: "string" });
  }
}

/** Reads the whole partition as raw batches, 1 MiB per fetch; returns bytes read. */
async function scan(url, topic) {
  let offset = 0;
  let bytes = 0;
  for (;;) {
    const r = await fetch(`${url}/v1/topics/${topic}/partitions/0/records?offset=${offset}&max_bytes=1048576`, {
      headers: { accept: "application/vnd.edgelog.record-batch" },
    });
    if (!r.ok) throw new Error(`fetch ${offset}: ${r.status} ${await r.text()}`);
    bytes += (await r.arrayBuffer()).byteLength;
    offset = Number(r.headers.get("Edgelog-Next-Offset"));
    if (offset >= Number(r.headers.get("Edgelog-High-Watermark"))) return bytes;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer();
try {
  const hot = `bench-hot-${Date.now()}`;
  const cold = `bench-archived-${Date.now()}`;
  await fill(server.url, hot, { "retention.ms": -1 });
  await fill(server.url, cold, { "retention.ms": -1, "segment.bytes": 4 * 1024 * 1024 });
  // Roll the head too, so every byte of the archived topic is read from R2.
  await api(server.url, "PATCH", `/v1/topics/${cold}`, { config: { "segment.ms": 1 } });
  for (let i = 0; ; i++) {
    const d = await api(server.url, "GET", `/v1/topics/${cold}`);
    if (d.partitions[0].bytes === 0) break;
    if (i > 600) throw new Error(`archive roll did not finish: ${JSON.stringify(d.partitions[0])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const d = (await api(server.url, "GET", `/v1/topics/${cold}`)).partitions[0];
  console.log(`data: ${MB} MiB per topic, ${RECORD_BYTES}-byte records; archived topic: ${d.segments} segments in R2`);
  for (const [label, topic] of [
    ["hot (SQLite)", hot],
    ["archive (R2)", cold],
  ]) {
    const rates = [];
    let bytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const t = performance.now();
      bytes = await scan(server.url, topic);
      rates.push(bytes / 1024 / 1024 / ((performance.now() - t) / 1000));
    }
    console.log(
      `${label.padEnd(14)} median ${median(rates).toFixed(1)} MiB/s over ${RUNS} full scans of ${(bytes / 1048576).toFixed(1)} MiB` +
        ` (runs: ${rates.map((r) => r.toFixed(1)).join(", ")})`,
    );
  }
} finally {
  server.stop();
}
