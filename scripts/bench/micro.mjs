// `node scripts/bench/micro.mjs`: per-call cost of the produce and fetch hot functions, bundled
// from src/ for Node (V8, as in workerd). Shapes match the bench: 100 records of 100-byte values.

import { buildHot } from "./build.mjs";

const h = await import(await buildHot());
const N = 100;
const value = "x".repeat(98);
const bodyText = JSON.stringify({ records: Array.from({ length: N }, () => ({ value })) });
const bodyBytes = new TextEncoder().encode(bodyText);
const decoder = new TextDecoder();

/** Mean µs per call over enough iterations to take ~0.3 s, after a warm-up. */
function bench(name, fn, perCall = 1) {
  for (let i = 0; i < 200; i++) fn();
  let iters = 0;
  const start = performance.now();
  while (performance.now() - start < 300) {
    for (let i = 0; i < 50; i++) fn();
    iters += 50;
  }
  const us = ((performance.now() - start) * 1000) / iters;
  console.log(
    `| ${name} | ${us.toFixed(1)} | ${perCall > 1 ? ((us / perCall) * 1000).toFixed(0) + " ns/record" : ""} |`,
  );
  return us;
}

console.log("| function (one W1 request: 100 records × 100 B) | µs per call | per record |");
console.log("|---|---:|---:|");
const now = Date.now();
const parsed = JSON.parse(bodyText);
const req = h.ProduceRequestSchema.parse(parsed);
const inputs = req.records.map((r, i) => h.toRecordInput(r, h.recordKey(r, i), "json", now, i));
const indexes = inputs.map((_, i) => i);
const batch = h.encodeBatch(inputs);
const reply = { records: inputs.map((_, i) => ({ partition: 0, offset: 1_000_000 + i, timestamp: now })) };

bench("TextDecoder.decode + JSON.parse of the body (parseJson)", () => JSON.parse(decoder.decode(bodyBytes)), N);
bench("ProduceRequestSchema.parse (zod)", () => h.ProduceRequestSchema.parse(parsed), N);
bench(
  "toRecordInput × 100 (JSON.stringify + UTF-8 encode per value)",
  () => {
    for (let i = 0; i < N; i++) h.toRecordInput(req.records[i], null, "json", now, i);
  },
  N,
);
bench("planBatches (estimate + encodeBatch + concat)", () => h.planBatches(0, indexes, inputs, 1_048_588), N);
bench("encodeBatch", () => h.encodeBatch(inputs), N);
bench(`crc32c over ${batch.byteLength - 21} bytes`, () => h.crc32c(batch, 21), N);
bench("validateBatches (CRC + record walk)", () => h.validateBatches(batch), N);
bench("structuredClone of the batch (≈ RPC copy)", () => structuredClone(batch), N);
bench(
  "reply: build 100 {partition,offset,timestamp} + JSON.stringify",
  () => JSON.stringify({ records: inputs.map((_, i) => ({ partition: 0, offset: 1_000_000 + i, timestamp: now })) }),
  N,
);
bench("reply: JSON.stringify only", () => JSON.stringify(reply), N);

console.log("\n| fetch (W3: 100 batches of 100 records) | µs per call | per record |");
console.log("|---|---:|---:|");
const batches = Array.from({ length: 100 }, (_, k) => {
  const b = h.encodeBatch(inputs);
  h.setBaseOffset(b, k * N);
  return b;
});
const rendered = h.renderRecords(batches, 0, 10_000, "json");
bench(
  "renderRecords (decode + UTF-8 + JSON.parse per value)",
  () => h.renderRecords(batches, 0, 10_000, "json"),
  10_000,
);
bench(
  "decodeRecords only",
  () => {
    for (const b of batches) h.decodeRecords(b);
  },
  10_000,
);
bench(
  "JSON.stringify of the 10,000-record reply",
  () => JSON.stringify({ records: rendered.records, next_offset: 10_000 }),
  10_000,
);
bench("renderRecords format=string", () => h.renderRecords(batches, 0, 10_000, "string"), 10_000);

// Compressed produce (issue 17): what inflating a batch on arrival costs per codec, beside what
// storing it compressed would cost each JSON read instead (renderRecords plus the same inflation).
{
  const { gzipSync } = await import("node:zlib");
  const { compress: snappy } = await import("snappyjs");
  const { compress: lz4 } = await import("lz4js");
  const zstdWasm = await import("@bokuweb/zstd-wasm");
  await zstdWasm.init();
  // 500 records of 100-byte values that compress as log lines do (a counter among repeated text).
  const values = Array.from({ length: 500 }, (_, i) => ({
    value: `{"id":${i},"user":"u${i % 37}","action":"click","path":"/p/${i % 11}"}`.padEnd(100, " "),
  }));
  const plain = h.encodeBatch(values.map((r, i) => h.toRecordInput(r, null, "json", now, i)));
  const records = plain.subarray(61);
  const codecs = {
    gzip: [1, gzipSync(records)],
    snappy: [2, snappy(records)],
    lz4: [3, lz4(records)],
    zstd: [4, zstdWasm.compress(Buffer.from(records), 3)],
  };
  const limits = { maxBatchBytes: 1_048_588, maxTotalBytes: 16 * 1024 * 1024 };
  console.log(`\n| inflate one batch (500 records, ${plain.length} B uncompressed) | µs per call | per record |`);
  console.log("|---|---:|---:|");
  const asyncBench = async (name, fn, perCall) => {
    for (let i = 0; i < 50; i++) await fn();
    let iters = 0;
    const start = performance.now();
    while (performance.now() - start < 300) {
      await fn();
      iters++;
    }
    const us = ((performance.now() - start) * 1000) / iters;
    console.log(`| ${name} | ${us.toFixed(1)} | ${((us / perCall) * 1000).toFixed(0)} ns/record |`);
  };
  for (const [name, [id, data]] of Object.entries(codecs)) {
    const out = new Uint8Array(61 + data.length);
    out.set(plain.subarray(0, 61));
    out.set(data, 61);
    const v = new DataView(out.buffer);
    v.setInt32(8, out.length - 12);
    v.setInt16(21, id);
    v.setUint32(17, h.crc32c(out, 21, out.length));
    await asyncBench(
      `${name} (${data.length} B, ratio ${(plain.length / out.length).toFixed(1)})`,
      () => h.decompressBatches(out, limits),
      500,
    );
  }
  bench(
    "validateBatches of the inflated batch (CRC + record walk, needed either way)",
    () => h.validateBatches(plain),
    500,
  );
  bench("renderRecords format=json of it (one JSON read)", () => h.renderRecords([plain], 0, 500, "json"), 500);
}
