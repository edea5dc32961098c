// `node scripts/bench/gateway.mjs [--messages 50000] [--runs 3] [--baseline path/to/gateway.mjs]`:
// produce and consume through the Kafka gateway (kcat) beside the HTTP API, in the same run against
// the same edgelog (Miniflare, as `npm run bench`), medians of --runs; --baseline also times another
// gateway build (e.g. main's) against that same server, so a change is measured as a ratio.
// Needs kcat on the PATH.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildAll, ROOT } from "./build.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";

const { values: opts } = parseArgs({
  options: {
    messages: { type: "string", default: "50000" },
    size: { type: "string", default: "100" },
    runs: { type: "string", default: "3" },
    baseline: { type: "string" },
  },
});
const N = Number(opts.messages);
const SIZE = Number(opts.size);
const RUNS = Number(opts.runs);
const log = (...m) => console.error(...m);

execOrThrow("node", ["scripts/build.mjs"]);
const { worker, hot } = await buildAll();
const { system } = await startEdgelog({ worker, hot: await import(hot), valueBytes: SIZE, batchSize: 100 });
const upstream = system.url;

function execOrThrow(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
}

async function http(method, path, body, retried = false) {
  let res;
  try {
    res = await fetch(upstream + path, {
      method,
      body: body && JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
  } catch (e) {
    // Miniflare may close an idle keep-alive connection as it is reused; the request never arrived.
    if (!retried && e?.cause?.code === "UND_ERR_SOCKET") return http(method, path, body, true);
    throw e;
  }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

async function startGatewayProcess(script) {
  const child = spawn("node", [script, "--listen", "127.0.0.1:0", "--upstream", upstream], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A failed run must not leave a gateway behind.
  process.once("exit", () => child.kill("SIGTERM"));
  const line = await new Promise((res) => child.stdout.once("data", (d) => res(String(d))));
  const port = /listening on [^:]+:(\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`gateway did not report its port: ${line}`);
  return { broker: `127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

const dir = mkdtempSync(join(tmpdir(), "edgelog-bench-gw-"));
const input = join(dir, "input.txt");
const value = (i) => `${String(i).padStart(10, "0")}${"x".repeat(SIZE - 10)}`;
writeFileSync(input, `${Array.from({ length: N }, (_, i) => value(i)).join("\n")}\n`);

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function kcat(args) {
  const r = spawnSync("kcat", args, { maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kcat ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

let topics = 0;
async function topic() {
  const name = `bench-${Date.now().toString(36)}-${topics++}`;
  await http("POST", "/v1/topics", { name, partitions: 1 });
  return name;
}

const gateways = { gateway: join(ROOT, "dist/gateway.mjs"), ...(opts.baseline ? { baseline: opts.baseline } : {}) };
const results = {};
const push = (name, secs) => (results[name] ??= []).push(secs);

for (let run = 0; run < RUNS; run++) {
  log(`run ${run + 1}/${RUNS}`);
  for (const [label, script] of Object.entries(gateways)) {
    const gw = await startGatewayProcess(script);
    const kt = await topic();
    push(
      `${label} produce`,
      await timed(() =>
        kcat(["-b", gw.broker, "-P", "-t", kt, "-l", input, "-X", "linger.ms=20", "-X", "batch.size=900000"]),
      ),
    );
    push(
      `${label} consume`,
      await timed(() => {
        const out = kcat(["-b", gw.broker, "-C", "-t", kt, "-o", "beginning", "-e", "-q", "-f", "%o\n"]);
        const n = out.trim().split("\n").length;
        if (n !== N) throw new Error(`kcat consumed ${n} of ${N}`);
      }),
    );
    // kcat's own start, handshake, metadata, offset lookup and exit, with nothing to read: the fixed
    // part of each kcat run, which the HTTP loop (one warm process) never pays.
    const empty = await topic();
    push(
      `${label} consume (empty topic)`,
      await timed(() => kcat(["-b", gw.broker, "-C", "-t", empty, "-o", "beginning", "-e", "-q", "-f", "%o\n"])),
    );
    gw.stop();
  }
  const ht = await topic();
  const PER_REQUEST = 5000;
  push(
    "HTTP produce",
    await timed(async () => {
      for (let at = 0; at < N; at += PER_REQUEST) {
        const records = Array.from({ length: Math.min(PER_REQUEST, N - at) }, (_, j) => ({ value: value(at + j) }));
        await http("POST", `/v1/topics/${ht}/partitions/0/records`, { records, format: "string" });
      }
    }),
  );
  push(
    "HTTP consume",
    await timed(async () => {
      let offset = 0;
      while (offset < N) {
        const r = await http(
          "GET",
          `/v1/topics/${ht}/partitions/0/records?offset=${offset}&max_records=10000&max_bytes=16000000&format=string`,
        );
        offset = r.next_offset;
      }
    }),
  );
}
await system.stop();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (name) => N / median(results[name]);
console.log(
  `${N} messages of ${SIZE} bytes, 1 partition, medians of ${RUNS} runs (Miniflare, kcat through the gateway)`,
);
console.log("| path | msg/s | MB/s | runs (s) |\n|---|---:|---:|---|");
for (const [name, secs] of Object.entries(results)) {
  if (name.endsWith("(empty topic)")) {
    console.log(`| ${name} | | | ${secs.map((x) => x.toFixed(2)).join(", ")} |`);
    continue;
  }
  const s = median(secs);
  console.log(
    `| ${name} | ${(N / s).toFixed(0)} | ${((N * SIZE) / s / 1e6).toFixed(1)} | ${secs.map((x) => x.toFixed(2)).join(", ")} |`,
  );
}
for (const label of Object.keys(gateways)) {
  const fixed = median(results[`${label} consume (empty topic)`]);
  const steady = N / (median(results[`${label} consume`]) - fixed);
  console.log(
    `${label}/HTTP: produce ${(rate(`${label} produce`) / rate("HTTP produce")).toFixed(2)}, consume ${(rate(`${label} consume`) / rate("HTTP consume")).toFixed(2)}; ` +
      `consume without kcat's fixed ${fixed.toFixed(2)} s: ${steady.toFixed(0)} msg/s, ${(steady / rate("HTTP consume")).toFixed(2)} of HTTP`,
  );
}
process.exit(0);
