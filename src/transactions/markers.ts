// Writing a coordinator's marker to a partition's leading copy: after a failover of a
// geo-replicated partition the leader is another region's copy, and a marker the deposed home copy
// took would be cut away by the truncation on its return (the new leader's transaction would hang).

import type { Env } from "../env.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import type { TxnMarker, TxnParticipant } from "../contracts/transactions.js";
import { partitionCopy } from "../objects.js";

/** Hops from copy to copy before the marker is retried on the coordinator's schedule. */
const HOPS = 4;

/**
 * Writes `marker` on the partition's leader. Every copy refuses a marker before writing when it
 * does not lead, naming the leader it knows: the marker moves there. A copy that does not answer
 * (its region lost) passes the turn to the next copy, which knows the leader elected since. A
 * marker is idempotent on the partition (a repeat ends nothing), so any hop is safe to repeat.
 */
export async function markPartition(
  env: Pick<Env, "PARTITION">,
  p: Extract<TxnParticipant, { kind: "partition" }>,
  marker: TxnMarker,
): Promise<void> {
  const copies = ["home", ...p.ref.config["replica.regions"]];
  let copy = "home";
  let last: unknown;
  for (let hop = 0; hop < HOPS; hop++) {
    let r: Result<{ written: boolean }>;
    try {
      r = await partitionCopy(env, p.topicId, p.partition, copy).writeTxnMarker(p.ref, marker);
    } catch (e) {
      last = e;
      copy = copies[(copies.indexOf(copy) + 1) % copies.length]!;
      continue;
    }
    if (r.ok || r.error.code === "UNKNOWN_TOPIC_OR_PARTITION") return;
    const leader = (r.error.extra as { leader?: unknown } | undefined)?.leader;
    if (
      (r.error.code === "NOT_LEADER_OR_FOLLOWER" || r.error.code === "FENCED_LEADER_EPOCH") &&
      typeof leader === "string" &&
      leader !== copy &&
      copies.includes(leader)
    ) {
      copy = leader;
      continue;
    }
    unwrap(r);
  }
  throw last instanceof Error
    ? last
    : new EdgelogError("NOT_LEADER_OR_FOLLOWER", `no copy of ${p.topic}/${p.partition} took the marker as its leader`);
}
