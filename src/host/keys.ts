// The member host object's key-value storage (what it runs keeps its state in SQLite).

import type { HostSpec } from "../contracts/host.js";
import { TypedKv } from "../util/kv.js";

export interface HostKeys {
  /** What the host runs; stored, so a restarted object resumes it. */
  spec: HostSpec;
  /** The object's name, kept because an object woken by its alarm after a restart has no ctx.id.name. */
  name: string;
  /** The kind gave up (HostedFailure): nothing runs until start or restart. */
  failed: { trace: string; at: number };
}

export function hostKv(storage: { kv: SyncKvStorage }): TypedKv<HostKeys> {
  return new TypedKv<HostKeys>(storage.kv);
}
