// What a Worker exchanges with a connector's object (ConnectorDO): its RPC methods, the connector's
// stored record, a source's offsets and what a source wrote.

import type { Grant } from "../auth/grants.js";
import type { ConnectorStatus } from "../protocol/connect-api.js";
import type { Result } from "../protocol/errors.js";

/** One connector (named by the connector's name). Every method answers a Result. */
export interface ConnectorRpc {
  /** Creates (`create`) or replaces the config; the target state is kept on update. Answers the previous record. */
  save(next: StoredConnector, create: boolean): Promise<Result<StoredConnector | null>>;
  describe(): Promise<Result<StoredConnector>>;
  status(): Promise<Result<ConnectorStatus>>;
  /** pause / resume / stop (Kafka's target states). */
  setTarget(target: TargetState): Promise<Result<StoredConnector>>;
  /** Restarts the connector; with includeTasks its tasks too (onlyFailed: the failed ones). */
  restart(includeTasks: boolean, onlyFailed: boolean): Promise<Result<ConnectorStatus>>;
  restartTask(task: number): Promise<Result<null>>;
  /** Stops every task and forgets the connector; answers it (the router revokes its token). */
  destroy(): Promise<Result<StoredConnector>>;
  sourceOffsets(): Promise<Result<SourceOffset[]>>;
  /** KIP-875 alter (`entries`) or reset (null) of a stopped source's offsets. */
  changeSourceOffsets(entries: SourceOffset[] | null): Promise<Result<null>>;
  /** A webhook request for an http-source. */
  ingest(req: { body: Uint8Array; headers: Record<string, string> }, caller: IngestCaller): Promise<Result<Written>>;
  /** A queue batch for a queues-source: the ids written (to ack); the rest are retried by the queue. */
  deliver(messages: QueueMessageIn[]): Promise<Result<{ written: string[] }>>;
}

/** What the user asked the connector to be (Kafka's target state). */
export type TargetState = "STARTED" | "PAUSED" | "STOPPED";

export interface StoredConnector {
  name: string;
  /** Minted at creation: host objects are named by it, so a recreated connector starts afresh. */
  id: string;
  type: "sink" | "source";
  /** Kafka's flat map of strings. */
  config: Record<string, string>;
  /** The connector's own token (auth on), and its id for revocation. */
  token: string | null;
  token_id: string | null;
  target: TargetState;
  tasks: number;
  created_at: number;
}

/** Kafka Connect's offset entry: a source partition and its offset, both JSON maps. */
export interface SourceOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

/** What a source wrote for one delivery. */
export interface Written {
  records: { topic: string; partition: number; offset: number }[];
  /** Records errors.tolerance=all skipped (a conversion or transform failed), and those a Filter dropped. */
  skipped: number;
  duplicate?: boolean;
}

/** Who is calling the webhook: a token's grants (checked for produce on the topic), or nobody. */
export interface IngestCaller {
  grants: Grant[] | null;
  name: string;
}

export interface QueueMessageIn {
  id: string;
  timestamp: number;
  body: unknown;
}
