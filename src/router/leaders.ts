// Finding a geo-replicated partition's leader from the router: a per-isolate cache of who leads in
// which epoch, corrected by the copies' own answers (NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH
// name the leader they know) and, when those cannot say, by the election authority's record.

import type { Env } from "../env.js";
import { Authority, type VoterStub } from "../leadership/authority.js";
import { HOME, voterRegions, type LeadershipRecord } from "../leadership/record.js";
import { electionObject, partitionObject } from "../objects.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { topicRef, type Topic, type TopicRef } from "../protocol/topic.js";
import { onPartition, topics } from "./objects.js";
import { toEdgelogError } from "./errors.js";

export interface Leader {
  /** HOME or the leading region. */
  replica: string;
  /** Unknown until a copy or the authority told this isolate. */
  epoch?: number;
}

const leaders = new Map<string, Leader>();
const key = (topic: Topic, p: number) => `${topic.id}/${p}`;
/** Names this isolate's proposals, so two routers' ballots never tie (drawn on first use: no randomness at load). */
let isolate: string | undefined;

/** Whom this isolate takes for the leader (HOME, epoch unknown, until told otherwise). */
export function cachedLeader(topic: Topic, p: number): Leader {
  if (topic.config["replica.regions"].length === 0) return { replica: HOME };
  return leaders.get(key(topic, p)) ?? { replica: HOME };
}

export function rememberLeader(topic: Topic, p: number, record: { leader: string; epoch: number }): void {
  const known = leaders.get(key(topic, p));
  if (known?.epoch !== undefined && known.epoch > record.epoch) return;
  leaders.set(key(topic, p), { replica: record.leader, epoch: record.epoch });
}

/** A copy of the partition: HOME or a region. */
export function copyStub(env: Env, topic: Topic, p: number, replica: string) {
  return partitionObject(env, topic.id, p, replica === HOME ? null : replica);
}

/** The topic's election authority, as this isolate reaches it. */
export function authorityOf(env: Env, topic: Topic): Authority {
  const voters: VoterStub[] = voterRegions(topic.config).map((region, i) => electionObject(env, topic.id, i, region));
  isolate ??= `router-${crypto.randomUUID()}`;
  return new Authority(topic.id, voters, isolate);
}

/** Asks the authority who leads (a linearizable read) and remembers it. */
export async function refreshLeader(env: Env, topic: Topic, p: number): Promise<Leader> {
  const record: LeadershipRecord | null = await authorityOf(env, topic).record(p);
  if (record) rememberLeader(topic, p, record);
  return cachedLeader(topic, p);
}

const ATTEMPTS = 4;
/** How long a request waits for the other copies to take note of a silent leader before it goes on. */
const SUSPECT_WAIT_MS = 1_000;

/**
 * Calls the partition's leader. A copy that is not the leader (or a caller's stale epoch) refuses
 * before doing anything, naming the leader it knows: the call moves there, always safe. A leader
 * that does not answer may be lost: when the call is safe to repeat, the authority says whether
 * another copy leads now; otherwise (or while the election is still under way) the caller gets a
 * retriable NOT_LEADER_OR_FOLLOWER.
 */
export async function onLeader<T>(
  env: Env,
  topic: Topic,
  p: number,
  call: (stub: ReturnType<typeof copyStub>, ref: TopicRef) => Promise<Result<T>>,
  safeToRetry = false,
): Promise<T> {
  if (topic.config["replica.regions"].length === 0) {
    return onPartition(
      topic.name,
      async () => unwrap(await call(copyStub(env, topic, p, HOME), topicRef(topic, p))),
      safeToRetry,
    );
  }
  let last: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const leader = cachedLeader(topic, p);
    const ref = { ...topicRef(topic, p), ...(leader.epoch !== undefined ? { leaderEpoch: leader.epoch } : {}) };
    try {
      return await onPartition(
        topic.name,
        async () => unwrap(await call(copyStub(env, topic, p, leader.replica), ref)),
        safeToRetry,
      );
    } catch (e) {
      last = e;
      if (e instanceof EdgelogError && (e.code === "NOT_LEADER_OR_FOLLOWER" || e.code === "FENCED_LEADER_EPOCH")) {
        const hint = e.extra as { leader?: string; leader_epoch?: number; before_write?: boolean } | undefined;
        // A refusal before writing is always safe to send elsewhere; a write the leader stored but
        // could not acknowledge (it was deposed meanwhile) only when the caller's retry is idempotent.
        if (!hint?.before_write && !safeToRetry) throw e;
        if (
          typeof hint?.leader === "string" &&
          typeof hint.leader_epoch === "number" &&
          (leader.epoch === undefined || hint.leader_epoch > leader.epoch || hint.leader !== leader.replica)
        ) {
          rememberLeader(topic, p, { leader: hint.leader, epoch: hint.leader_epoch });
        } else {
          await refreshLeader(env, topic, p).catch(() => undefined);
          if (sameLeader(cachedLeader(topic, p), leader)) throw e;
        }
        continue;
      }
      // The leader did not answer: perhaps its region is lost. Its followers check it soon, even
      // those idle enough to have backed off their health checks.
      // Bounded: a copy in a lost region must not hold the request (the rest is best effort).
      if (!(e instanceof EdgelogError))
        await Promise.race([suspect(env, topic, p, leader.replica, ref), scheduler.wait(SUSPECT_WAIT_MS)]);
      if (e instanceof EdgelogError) throw e;
      if (!safeToRetry) {
        // Kafka's answer to a write whose leader went quiet: retriable, outcome unknown (a raw fault
        // here rendered as a non-retriable 500).
        const platform = toEdgelogError(e);
        if (platform.retriable) throw platform;
        console.error(`edgelog: the leader of ${topic.name}/${p} (${leader.replica}) failed a write`, e);
        throw new EdgelogError(
          "REQUEST_TIMED_OUT",
          `the leader of ${topic.name}/${p} (${leader.replica}) did not answer; the request may or may not have been applied (an idempotent producer's retry is safe)`,
        );
      }
      // Perhaps another copy leads now.
      await refreshLeader(env, topic, p).catch(() => undefined);
      if (sameLeader(cachedLeader(topic, p), leader)) {
        throw new EdgelogError(
          "NOT_LEADER_OR_FOLLOWER",
          `the leader of ${topic.name}/${p} (${leader.replica}) does not answer; a failover may be under way`,
        );
      }
    }
  }
  throw last;
}

/** Tells every copy but the silent leader to check it (best effort: copies that do not answer are skipped). */
async function suspect(env: Env, topic: Topic, p: number, silent: string, ref: TopicRef): Promise<void> {
  const copies = [HOME, ...topic.config["replica.regions"]].filter((c) => c !== silent);
  await Promise.all(
    copies.map((c) =>
      copyStub(env, topic, p, c)
        .suspectLeader(ref)
        .catch(() => undefined),
    ),
  );
}

function sameLeader(a: Leader, b: Leader): boolean {
  return a.replica === b.replica && a.epoch === b.epoch;
}

/** Forgets what this isolate knew of a topic's leaders (it was deleted). */
export function forgetLeaders(topic: Topic): void {
  for (let p = 0; p < topic.partitions; p++) leaders.delete(key(topic, p));
  topics.forget(topic.name);
}
