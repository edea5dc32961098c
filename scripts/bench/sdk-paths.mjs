// The paths users produce through, beside the raw HTTP workloads: edgelog's SDK producer (default
// linger and batching) and the Kafka gateway driven by kafkajs, each sending W1's records.

import { spawn } from "node:child_process";
import { Kafka, logLevel } from "kafkajs";
import { jsonValue } from "./load.mjs";

/**
 * W1 through the SDK: `total` one-record send() calls on one partition with the producer's
 * defaults (idempotent, 5 ms linger, 1 MiB batches), at most `window` unacknowledged at once,
 * as an application that awaits its sends in bulk would. `client` is a build of edgelog/client.
 */
export async function sdkProduce(client, url, topic, { total, valueBytes, window = 20_000 }) {
  const edgelog = new client.Edgelog({ url });
  const producer = edgelog.producer();
  const value = jsonValue(valueBytes);
  await producer.send(topic, { value, partition: 0 }); // the producer id and metadata, unmeasured
  const start = performance.now();
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    inFlight.push(producer.send(topic, { value, partition: 0 }));
    if (inFlight.length >= window) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await producer.flush();
  const secs = (performance.now() - start) / 1000;
  await producer.close();
  return { recordsPerSec: total / secs };
}

/** The standalone gateway (`script`: a dist/gateway.mjs) in front of `upstream`; its broker address. */
export async function startGateway(script, upstream) {
  const child = spawn("node", [script, "--listen", "127.0.0.1:0", "--upstream", upstream], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.once("exit", () => child.kill("SIGTERM"));
  const line = await new Promise((res) => child.stdout.once("data", (d) => res(String(d))));
  const port = /listening on [^:]+:(\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`gateway did not report its port: ${line}`);
  return { broker: `127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

/**
 * W1 through the Kafka gateway: kafkajs sends `total` records in sends of `batchSize` with
 * `concurrency` in flight, its defaults otherwise (acks -1, not idempotent, no compression).
 */
export async function kafkajsProduce(broker, topic, { total, valueBytes, batchSize, concurrency }) {
  const kafka = new Kafka({ clientId: "edgelog-bench", brokers: [broker], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const value = JSON.stringify(jsonValue(valueBytes));
    const messages = Array.from({ length: batchSize }, () => ({ value, partition: 0 }));
    await producer.send({ topic, messages: messages.slice(0, 1) }); // metadata, unmeasured
    const requests = Math.ceil(total / batchSize);
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      while (next++ < requests) await producer.send({ topic, messages });
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { recordsPerSec: (requests * batchSize) / ((performance.now() - start) / 1000) };
  } finally {
    await producer.disconnect();
  }
}
