// What a Kafka client is told when edgelog refuses or cannot serve a request: Kafka's codes, read
// from the one error table (protocol/errors.ts), chosen per resource the request is about.

import { replyStatus } from "../client/transport.js";
import { ERRORS, EdgelogError, type ErrorCode } from "../protocol/errors.js";

/** Kafka's "no error". */
export const NONE = 0;

/** Kafka's code for each edgelog error code: the table's `kafka` column. */
export const KAFKA = Object.fromEntries(Object.entries(ERRORS).map(([code, spec]) => [code, spec.kafka])) as {
  readonly [C in ErrorCode]: number;
};

/** Kafka's authorization codes, by the resource a request is about. */
export const DENIED = {
  topic: KAFKA.TOPIC_AUTHORIZATION_FAILED,
  group: KAFKA.GROUP_AUTHORIZATION_FAILED,
  cluster: KAFKA.CLUSTER_AUTHORIZATION_FAILED,
  transactionalId: KAFKA.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
} as const;

/** edgelog refused the gateway's token (401: none or unknown; 403: not allowed). */
export function refused(e: unknown): boolean {
  const status = replyStatus(e);
  return status === 401 || status === 403;
}

/**
 * The Kafka code for a failed upstream call. `unavailable` is the request's own retriable "not
 * now" (NOT_LEADER_OR_FOLLOWER for a partition, COORDINATOR_NOT_AVAILABLE for a group): what a
 * client hears when edgelog could not be reached, so it goes back to metadata or the coordinator lookup.
 */
export function kafkaCode(e: unknown, unavailable: number): number {
  if (!(e instanceof EdgelogError)) return KAFKA.UNKNOWN_SERVER_ERROR;
  switch (e.code) {
    // edgelog could not be reached, or the object behind the request is overloaded or restarting:
    // the request's own retriable code, which every client handles for that API (Java's fetch, for
    // one, refreshes metadata on NOT_LEADER_OR_FOLLOWER but fails on LEADER_NOT_AVAILABLE).
    case "NETWORK_EXCEPTION":
    case "LEADER_NOT_AVAILABLE":
      return unavailable;
    // KIP-848 epoch errors never reach classic clients: they rejoin on ILLEGAL_GENERATION.
    case "STALE_MEMBER_EPOCH":
    case "FENCED_MEMBER_EPOCH":
      return KAFKA.ILLEGAL_GENERATION;
    // A member-less commit into a group with members: Kafka answers UNKNOWN_MEMBER_ID.
    case "NON_EMPTY_GROUP":
      return KAFKA.UNKNOWN_MEMBER_ID;
  }
  const k = KAFKA[e.code];
  if (k !== -1) return k;
  return replyStatus(e) === 503 ? unavailable : KAFKA.UNKNOWN_SERVER_ERROR;
}

/**
 * The Kafka code for a failed upstream call on a resource. A refusal becomes Kafka's answer for
 * that resource, `denied` (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED), unless edgelog already named
 * one: clients report these at once instead of retrying or reconnecting forever.
 */
export function failure(e: unknown, unavailable: number, denied: number): number {
  const code = kafkaCode(e, unavailable);
  if (!refused(e)) return code;
  return (Object.values(DENIED) as number[]).includes(code) ? code : denied;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
