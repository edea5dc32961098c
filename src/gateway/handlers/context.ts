// What every request handler gets: the upstream client, who the gateway says it is, the request.

import { ERRORS } from "../../protocol/errors.js";
import type { Value } from "../wire/codec.js";
import { kafkaCode, type Upstream } from "../upstream.js";

export interface GatewayIdentity {
  /** The host and port clients are told to connect to (Metadata, FindCoordinator). */
  host: string;
  port: number;
  /** Create unknown topics when a Metadata request asks for it (Kafka's auto.create.topics.enable). */
  autoCreateTopics: boolean;
}

export interface RequestContext {
  upstream: Upstream;
  identity: GatewayIdentity;
  version: number;
  clientId: string | null;
  /** Aborted when the client disconnects: in-flight upstream calls stop. */
  signal: AbortSignal;
}

/** A handler's answer: the response body, or null for none (acks=0 produce). */
export type Handler = (req: Value, ctx: RequestContext) => Promise<Value | null>;

/** The gateway is the only broker: node 0. */
export const NODE_ID = 0;
export const CLUSTER_ID = "edgelog";

/** Kafka's authorization codes, from the one error table. */
export const DENIED = {
  topic: ERRORS.TOPIC_AUTHORIZATION_FAILED.kafka,
  group: ERRORS.GROUP_AUTHORIZATION_FAILED.kafka,
  cluster: ERRORS.CLUSTER_AUTHORIZATION_FAILED.kafka,
} as const;

/** edgelog refused the gateway's token (401: none or unknown; 403: not allowed). */
export function refused(e: unknown): boolean {
  const status = (e as { status?: unknown } | null)?.status;
  return status === 401 || status === 403;
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
