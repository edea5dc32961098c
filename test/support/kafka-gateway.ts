// A Kafka gateway in front of a shared server for one e2e file: the broker address Kafka clients
// are given, the HTTP API beside it, and names no other file sharing the server uses.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { requestJson } from "./json-http.js";
import { sharedServer, type SharedServer, type SharedServerKind } from "./shared-servers.js";

export interface GatewayFixture {
  /** The server's base URL. */
  readonly url: string;
  /** host:port of the gateway, for Kafka clients' bootstrap servers. */
  readonly broker: string;
  /** A name unique to this file and call: `<prefix>-<time>-<random>-<n>`. */
  name(prefix: string): string;
  /** A JSON call on the HTTP API; a non-2xx answer throws with its body. */
  http(method: string, path: string, body?: unknown): Promise<any>;
  /** A topic of that many partitions, uniquely named. */
  createTopic(partitions: number, prefix?: string): Promise<string>;
}

/** Call at the top level: a gateway before the file's tests, closed after them (the server stays). */
export function useKafkaGateway(opts: { kind?: SharedServerKind; log?: (line: string) => void } = {}): GatewayFixture {
  let server: SharedServer | undefined;
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    server = await sharedServer(opts.kind ?? "open");
    gateway = await startGateway({ listen: "127.0.0.1:0", upstream: server.url, log: opts.log ?? (() => {}) });
  }, 90_000);
  afterAll(async () => {
    await gateway?.close();
  });
  const started = () => {
    if (!server || !gateway) throw new Error("the gateway is not started yet: use it inside a test");
    return { server, gateway };
  };
  const file = randomUUID().slice(0, 8);
  let n = 0;
  const fixture: GatewayFixture = {
    get url() {
      return started().server.url;
    },
    get broker() {
      return `127.0.0.1:${started().gateway.port}`;
    },
    name: (prefix) => `${prefix}-${Date.now().toString(36)}-${file}-${n++}`,
    http: (method, path, body) => requestJson(fixture.url, method, path, body),
    async createTopic(partitions, prefix = "t") {
      const topic = fixture.name(prefix);
      await fixture.http("POST", "/v1/topics", { name: topic, partitions });
      return topic;
    },
  };
  return fixture;
}
