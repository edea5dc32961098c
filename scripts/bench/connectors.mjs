// `node scripts/bench/connectors.mjs [--records N] [--runs N]`: sink connector throughput against
// edgelog under workerd (Miniflare, the Worker as `wrangler deploy` bundles it): an http-sink
// delivering a topic to a local HTTP server, and an r2-sink rolling it into R2 objects. Beside each,
// a baseline in the same session: a Node SDK consumer group reading the same topic and POSTing the
// same JSON lines to the same server (http), or only reading it (r2). Prints medians and ratios.

import { build } from "esbuild";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import { buildAll, OUT, ROOT } from "./build.mjs";
import { summarize } from "./stats.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RECORDS = arg("records", 20_000);
const RUNS = arg("runs", 3);
const PARTITIONS = 4;
const TASKS = 2;
const BATCH = 500;
const FLUSH = 1_000;
const log = (...m) => console.error(...m);
if (RECORDS % (PARTITIONS * FLUSH) !== 0) throw new Error(`--records must be a multiple of ${PARTITIONS * FLUSH}`);

// The SDK, for the baseline consumer and for producing the input.
const libFile = join(OUT, "connectors-lib.mjs");
await build({
  stdin: { contents: `export { Edgelog } from "./src/client/index.ts";`, resolveDir: ROOT, loader: "ts" },
  outfile: libFile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
const { Edgelog } = await import(pathToFileURL(libFile).href);

/** The local endpoint: counts distinct partition/offset pairs per path, answers 200 to each JSON-lines body. */
const seen = new Map();
const receiver = createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const set = seen.get(req.url) ?? new Set();
    seen.set(req.url, set);
    for (const line of body.split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line);
      set.add(`${e.partition}/${e.offset}`);
    }
    res.writeHead(200).end();
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
const delivered = (path) => seen.get(path)?.size ?? 0;

// edgelog with every binding a connector uses.
const { worker } = await buildAll();
const state = mkdtempSync(join(tmpdir(), "edgelog-bench-connect-"));
const sqlite = (className) => ({ className, useSQLite: true });
const mf = new Miniflare({
  host: "127.0.0.1",
  port: 0,
  durableObjectsPersist: join(state, "do"),
  r2Persist: join(state, "r2"),
  modules: true,
  scriptPath: worker,
  compatibilityDate: "2026-04-20",
  compatibilityFlags: ["nodejs_compat"],
  bindings: { EDGELOG_AUTH: "off", EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS: "127.0.0.1" },
  durableObjects: {
    CLUSTER: sqlite("ClusterDO"),
    PARTITION: sqlite("PartitionDO"),
    COORDINATOR: sqlite("GroupCoordinatorDO"),
    MIRROR: sqlite("MirrorDO"),
    REGISTRY: sqlite("SchemaRegistryDO"),
    MEMBER_HOST: sqlite("MemberHostDO"),
    CONNECTOR: sqlite("ConnectorDO"),
  },
  r2Buckets: ["ARCHIVE"],
});
const url = (await mf.ready).href.replace(/\/$/, "");
const client = new Edgelog({ url });
const admin = client.admin();

async function api(method, path, body) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until(what, probe, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${typeof what === "function" ? what() : what}`);
}

/** A topic of RECORDS JSON values of about 100 bytes, the same number in each partition. */
async function prepareInput(run) {
  const topic = `bench-connect-${run}`;
  await admin.createTopic(topic, { partitions: PARTITIONS });
  const producer = client.producer({ format: "json" });
  const pad = "x".repeat(80);
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < RECORDS / PARTITIONS; i += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, j) => ({ partition: p, value: { n: i + j, pad } }));
      await producer.send(topic, batch);
    }
  }
  await producer.close();
  return topic;
}

/** The baseline: an SDK consumer group of TASKS members reading the topic, each batch POSTed as JSON lines (or only read). */
async function baseline(topic, path) {
  let read = 0;
  const consumers = Array.from({ length: TASKS }, () =>
    client.consumer({ groupId: `${topic}-baseline-${path ? "http" : "read"}`, fromBeginning: true, format: "json" }),
  );
  const started = performance.now();
  for (const consumer of consumers) {
    consumer.subscribe(topic);
    await consumer.run({
      eachBatch: async (b) => {
        if (path) {
          const body = b.messages
            .map((m) =>
              JSON.stringify({ topic: b.topic, partition: b.partition, offset: m.offset, key: m.key, value: m.value }),
            )
            .join("\n");
          const r = await fetch(`${receiverUrl}${path}`, {
            method: "POST",
            headers: { "content-type": "application/x-ndjson" },
            body,
          });
          if (!r.ok) throw new Error(`receiver answered ${r.status}`);
        }
        read += b.messages.length;
      },
    });
  }
  await until(
    () => `the baseline to finish (${path ? delivered(path) : read} of ${RECORDS})`,
    async () => (path ? delivered(path) : read) >= RECORDS,
  );
  const ms = performance.now() - started;
  await Promise.all(consumers.map((c) => c.stop()));
  return ms;
}

async function httpSink(topic) {
  const path = `/${topic}/sink`;
  const started = performance.now();
  await api("POST", "/v1/connectors", {
    name: `${topic}-http`,
    config: {
      "connector.class": "http-sink",
      topics: topic,
      "http.api.url": `${receiverUrl}${path}`,
      "tasks.max": String(TASKS),
      "batch.max.size": String(BATCH),
    },
  });
  await until("the http-sink to deliver every record", async () => delivered(path) >= RECORDS);
  const ms = performance.now() - started;
  await api("DELETE", `/v1/connectors/${topic}-http`);
  return ms;
}

async function r2Sink(topic) {
  const name = `${topic}-r2`;
  const started = performance.now();
  await api("POST", "/v1/connectors", {
    name,
    config: {
      "connector.class": "r2-sink",
      topics: topic,
      "tasks.max": String(TASKS),
      "flush.size": String(FLUSH),
      "topics.dir": `bench/${topic}`,
    },
  });
  // Each object is committed as soon as it is written: all offsets committed = every object in R2.
  await until("the r2-sink to write every object", async () => {
    const { offsets } = await api("GET", `/v1/connectors/${name}/offsets`);
    return offsets.reduce((n, o) => n + o.offset.kafka_offset, 0) >= RECORDS;
  });
  const ms = performance.now() - started;
  const bucket = await mf.getR2Bucket("ARCHIVE");
  const objects = (await bucket.list({ prefix: `bench/${topic}/` })).objects.length;
  if (objects !== RECORDS / FLUSH) throw new Error(`expected ${RECORDS / FLUSH} objects, found ${objects}`);
  await api("DELETE", `/v1/connectors/${name}`);
  return ms;
}

log(`sink connectors: ${RECORDS} records (~100 B values), ${PARTITIONS} partitions, ${TASKS} tasks, ${RUNS} runs each`);
const figures = { baseline_http: [], http_sink: [], baseline_read: [], r2_sink: [] };
for (let run = 0; run < RUNS; run++) {
  const topic = await prepareInput(run);
  figures.baseline_http.push(await baseline(topic, `/${topic}/baseline`));
  figures.http_sink.push(await httpSink(topic));
  figures.baseline_read.push(await baseline(topic, undefined));
  figures.r2_sink.push(await r2Sink(topic));
  log(
    `run ${run}: ${Object.entries(figures)
      .map(([k, v]) => `${k} ${Math.round(v.at(-1))} ms`)
      .join(", ")}`,
  );
}
const rate = (ms) => Math.round(RECORDS / (ms / 1000));
const median = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, summarize(v).median]));
const result = {
  records: RECORDS,
  runs: RUNS,
  records_per_s: Object.fromEntries(Object.entries(median).map(([k, ms]) => [k, rate(ms)])),
  median_ms: Object.fromEntries(Object.entries(median).map(([k, ms]) => [k, Math.round(ms)])),
  // Throughput ratios (> 1: the connector is faster than its baseline).
  http_sink_over_sdk_consumer_posting: Number((median.baseline_http / median.http_sink).toFixed(3)),
  r2_sink_over_sdk_consumer_reading: Number((median.baseline_read / median.r2_sink).toFixed(3)),
};
console.log(JSON.stringify(result, null, 2));
await mf.dispose();
rmSync(state, { recursive: true, force: true });
receiver.close();
process.exit(0);
