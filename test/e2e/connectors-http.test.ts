// http-sink against a real wrangler dev and a local HTTP endpoint: every record of a 10,000-record
// topic arrives, through a 503 storm and a SIGKILL of the server mid-run; the one record the
// endpoint refuses (400) lands in the dead letter queue with Kafka Connect's context headers.

import { afterAll, beforeAll, expect, it } from "vitest";
import { jsonApi, readTopic, until } from "../support/examples.js";
import { type Receiver, startReceiver } from "../support/http-receiver.js";
import { useServer } from "../support/server.js";

const server = useServer({ vars: { EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS: "127.0.0.1" } });
const api = jsonApi(() => server().url);

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver({ poison: (e) => e.key === "poison" });
});
afterAll(() => receiver.close());

const TOTAL = 10_000;
const POISON_AT = 4_321;

it("delivers a 10,000-record topic through a 503 storm and a SIGKILL; the poison record goes to the DLQ", async () => {
  await api("POST", "/v1/topics", { name: "events", partitions: 3 });
  await api("POST", "/v1/topics", { name: "events-dlq", partitions: 1 });
  for (let i = 0; i < TOTAL; i += 1000) {
    const records = Array.from({ length: 1000 }, (_, j) => {
      const n = i + j;
      return { key: n === POISON_AT ? "poison" : `user-${n % 97}`, value: { n } };
    });
    await api("POST", "/v1/topics/events/records", { records });
  }
  await api("POST", "/v1/connectors", {
    name: "events-to-hook",
    config: {
      "connector.class": "http-sink",
      topics: "events",
      "http.api.url": receiver.url,
      "tasks.max": "2",
      "batch.max.size": "250",
      "retry.backoff.ms": "100",
      "max.retries": "30",
      "offset.flush.interval.ms": "500",
      "errors.tolerance": "all",
      "errors.deadletterqueue.topic.name": "events-dlq",
      "errors.deadletterqueue.context.headers.enable": "true",
      "errors.deadletterqueue.exactly.once": "true",
    },
  });

  // A storm of 503s once deliveries are under way: the sink backs off (Retry-After) and carries on.
  await until("deliveries to begin", async () => (receiver.accepted.size > 0 ? true : undefined), 60_000);
  receiver.storm(1_500);

  // A crash mid-run, after the storm: nothing acknowledged is lost; what was delivered but not
  // committed comes again. The endpoint stops answering at 5,000 records, so the crash comes
  // mid-delivery however fast the machine.
  receiver.holdAfter(5_000);
  await until("the storm to pass and a delivery in flight at 5,000 records", async () =>
    receiver.stormed() > 0 && receiver.held() > 0 ? true : undefined,
  );
  await server().kill();
  const before = receiver.accepted.size;
  receiver.release();
  await server().restart();
  const all = await until(
    "every record but the poison one at the endpoint",
    async () => (receiver.accepted.size >= TOTAL - 1 ? receiver.accepted : undefined),
    // Well within the group's 45 s session timeout: the restarted tasks take their partitions back at once.
    30_000,
  );
  expect(before).toBeLessThan(TOTAL - 1);
  expect(all.size).toBe(TOTAL - 1);
  const values = new Set([...all.values()].map((e) => (e.value as { n: number }).n));
  for (let n = 0; n < TOTAL; n++) if (n !== POISON_AT) expect(values.has(n), `record ${n}`).toBe(true);
  expect(receiver.deliveries()).toBeGreaterThanOrEqual(TOTAL - 1);
  expect(receiver.stormed()).toBeGreaterThan(0);
  expect(receiver.refused()).toBeGreaterThan(0);

  const dlq = await until("the poison record in the DLQ", async () => {
    const r = await readTopic(api, "events-dlq", "read_committed");
    return r.length > 0 ? r : undefined;
  });
  // Exactly once in the DLQ's committed records (errors.deadletterqueue.exactly.once): a copy sent
  // before the crash and not yet committed was aborted with the task's uncommitted offsets.
  expect(dlq).toHaveLength(1);
  const dead = dlq[0] as unknown as { key: string; value: unknown; headers: Record<string, string> };
  expect(dead.key).toBe("poison");
  expect(dead.value).toEqual({ n: POISON_AT });
  expect(dead.headers).toMatchObject({
    "__connect.errors.topic": "events",
    "__connect.errors.connector.name": "events-to-hook",
    "__connect.errors.stage": "TASK_PUT",
    "__connect.errors.class.name": "http-sink",
  });
  expect(dead.headers["__connect.errors.exception.message"]).toMatch(/HTTP 400/);
  expect(Number(dead.headers["__connect.errors.offset"])).toBeGreaterThanOrEqual(0);

  const status = await api("GET", "/v1/connectors/events-to-hook/status");
  expect(status.connector.state).toBe("RUNNING");
  expect(status.tasks.map((t: { state: string }) => t.state)).toEqual(["RUNNING", "RUNNING"]);
  // Every offset ends up committed.
  await until("the group's offsets at the end", async () => {
    const { offsets } = await api("GET", "/v1/connectors/events-to-hook/offsets");
    const total = offsets.reduce((n: number, o: { offset: { kafka_offset: number } }) => n + o.offset.kafka_offset, 0);
    return total === TOTAL ? true : undefined;
  });
});
