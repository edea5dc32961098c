// An exactly-once http-source task (KIP-618) built as its connector object builds it, over that
// object's storage, with a transport the test makes (faults, a token): how tests restart a task.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Transport } from "../../src/client/transport.js";
import { validateConnector } from "../../src/connect/connector-config.js";
import { ingestRecords } from "../../src/connect/sources/http-source.js";
import { SourceTask } from "../../src/connect/sources/source-task.js";

/** A deployment that runs sources exactly once. */
export const EXACTLY_ONCE_FACTS = { httpAllowedHosts: [], exactlyOnceSource: true, r2Bindings: [], queueProducers: [] };

/** Connector `name`'s task writing `topic` line by line, over the storage of object `storage`. */
export function exactlyOnceSource(name: string, topic: string, storage = name) {
  const v = validateConnector(
    { name, "connector.class": "http-source", topic, "ingest.split": "lines" },
    EXACTLY_ONCE_FACTS,
  );
  const connector = v.connector!;
  expect(connector.exactlyOnce).toBe(true);
  const ids = { transactionalId: `connect-${name}-0`, group: `connect-${name}`, topic };
  const stub = env.CONNECTOR.get(env.CONNECTOR.idFromName(storage));
  return {
    /** Runs a new task inside the object, as a restarted object would build it, over `http()`. */
    run: <T>(http: () => Transport, fn: (task: SourceTask) => Promise<T>) =>
      runInDurableObject(stub, (_o, state) =>
        fn(new SourceTask(state.storage.sql, http(), connector, { "http-source": name }, ids)),
      ),
    /** One webhook delivery of these lines. */
    delivery: (lines: string[]) =>
      ingestRecords(
        connector.values,
        { body: new TextEncoder().encode(lines.join("\n")), headers: { "content-type": "text/plain" } },
        Date.now(),
      ),
  };
}
