// What the router exchanges with a mirror object (MirrorDO): its RPC methods and its config.

import type { MirrorView } from "../protocol/api.js";
import type { Result } from "../protocol/errors.js";

/** One mirror's object (named by the mirror's name). Every method answers a Result. */
export interface MirrorRpc {
  /** Starts a new mirror here, replacing whatever a deleted mirror of the same name left. */
  start(cfg: MirrorConfig): Promise<Result<MirrorView>>;
  status(): Promise<Result<MirrorView>>;
  /** Stops copying; the data already copied stays in the local topic. */
  stop(): Promise<Result<null>>;
}

export interface MirrorConfig {
  name: string;
  id: string;
  source: { url: string; topic: string; token?: string };
  /** The local topic. */
  topic: string;
  /** The source topic's partition count when the mirror was created. */
  partitions: number;
  /**
   * Whether the mirror may add partitions to the local topic when the source grows: only when its
   * creator held admin on the local topic. Absent in mirrors created before this was recorded (true).
   */
  add_partitions?: boolean;
  created_at: number;
}
