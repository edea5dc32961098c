// Which copy of a geo-replicated partition serves a read: the reader's nearest replica when it
// can, the leader otherwise (no replica there, the copy is behind, or it is unavailable).

import type { Env } from "../env.js";
import { readSettings } from "../settings.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import { cachedLeader, copyStub, onLeader } from "./leaders.js";
import type { ReadResult, ReadRequest } from "../contracts/partition.js";
import { partitionObject } from "../objects.js";

export type ReplicaChoice = "nearest" | "leader" | string;

/** The copy a read goes to: a region, or null for the leader. */
export function pickReplica(env: Env, topic: Topic, choice: ReplicaChoice | undefined, cf: unknown): string | null {
  const regions = topic.config["replica.regions"];
  if (choice === "leader" || regions.length === 0) return null;
  if (choice !== undefined && choice !== "nearest") {
    if (!regions.includes(choice)) {
      throw new EdgelogError(
        "INVALID_REQUEST",
        `topic ${topic.name} has no replica in ${choice}; its replica regions are ${regions.join(", ")} (or use replica=leader)`,
      );
    }
    return choice;
  }
  const here = readSettings(env).replicaRegion ?? regionOf(cf as IncomingRequestCfProperties | undefined);
  return here !== null && regions.includes(here) ? here : null;
}

/** Middle East countries, whose Durable Objects location hint is `me` rather than `apac`. */
const MIDDLE_EAST = new Set(["AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "YE"]);

/** The location hint nearest a request, from the colo data Cloudflare attaches to it (null when unknown). */
export function regionOf(
  cf: Pick<IncomingRequestCfProperties, "continent" | "country" | "longitude"> | undefined,
): string | null {
  if (!cf?.continent) return null;
  const longitude = Number(cf.longitude ?? 0);
  switch (cf.continent) {
    case "NA":
      return longitude < -100 ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return longitude >= 20 ? "eeur" : "weur";
    case "AF":
      return "afr";
    case "OC":
      return "oc";
    case "AS":
      return MIDDLE_EAST.has(String(cf.country)) ? "me" : "apac";
    default:
      return null;
  }
}

export function replicaStub(env: Env, topic: Topic, partition: number, region: string) {
  return partitionObject(env, topic.id, partition, region);
}

export interface ServedRead extends ReadResult {
  /** `leader` or the region whose copy answered. */
  servedBy: string;
}

/**
 * Reads from the chosen copy. A follower answers only what it holds up to the leader's high
 * watermark; when it cannot (behind, below its hot log, or failing), the leader answers.
 */
export async function readFrom(
  env: Env,
  topic: Topic,
  p: number,
  req: ReadRequest,
  region: string | null,
): Promise<ServedRead> {
  const ref = topicRef(topic, p);
  if (region !== null) {
    try {
      const r = unwrap(await replicaStub(env, topic, p, region).readReplica(ref, req));
      if (r) return { ...r, servedBy: region };
    } catch (e) {
      // The topic itself is gone: say so rather than asking the leader.
      if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") throw e;
      console.warn(`edgelog: replica ${region} of ${topic.name}/${p} failed a read; the leader serves it`, e);
    }
  }
  const r = await onLeader(env, topic, p, (stub, leaderRef) => stub.read(leaderRef, req), true);
  return { ...r, servedBy: "leader" };
}

/** Ends a multi-partition long-poll wherever it is parked (the leader or the replica). */
export async function cancelWaitOn(
  env: Env,
  topic: Topic,
  p: number,
  region: string | null,
  pollId: string,
): Promise<void> {
  const leader = copyStub(env, topic, p, cachedLeader(topic, p).replica);
  const stub = region === null ? leader : replicaStub(env, topic, p, region);
  unwrap(await stub.cancelWait(pollId));
  if (region !== null) unwrap(await leader.cancelWait(pollId));
}
