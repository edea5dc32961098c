// `node scripts/bench/streams.mjs [--lines N] [--runs N]`: word-count throughput of one edgelog
// streams instance, at_least_once and exactly_once, against edgelog under workerd, beside a baseline
// in the same session: a hand-written SDK job (consumer group in, producer out) that splits lines
// into words with no state, no repartition topic and no changelog. Prints medians and the ratios.

import { build } from "esbuild";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildAll, OUT, ROOT } from "./build.mjs";
import { summarize } from "./stats.mjs";
import { startEdgelog } from "./systems/edgelog.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LINES = arg("lines", 20_000);
const RUNS = arg("runs", 3);
const PARTITIONS = 4;
const log = (...m) => console.error(...m);

const VOCABULARY = Array.from({ length: 1_000 }, (_, i) => `word${i.toString(36)}`);
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const lines = Array.from({ length: LINES }, () =>
  Array.from({ length: 1 + Math.floor(random() * 8) }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]).join(
    " ",
  ),
);
const WORDS = lines.reduce((n, l) => n + l.split(" ").length, 0);

const libFile = join(OUT, "streams-lib.mjs");
await build({
  stdin: {
    contents: `export * from "./src/streams/index.ts"; export { Edgelog } from "./src/client/index.ts";`,
    resolveDir: ROOT,
    loader: "ts",
  },
  outfile: libFile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
const lib = await import(pathToFileURL(libFile).href);

const { worker, hot } = await buildAll();
const { system: sys } = await startEdgelog({
  worker,
  hot: await import(pathToFileURL(hot).href),
  valueBytes: 100,
  batchSize: 100,
});
const url = sys.url;
const client = new lib.Edgelog({ url });
const admin = client.admin();
const quiet = { warn: () => {}, error: (m) => log(m) };

async function highWatermarks(topic) {
  return (await admin.describeTopic(topic)).partitions.reduce((n, p) => n + p.high_watermark, 0);
}

async function untilOutput(topic, total) {
  while ((await highWatermarks(topic)) < total) await new Promise((r) => setTimeout(r, 50));
}

async function prepareInput(run) {
  const input = `bench-lines-${run}`;
  await admin.createTopic(input, { partitions: PARTITIONS });
  const producer = client.producer({ format: "string" });
  await producer.send(
    input,
    lines.map((value) => ({ value })),
  );
  await producer.close();
  return input;
}

/** The baseline: consume lines in a group, produce one record per word, commit. */
async function baseline(run, input) {
  const output = `bench-words-${run}`;
  await admin.createTopic(output, { partitions: PARTITIONS });
  const producer = client.producer({ format: "string" });
  const consumer = client.consumer({ groupId: `bench-baseline-${run}`, fromBeginning: true, format: "string" });
  consumer.subscribe(input);
  const started = performance.now();
  await consumer.run({
    eachBatch: async (b) => {
      const out = b.messages.flatMap((m) =>
        String(m.value)
          .split(" ")
          .map((w) => ({ key: w, value: "1" })),
      );
      await producer.send(output, out);
    },
  });
  await untilOutput(output, WORDS);
  const ms = performance.now() - started;
  await consumer.stop();
  await producer.close();
  return ms;
}

/**
 * Every input line's offset committed by the group, then every repartition record's: under
 * exactly_once all output is committed with them (and visible to read_committed readers).
 */
async function untilCommitted(group, input) {
  const sum = (list) => list.reduce((n, o) => n + o.offset, 0);
  for (; ; await new Promise((res) => setTimeout(res, 50))) {
    const { offsets } = await client.http.request("GET", `/v1/groups/${group}/offsets`);
    if (sum(offsets.filter((o) => o.topic === input)) < LINES) continue;
    const internal = [...new Set(offsets.filter((o) => o.topic !== input).map((o) => o.topic))];
    if (internal.length === 0) continue;
    let ends = 0;
    for (const t of internal) ends += await highWatermarks(t);
    if (sum(offsets.filter((o) => o.topic !== input)) >= ends) return;
  }
}

/**
 * at_least_once: until every word's update is written to the output. exactly_once: until every
 * line's offset is committed, which is when all output is committed (and visible to read_committed).
 */
async function streams(run, input, guarantee) {
  const output = `bench-counts-${guarantee}-${run}`;
  await admin.createTopic(output, { partitions: PARTITIONS, config: { "cleanup.policy": "compact" } });
  const b = new lib.StreamsBuilder();
  b.stream(input, { valueSerde: lib.Serdes.Text() })
    .flatMapValues((line) => line.toLowerCase().match(/\S+/g) ?? [])
    .groupBy((_k, w) => w)
    .count({ name: "counts" })
    .toStream()
    .to(output);
  const applicationId = `bench-wc-${guarantee}-${run}`;
  const app = new lib.KafkaStreams(b.build(), { applicationId, url, logger: quiet, processingGuarantee: guarantee });
  const started = performance.now();
  await app.start();
  if (guarantee === "exactly_once") await untilCommitted(applicationId, input);
  else await untilOutput(output, WORDS);
  const ms = performance.now() - started;
  await app.close();
  return ms;
}

log(`word count: ${LINES} lines, ${WORDS} words, ${PARTITIONS} partitions, ${RUNS} runs each`);
const base = [];
const wc = [];
const eos = [];
for (let run = 0; run < RUNS; run++) {
  const input = await prepareInput(run);
  base.push(await baseline(run, input));
  // Alternated, so neither guarantee always runs on the warmer server.
  if (run % 2 === 0) {
    wc.push(await streams(run, input, "at_least_once"));
    eos.push(await streams(run, input, "exactly_once"));
  } else {
    eos.push(await streams(run, input, "exactly_once"));
    wc.push(await streams(run, input, "at_least_once"));
  }
  const ms = (a) => `${Math.round(a.at(-1))} ms`;
  log(`run ${run}: baseline ${ms(base)}, at_least_once ${ms(wc)}, exactly_once ${ms(eos)}`);
}
const mb = summarize(base).median;
const mw = summarize(wc).median;
const me = summarize(eos).median;
const result = {
  lines: LINES,
  words: WORDS,
  runs: RUNS,
  baseline: {
    median_ms: Math.round(mb),
    lines_per_s: Math.round(LINES / (mb / 1000)),
    words_per_s: Math.round(WORDS / (mb / 1000)),
  },
  at_least_once: {
    median_ms: Math.round(mw),
    lines_per_s: Math.round(LINES / (mw / 1000)),
    words_per_s: Math.round(WORDS / (mw / 1000)),
  },
  exactly_once: {
    median_ms: Math.round(me),
    lines_per_s: Math.round(LINES / (me / 1000)),
    words_per_s: Math.round(WORDS / (me / 1000)),
  },
  streams_over_baseline: Number((mb / mw).toFixed(3)),
  exactly_once_over_at_least_once: Number((mw / me).toFixed(3)),
};
console.log(JSON.stringify(result, null, 2));
await sys.stop();
process.exit(0);
