// Produce/consume throughput through the Kafka gateway (kcat) beside the HTTP API, medians of 3 runs.
// Needs a running edgelog (npm start) and kcat. Usage:
//   npm run build && node scripts/bench-gateway.mjs [--upstream http://127.0.0.1:8787] [--messages 50000] [--size 100]
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    upstream: { type: "string", default: "http://127.0.0.1:8787" },
    messages: { type: "string", default: "50000" },
    size: { type: "string", default: "100" },
    port: { type: "string", default: "19093" },
  },
});
const upstream = values.upstream;
const N = Number(values.messages);
const SIZE = Number(values.size);
const B = `127.0.0.1:${values.port}`;
const RUNS = 3;

async function http(method, path, body) {
  const res = await fetch(upstream + path, {
    method,
    body: body && JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

const gateway = spawn("node", ["dist/gateway.mjs", "--listen", B, "--upstream", upstream], {
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((res) => gateway.stdout.once("data", res));

const dir = mkdtempSync(join(tmpdir(), "edgelog-bench-"));
const input = join(dir, "input.txt");
const value = (i) => `${String(i).padStart(10, "0")}${"x".repeat(SIZE - 10)}`;
writeFileSync(input, Array.from({ length: N }, (_, i) => value(i)).join("\n") + "\n");

function timed(fn) {
  const t = process.hrtime.bigint();
  return Promise.resolve(fn()).then(() => Number(process.hrtime.bigint() - t) / 1e9);
}

function kcat(args) {
  const r = spawnSync("kcat", args, { maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kcat ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const results = { "kcat produce": [], "kcat consume": [], "HTTP produce": [], "HTTP consume": [] };
let run = 0;
const topic = () => `bench-${Date.now().toString(36)}-${run++}`;

for (let i = 0; i < RUNS; i++) {
  const kt = topic();
  await http("POST", "/v1/topics", { name: kt, partitions: 1 });
  results["kcat produce"].push(
    await timed(() => kcat(["-b", B, "-P", "-t", kt, "-l", input, "-X", "linger.ms=20", "-X", "batch.size=900000"])),
  );
  results["kcat consume"].push(
    await timed(() => {
      const out = kcat(["-b", B, "-C", "-t", kt, "-o", "beginning", "-e", "-q", "-f", "%o\n"]);
      const n = out.trim().split("\n").length;
      if (n !== N) throw new Error(`kcat consumed ${n} of ${N}`);
    }),
  );

  const ht = topic();
  await http("POST", "/v1/topics", { name: ht, partitions: 1 });
  const PER_REQUEST = 5000;
  results["HTTP produce"].push(
    await timed(async () => {
      for (let at = 0; at < N; at += PER_REQUEST) {
        const records = Array.from({ length: Math.min(PER_REQUEST, N - at) }, (_, j) => ({ value: value(at + j) }));
        await http("POST", `/v1/topics/${ht}/partitions/0/records`, { records, format: "string" });
      }
    }),
  );
  results["HTTP consume"].push(
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

gateway.kill("SIGTERM");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${N} messages of ${SIZE} bytes, 1 partition, medians of ${RUNS} runs (upstream ${upstream})`);
for (const [name, secs] of Object.entries(results)) {
  const s = median(secs);
  console.log(
    `${name.padEnd(14)} ${(N / s).toFixed(0).padStart(8)} msg/s  ${((N * SIZE) / s / 1e6).toFixed(1).padStart(6)} MB/s  (runs: ${secs.map((x) => x.toFixed(2)).join(", ")} s)`,
  );
}
