// The group coordinator's key-value storage (the group itself lives in SQLite tables).

import { TypedKv } from "../util/kv.js";

export interface CoordinatorKeys {
  /** The group id, once the group holds state and the controller's directory lists it. */
  registered: string;
}

export function coordinatorKv(storage: { kv: SyncKvStorage }): TypedKv<CoordinatorKeys> {
  return new TypedKv<CoordinatorKeys>(storage.kv);
}
