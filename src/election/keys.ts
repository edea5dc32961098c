// The election voter's key-value storage: one quorum register per partition of its topic.

import type { VoterState } from "../leadership/quorum.js";
import type { LeadershipRecord } from "../leadership/record.js";
import { TypedKv } from "../util/kv.js";

export interface ElectionKeys {
  /** A partition's leadership register (`vote/<partition>`): what this voter promised and accepted. */
  [vote: `vote/${string}`]: VoterState<LeadershipRecord>;
}

export type ElectionKv = TypedKv<ElectionKeys>;

export function electionKv(storage: { kv: SyncKvStorage }): ElectionKv {
  return new TypedKv<ElectionKeys>(storage.kv);
}
