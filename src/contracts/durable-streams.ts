// The Durable Streams messages a partition object's stream methods take and answer (PartitionRpc).

import type { ErrorCode } from "../protocol/errors.js";

/** A position in a stream: the log offset and the payload bytes before it. */
export interface StreamPosition {
  offset: number;
  bytes: number;
}

/** A read's `offset` parameter: the stream's start, its tail ("now"), or a token a reply handed out. */
export type OffsetParam = { kind: "start" } | { kind: "now" } | { kind: "at"; position: StreamPosition; token: string };

/** The idempotent-producer headers of an append. */
export interface ProducerHeaders {
  id: string;
  epoch: number;
  seq: number;
}

/** A protocol outcome: status and headers, plus an error body for non-2xx answers. */
export interface StreamReply {
  status: number;
  headers: Record<string, string>;
  error?: { code: ErrorCode; message: string };
}

export interface StreamMessage {
  /** Record values: one for byte streams, one per JSON value for JSON streams. */
  values: Uint8Array[];
  /** The offset token after this message. */
  next: string;
}

export interface StreamRead {
  contentType: string;
  start: string;
  messages: StreamMessage[];
  /** The token after the last message returned (the start when none). */
  next: string;
  tail: string;
  upToDate: boolean;
  closed: boolean;
}

export interface CreateStreamRequest {
  contentType: string;
  ttlSeconds: number | null;
  expiresAt: number | null;
  closed: boolean;
  body: Uint8Array;
  fork: { source: string; offsetToken: string | null; subOffset: number; inherited: ForkSource } | null;
}

export interface AppendStreamRequest {
  /** The request's media type, normalised; null when absent. */
  contentType: string | null;
  body: Uint8Array;
  close: boolean;
  seq: string | null;
  producer: ProducerHeaders | null;
}

export interface ForkSource {
  contentType: string;
  ttlSeconds: number | null;
  expiresAt: number | null;
  batches: Uint8Array[];
  /** [end offset, payload bytes before it] per inherited message. */
  positions: number[][];
  /** The first records of the message after the fork offset (a sub-offset fork), if any. */
  prefix: Uint8Array[] | null;
}

/** Whether a stream's topic should now be removed, and which source it held a fork of. */
export type DeleteOutcome = { destroy: boolean; forkedFrom: string | null };
