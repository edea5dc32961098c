// Mirroring between two real deployments: the target is SIGKILLed and restarted mid-copy while the
// source keeps taking records; afterwards the local topic holds exactly the source's records.

import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, startServer, type EdgelogServer } from "../support/server.js";

const TOPIC = "orders";
const PARTITIONS = 3;
const T0 = 1_700_000_000_000;

let source: EdgelogServer;
let target: EdgelogServer;

beforeAll(async () => {
  [source, target] = await Promise.all([startServer(), startServer()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([source?.dispose(), target?.dispose()]);
});

async function api(
  server: EdgelogServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

/** Every record of a partition as a consumer sees it, offsets aside (the copy numbers its own). */
async function records(server: EdgelogServer, topic: string, p: number) {
  const out = [];
  for (let offset = 0; ; ) {
    const r = await api(
      server,
      "GET",
      `/v1/topics/${topic}/partitions/${p}/records?offset=${offset}&max_records=5000&format=string`,
    );
    expect(r.status).toBe(200);
    out.push(...r.body.records.map(({ offset: _, ...rest }: { offset: number }) => rest));
    if (r.body.next_offset >= r.body.high_watermark) return out;
    offset = r.body.next_offset;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined); // the target may be restarting
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("resumes after a SIGKILL of the target with no gaps or duplicates, keys, headers and timestamps intact", async () => {
  expect((await api(source, "POST", "/v1/topics", { name: TOPIC, partitions: PARTITIONS })).status).toBe(201);
  let n = 0;
  let producing = true;
  const produce = async () => {
    while (producing) {
      const batch = Array.from({ length: 40 }, () => {
        const i = n++;
        return {
          key: `customer-${i % 17}`,
          value: `order ${i}`,
          headers: { seq: String(i), region: i % 2 ? "eu" : "us" },
          timestamp: T0 + i,
        };
      });
      const r = await api(source, "POST", `/v1/topics/${TOPIC}/records`, { records: batch, format: "string" });
      expect(r.status).toBe(200);
    }
  };
  const producer = produce();
  await until("the first records", async () => (n > 200 ? true : undefined));

  const created = await api(target, "POST", "/v1/mirrors", {
    name: "from-source",
    source: { url: source.url, topic: TOPIC },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // MirrorMaker-style: the missing local topic was created with the source's partitions.
  expect((await api(target, "GET", `/v1/topics/${TOPIC}`)).body.partition_count).toBe(PARTITIONS);

  const copied = async () => {
    const m = await api(target, "GET", "/v1/mirrors/from-source");
    return m.body.partitions.reduce(
      (s: number, p: { source_offset: number | null }) => s + (p.source_offset ?? 0),
      0,
    ) as number;
  };
  await until("the copy to start", async () => ((await copied()) > 0 ? true : undefined));
  await target.kill();
  const whileDown = n;
  await until("the source to take records while the target is down", async () =>
    n > whileDown + 200 ? true : undefined,
  );
  await target.restart();
  await until("the copy to move on after the restart", async () => ((await copied()) > whileDown ? true : undefined));
  producing = false;
  await producer;

  const sourceHw = (await api(source, "GET", `/v1/topics/${TOPIC}`)).body.partitions.map(
    (p: { high_watermark: number }) => p.high_watermark,
  );
  const status = await until("the mirror to catch up", async () => {
    const m = await api(target, "GET", "/v1/mirrors/from-source");
    const done =
      m.body.lag === 0 &&
      m.body.partitions.every(
        (p: { source_high_watermark: number }, i: number) => p.source_high_watermark === sourceHw[i],
      );
    return done ? m.body : undefined;
  });
  expect(status.partitions.map((p: { source_offset: number }) => p.source_offset)).toEqual(sourceHw);

  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const [want, got] = await Promise.all([records(source, TOPIC, p), records(target, TOPIC, p)]);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    total += got.length;
  }
  expect(total).toBe(n);
}, 60_000);

it("refuses a mirror of a deployment that cannot be reached (400 INVALID_CONFIG), creating nothing", async () => {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const r = await api(target, "POST", "/v1/mirrors", {
    name: "nowhere",
    source: { url: nowhere, topic: "t" },
    topic: "nowhere-copy",
  });
  expect(r.status).toBe(400);
  expect(r.body.error).toMatchObject({ code: "INVALID_CONFIG" });
  expect(r.body.error.message).toContain("unreachable");
  expect((await api(target, "GET", "/v1/mirrors/nowhere")).status).toBe(404);
  expect((await api(target, "GET", "/v1/topics/nowhere-copy")).status).toBe(404);
});
