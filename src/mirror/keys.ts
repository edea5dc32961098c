// The mirror object's key-value storage: its config and the copy's status.

import type { MirrorConfig } from "../contracts/mirror.js";
import type { MirrorPartitionStatus } from "../protocol/api.js";
import { TypedKv } from "../util/kv.js";

export interface MirrorKeys {
  config: MirrorConfig;
  status: MirrorPartitionStatus[];
  /** When the source's partition count was last asked (ms). */
  partitions_checked_at: number;
}

export type MirrorKv = TypedKv<MirrorKeys>;

export function mirrorKv(storage: { kv: SyncKvStorage }): MirrorKv {
  return new TypedKv<MirrorKeys>(storage.kv);
}
