// The official Durable Streams conformance suite (all default cases) against a real wrangler dev.

import { runConformanceTests } from "@durable-streams/server-conformance-tests";
import { afterAll, beforeAll, describe } from "vitest";
import { startServer, type EdgelogServer } from "../support/server.js";

const config = { baseUrl: "", subscriptions: process.env.DS_SUBSCRIPTIONS === "1" };
let server: EdgelogServer;

beforeAll(async () => {
  // A short long-poll keeps the suite's timeout-bound cases fast, as its README advises.
  server = await startServer({ vars: { EDGELOG_STREAM_LONG_POLL_MS: "1000" } });
  config.baseUrl = server.url;
}, 90_000);

afterAll(async () => {
  await server?.dispose();
});

describe("Durable Streams conformance", () => {
  runConformanceTests(config);
});
