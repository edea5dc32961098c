// The transaction coordinator's key-value storage: its one transactional id's state.

import { TypedKv } from "../util/kv.js";
import type { TxnMeta } from "./state.js";

export interface TxnCoordinatorKeys {
  /** The transactional id's state (src/transactions/state.ts); absent until the first init, or once expired. */
  meta: TxnMeta;
  /** The id is listed in the controller's directory. */
  registered: true;
}

export function txnCoordinatorKv(storage: { kv: SyncKvStorage }): TypedKv<TxnCoordinatorKeys> {
  return new TypedKv<TxnCoordinatorKeys>(storage.kv);
}
