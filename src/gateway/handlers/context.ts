// What every request handler gets: the upstream client, who the gateway says it is, the request.

import type { Value } from "../wire/codec.js";
import type { Upstream } from "../upstream.js";

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
  /** The client's address as the socket sees it (IPv4-mapped IPv6 unwrapped), null once it is gone. */
  clientHost: string | null;
  /** Aborted when the client disconnects: in-flight upstream calls stop. */
  signal: AbortSignal;
  /** Logs `message` the first time this gateway sees `key` (e.g. one client's unsupported API and version). */
  notice(key: string, message: string): void;
}

/** A handler's answer: the response body, or null for none (acks=0 produce). */
export type Handler = (req: Value, ctx: RequestContext) => Promise<Value | null>;

/** The gateway is the only broker: node 0. */
export const NODE_ID = 0;
export const CLUSTER_ID = "edgelog";
