// A connector object's key-value storage (a source's offsets and deliveries are SQLite tables).

import type { StoredConnector } from "../contracts/connector.js";
import { TypedKv } from "../util/kv.js";

export interface ConnectorKeys {
  /** The connector: config, target state, token, tasks. */
  connector: StoredConnector;
  /** A source task that gave up (errors.tolerance=none): its trace, until restarted. */
  failed: string;
}

export function connectorKv(storage: { kv: SyncKvStorage }): TypedKv<ConnectorKeys> {
  return new TypedKv<ConnectorKeys>(storage.kv);
}
