// A real scrape of a real `wrangler dev`, checked by Prometheus's own checker (`promtool check
// metrics`, Debian's prometheus package): the exposition parses and passes its lint rules. Also
// shows the pushes happening on their own (alarms, no test hooks) within the push interval.

import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
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
