// kafkajs through the gateway in front of a real auth-required wrangler dev: a gateway without a token,
// or with one that lacks a grant, gets Kafka's authorization errors, which kafkajs reports at once,
// instead of closed connections that it retries until it gives up. On the shared "auth" server.

import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { SHARED_ADMIN_TOKEN as ADMIN, sharedServer, type SharedServer } from "../support/shared-servers.js";

let server: SharedServer;
/** The topic the tokens are tried on (the shared server holds other files' topics). */
const ORDERS = `orders-${Date.now().toString(36)}`;
const gateways: Gateway[] = [];

beforeAll(async () => {
  server = await sharedServer("auth");
  const created = await api("POST", "/v1/topics", { name: ORDERS, partitions: 2 });
  expect(created.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function kafkaVia(token?: string): Promise<Kafka> {
  const gw = await startGateway({ listen: "127.0.0.1:0", upstream: server.url, token, log: () => {} });
  gateways.push(gw);
  // Retries enough that a closed connection would be retried, not reported.
  return new Kafka({
    brokers: [`127.0.0.1:${gw.port}`],
    clientId: "auth-e2e",
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
}

/** The Kafka error type kafkajs reports, wherever it wraps it. */
function kafkaType(e: unknown): string | undefined {
  for (let x = e as any; x; x = x.originalError ?? x.cause) if (x.type && x.type !== "UNKNOWN") return x.type;
  return undefined;
}

it("without a token: produce, topic admin and offsets fail with TOPIC_AUTHORIZATION_FAILED", async () => {
  const kafka = await kafkaVia(undefined);
  const producer = kafka.producer();
  // Connecting reads Metadata, which used to close the connection.
  await producer.connect();
  try {
    const sent = await producer.send({ topic: ORDERS, messages: [{ value: "x" }] }).catch((e) => e);
    expect(sent).toBeInstanceOf(Error);
    expect(kafkaType(sent), String(sent)).toBe("TOPIC_AUTHORIZATION_FAILED");
  } finally {
    await producer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Kafka lists only the topics a client may describe.
    expect(await admin.listTopics()).toEqual([]);
    const created = await admin.createTopics({ topics: [{ topic: "new-topic" }] }).catch((e) => e);
    expect(kafkaType(created?.errors?.[0] ?? created), String(created)).toBe("TOPIC_AUTHORIZATION_FAILED");
    // kafkajs describes the topics before it asks the group.
    const offsets = await admin.fetchOffsets({ groupId: "g", topics: [ORDERS] }).catch((e) => e);
    expect(kafkaType(offsets), String(offsets)).toBe("TOPIC_AUTHORIZATION_FAILED");
  } finally {
    await admin.disconnect();
  }
}, 60_000);

it("with a token that may produce to the topic but not use the group: the consumer fails with GROUP_AUTHORIZATION_FAILED", async () => {
  const minted = await api("POST", "/v1/tokens", {
    name: "producer-only",
    grants: [{ resource: `topic:${ORDERS}`, operations: ["produce", "consume", "describe"] }],
  });
  expect(minted.status).toBe(201);
  const kafka = await kafkaVia(minted.body.token);
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: ORDERS, messages: [{ key: "k", value: "allowed" }] });
  expect(sent!.errorCode).toBe(0);
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: "not-granted", retry: { retries: 0 } });
  const crashed = new Promise<unknown>((res) => consumer.on(consumer.events.CRASH, (e) => res(e.payload.error)));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: ORDERS, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    expect(kafkaType(await crashed)).toBe("GROUP_AUTHORIZATION_FAILED");
  } finally {
    await consumer.disconnect();
  }
}, 60_000);
