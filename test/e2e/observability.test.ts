// A real scrape of a real `wrangler dev`, checked by Prometheus's own checker (`promtool check
// metrics`, Debian's prometheus package): the exposition parses and passes its lint rules. Also
// shows the pushes happening on their own (alarms, no test hooks) within the push interval, and
// W3C trace context crossing the log from an SDK producer to an SDK consumer.

import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { Edgelog, type ConsumedMessage } from "../../src/client/index.js";
import { useServer } from "../support/server.js";

const server = useServer({ vars: { EDGELOG_METRICS_PUSH_MS: "200", EDGELOG_METRICS_CACHE_MS: "0" } });

async function api(method: string, path: string, body?: unknown) {
  const r = await fetch(`${server().url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(r.status, `${method} ${path}`).toBeLessThan(300);
  return r;
}

async function scrape(accept?: string): Promise<string> {
  const r = await fetch(`${server().url}/metrics`, { headers: accept ? { accept } : {} });
  expect(r.status).toBe(200);
  return r.text();
}

it("passes promtool check metrics, with partition, group and request series in it", async () => {
  const topic = `promtool-${Date.now().toString(36)}`;
  await api("POST", "/v1/topics", { name: topic, partitions: 2 });
  await api("POST", `/v1/topics/${topic}/records`, {
    records: [
      { value: "a", partition: 0 },
      { value: "b", partition: 1 },
    ],
  });
  await api("GET", `/v1/topics/${topic}/partitions/0/records?offset=0`);
  await api("POST", `/v1/groups/g-${topic}/offsets`, { offsets: [{ topic, partition: 0, offset: 0 }] });
  await fetch(`${server().url}/v1/topics/${topic}/partitions/0/records?offset=99`);

  // Each object pushes from its own alarm, within the push interval of its last change.
  let text = "";
  const want = [
    `messaging_client_sent_messages_total{topic="${topic}",partition="1"} 1`,
    `edgelog_group_lag{group="g-${topic}",topic="${topic}",partition="0"} 1`,
    "http_server_request_duration_seconds_count",
  ];
  for (let i = 0; i < 200 && !want.every((w) => text.includes(w)); i++) {
    text = await scrape();
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const w of want) expect(text).toContain(w);

  const checked = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  expect(checked.error, "promtool is on the PATH (Debian package prometheus, .ci/apt-packages)").toBeUndefined();
  expect(`${checked.stdout}${checked.stderr}`).toBe("");
  expect(checked.status).toBe(0);

  const om = await scrape("application/openmetrics-text; version=1.0.0");
  expect(om.endsWith("# EOF\n")).toBe(true);
});

it("carries W3C trace context through the log: the producer attaches it, the consumer exposes it", async () => {
  const client = new Edgelog({ url: server().url });
  const topic = `trace-${Date.now().toString(36)}`;
  await client.admin().createTopic(topic, { partitions: 1 });
  const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const traced = client.producer({ lingerMs: 0, traceparent: () => parent });
  await traced.send(topic, [{ value: 1 }]);
  await traced.close();
  const plain = client.producer({ lingerMs: 0 });
  await plain.send(topic, [{ value: 2 }]);
  await plain.close();

  const seen: ConsumedMessage[] = [];
  const c = client.consumer({ fromBeginning: true, maxWaitMs: 100 });
  c.subscribe(topic);
  let done: () => void = () => {};
  const both = new Promise<void>((r) => (done = r));
  await c.run({
    eachMessage: (m) => {
      seen.push(m);
      if (seen.length === 2) done();
    },
  });
  await both;
  await c.stop();
  expect(seen[0]!.headers?.traceparent).toBe(parent);
  expect(seen[0]!.traceparent).toMatchObject({
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
  });
  // Off by default: a producer without it attaches nothing.
  expect(seen[1]!.traceparent).toBeUndefined();
  expect(seen[1]!.headers?.traceparent).toBeUndefined();

  // The Worker continues an incoming trace on its own span and says which (traceresponse).
  const r = await fetch(`${server().url}/v1/topics/${topic}`, { headers: { traceparent: parent } });
  const response = r.headers.get("traceresponse") ?? "";
  expect(response).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  expect(response).not.toContain("00f067aa0ba902b7");
});
