// The controller's key-value storage (topics, producer ids, tokens and groups are SQLite tables).

import type { ConnectorEntry, MirrorEntry } from "../contracts/cluster.js";
import { TypedKv } from "../util/kv.js";

export interface ClusterKeys {
  /** The mirror directory: each mirror's entry by name. */
  [mirror: `mirror/${string}`]: MirrorEntry;
  /** The connector directory: each connector's entry by name (its config and state are in its ConnectorDO). */
  [connector: `connector/${string}`]: ConnectorEntry;
}

export type ClusterKv = TypedKv<ClusterKeys>;

export function clusterKv(storage: { kv: SyncKvStorage }): ClusterKv {
  return new TypedKv<ClusterKeys>(storage.kv);
}

export function mirrorEntryKey(name: string): `mirror/${string}` {
  return `mirror/${name}`;
}

export function connectorEntryKey(name: string): `connector/${string}` {
  return `connector/${name}`;
}
