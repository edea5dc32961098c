// The connector directory: which connectors exist (for listing, and for routing a queue's batches
// to the queues-source that reads it). Each connector's config and state live in its ConnectorDO.

import type { ConnectorEntry } from "../contracts/cluster.js";
import { EdgelogError } from "../protocol/errors.js";
import { connectorEntryKey, type ClusterKv } from "./keys.js";

/** Kept in the controller's kv, as the mirror directory is: a handful of small entries. */
export class ConnectorDirectory {
  constructor(private readonly kv: ClusterKv) {}

  /** Adds or replaces the entry (a config update may change its class or queue). */
  put(entry: ConnectorEntry): void {
    this.kv.put(connectorEntryKey(entry.name), entry);
  }

  get(name: string): ConnectorEntry {
    const e = this.kv.get(connectorEntryKey(name));
    if (!e) throw new EdgelogError("CONNECTOR_NOT_FOUND", `connector ${name} does not exist`);
    return e;
  }

  list(): ConnectorEntry[] {
    return this.kv.values("connector/");
  }

  remove(name: string): void {
    this.kv.delete(connectorEntryKey(name));
  }
}
