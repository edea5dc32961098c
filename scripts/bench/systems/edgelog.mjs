// edgelog under the Miniflare API (workerd with throwaway persistence), plus the bench-only
// floor worker in the same Miniflare: a no-op route and a bare Durable Object inserting into SQLite.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { expectOk, jsonValue, readStamp, request, sse, wsTail } from "../load.mjs";

const CT_BATCH = "application/vnd.edgelog.record-batch";
const COMPAT = { compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"] };

/**
 * Starts edgelog and the floors; `hot` is the Node build of the codec (to encode binary payloads).
 * `trace`: edgelog keeps per-hop marks (EDGELOG_BENCH_TRACE=on) and `system.trace` reads them.
 * `durableObjects`: the Worker's bindings when they are not this tree's (another commit's build);
 * `vars`: more variables for the Worker.
 */
export async function startEdgelog({
  worker,
  hot,
  valueBytes,
  batchSize,
  inspectorPort,
  trace = false,
  durableObjects,
  vars = {},
}) {
  const state = mkdtempSync(join(tmpdir(), "edgelog-bench-"));
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    ...(inspectorPort ? { inspectorPort } : {}),
    durableObjectsPersist: join(state, "do"),
    r2Persist: join(state, "r2"),
    kvPersist: join(state, "kv"),
    workers: [
      {
        name: "edgelog",
        modules: true,
        scriptPath: worker,
        ...COMPAT,
        bindings: { EDGELOG_AUTH: "off", ...(trace ? { EDGELOG_BENCH_TRACE: "on" } : {}), ...vars },
        durableObjects: durableObjects ?? {
          CLUSTER: { className: "ClusterDO", useSQLite: true },
          PARTITION: { className: "PartitionDO", useSQLite: true },
          COORDINATOR: { className: "GroupCoordinatorDO", useSQLite: true },
          TXN_COORDINATOR: { className: "TxnCoordinatorDO", useSQLite: true },
          METRICS: { className: "MetricsDO", useSQLite: true },
        },
        r2Buckets: ["ARCHIVE"],
        ...(inspectorPort ? { unsafeInspectorProxy: true } : {}),
      },
      {
        name: "floor",
        modules: true,
        scriptPath: join(import.meta.dirname, "../floor-worker.mjs"),
        ...COMPAT,
        routes: ["*/floor/*"],
        durableObjects: {
          BARE: { className: "BareDO", useSQLite: true },
          LIVE: { className: "LiveDO", useSQLite: true },
        },
      },
    ],
  });
  const base = (await mf.ready).href.replace(/\/$/, "");

  // Request bodies are built once; the load generator's own cost should not be what is measured.
  const value = jsonValue(valueBytes);
  const record = { value };
  const jsonBatch = Buffer.from(JSON.stringify({ records: Array.from({ length: batchSize }, () => record) }));
  const jsonOne = Buffer.from(JSON.stringify({ records: [record] }));
  const valueUtf8 = new TextEncoder().encode(JSON.stringify(value));
  const encode = (n) =>
    Buffer.from(
      hot.encodeBatch(Array.from({ length: n }, () => ({ key: null, value: valueUtf8, timestamp: Date.now() }))),
    );
  const binBatch = encode(batchSize);
  const binOne = encode(1);

  const topicUrl = (t, p) => `${base}/v1/topics/${t}/partitions/${p}/records`;
  const post = (url, body, type) => expectOk("POST", url, { headers: { "content-type": type }, body });

  const system = {
    name: "edgelog",
    url: base,
    formats: ["json", "binary"],
    async createLog(name, partitions, config) {
      await expectOk("POST", `${base}/v1/topics`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, partitions, ...(config ? { config } : {}) }),
      });
      return name;
    },
    /** W5's archived tier: segments small enough (about an eighth of the log, at most 4 MiB) that its start rolls to R2. */
    archiveConfig: (records) => ({
      "segment.bytes": Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor((records * valueBytes) / 8))),
    }),
    /** Bytes of the partition in R2 segments (0 while everything is hot). */
    async archivedBytes(t, p) {
      const res = await expectOk("GET", `${base}/v1/topics/${t}`);
      return JSON.parse(res.body).partitions[p].archived_bytes;
    },
    /** Records of the partition in R2 segments, estimated from the tiers' shares of its bytes. */
    async archivedRecords(t, p) {
      const d = JSON.parse((await expectOk("GET", `${base}/v1/topics/${t}`)).body).partitions[p];
      const records = d.high_watermark - d.log_start_offset;
      return Math.floor((records * d.archived_bytes) / Math.max(1, d.archived_bytes + d.bytes));
    },
    produceBatch: (t, p, format) =>
      format === "binary"
        ? post(topicUrl(t, p), binBatch, CT_BATCH)
        : post(topicUrl(t, p), jsonBatch, "application/json"),
    produceOne: (t, p) => post(topicUrl(t, p), jsonOne, "application/json"),
    produceStamped: (t, p, text) =>
      post(topicUrl(t, p), JSON.stringify({ records: [{ value: text }] }), "application/json"),
    /** Reads [0, total) with the largest fetches the API allows; returns the records seen. */
    async consume(t, p, total, format) {
      let offset = 0;
      let seen = 0;
      while (seen < total) {
        if (format === "binary") {
          const res = await expectOk("GET", `${topicUrl(t, p)}?offset=${offset}&max_bytes=16777216`, {
            headers: { accept: CT_BATCH },
          });
          const next = Number(res.headers["edgelog-next-offset"]);
          seen += next - offset;
          offset = next;
        } else {
          const res = await expectOk("GET", `${topicUrl(t, p)}?offset=${offset}&max_records=10000&max_bytes=16777216`);
          const body = JSON.parse(res.body);
          seen += body.records.length;
          offset = body.next_offset;
        }
      }
      return seen;
    },
    /** Live tail over SSE from the current end; onArrival(sendStampMs) per record. */
    async subscribe(t, p, onArrival) {
      return sse(`${topicUrl(t, p)}?offset=0&live=sse`, (ev) => {
        if (ev.event !== "records") return;
        const now = performance.now();
        for (const r of JSON.parse(ev.data).records) onArrival(readStamp(r.value), now, r.offset);
      });
    },
    /** The same live tail over a WebSocket the partition object holds, acknowledging each frame. */
    subscribeWs(t, p, onArrival) {
      return wsTail(
        `${topicUrl(t, p)}?offset=0`,
        (data) => {
          const now = performance.now();
          for (const r of JSON.parse(data).records) onArrival(readStamp(r.value), now, r.offset);
        },
        (data) => JSON.stringify({ ack: JSON.parse(data).next_offset }),
      );
    },
    /** The per-hop marks of a partition's records, by offset (only with `trace`). */
    trace: trace
      ? async (t, p) => JSON.parse((await expectOk("GET", `${base}/_bench/trace/${t}/${p}`)).body)
      : undefined,
    /** Writes a large log fast: `batchesPerRequest` binary batches of `perBatch` records per request. */
    async fill(t, p, total, perBatch, batchesPerRequest, concurrency, closedLoop) {
      const one = encode(perBatch);
      const body = Buffer.concat(Array.from({ length: batchesPerRequest }, () => one));
      const requests = Math.ceil(total / (perBatch * batchesPerRequest));
      await closedLoop(requests, concurrency, () => post(topicUrl(t, p), body, CT_BATCH));
      return requests * perBatch * batchesPerRequest;
    },
    /** One JSON fetch of `maxRecords` from `offset`; resolves with its latency in ms. */
    async fetchLatency(t, p, offset, maxRecords) {
      const start = performance.now();
      const res = await request("GET", `${topicUrl(t, p)}?offset=${offset}&max_records=${maxRecords}`);
      const ms = performance.now() - start;
      if (res.status !== 200) throw new Error(`fetch at ${offset} → ${res.status} ${res.body}`);
      const n = JSON.parse(res.body).records.length;
      if (n !== maxRecords) throw new Error(`fetch at ${offset} returned ${n} records, expected ${maxRecords}`);
      return ms;
    },
    async highWatermark(t, p) {
      const res = await expectOk("GET", `${base}/v1/topics/${t}/partitions/${p}/offsets?at=latest`);
      return JSON.parse(res.body).offset;
    },
    async stop() {
      await mf.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };

  /** The floors take the same bodies edgelog's produce routes take. */
  const floors = {
    noop: {
      name: "floor: no-op route",
      formats: ["json", "binary"],
      createLog: async (name) => name,
      produceBatch: (_t, _p, format) =>
        format === "binary"
          ? post(`${base}/floor/noop`, binBatch, CT_BATCH)
          : post(`${base}/floor/noop`, jsonBatch, "application/json"),
      produceOne: () => post(`${base}/floor/noop`, jsonOne, "application/json"),
    },
    bare: {
      name: "floor: bare DO + SQLite",
      formats: ["binary"],
      createLog: async (name) => name,
      produceBatch: (t, p) => post(`${base}/floor/bare/${t}-${p}`, binBatch, CT_BATCH),
      produceOne: (t, p) => post(`${base}/floor/bare/${t}-${p}`, binOne, CT_BATCH),
    },
    liveWs: {
      name: "floor: live DO + WebSocket",
      createLog: async (name) => name,
      produceStamped: (t, p, text) =>
        post(`${base}/floor/live/${t}-${p}`, JSON.stringify({ records: [{ value: text }] }), "application/json"),
      subscribe: (t, p, onArrival) =>
        wsTail(`${base}/floor/live/${t}-${p}`, (data) => {
          const now = performance.now();
          for (const r of JSON.parse(data).records) onArrival(readStamp(r.value), now);
        }),
    },
    live: {
      name: "floor: live DO + SSE",
      createLog: async (name) => name,
      produceStamped: (t, p, text) =>
        post(`${base}/floor/live/${t}-${p}`, JSON.stringify({ records: [{ value: text }] }), "application/json"),
      subscribe: (t, p, onArrival) =>
        sse(`${base}/floor/live/${t}-${p}`, (ev) => {
          if (ev.event !== "records") return;
          const now = performance.now();
          for (const r of JSON.parse(ev.data).records) onArrival(readStamp(r.value), now);
        }),
    },
  };
  return { system, floors };
}
