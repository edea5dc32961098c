// The Worker as the integration tests run it (vitest.config.ts `main`): the app and its object
// classes, with PartitionDO bound to a subclass whose ports a test can make fail and whose work in
// progress a test can await. The production classes carry no test-only fields or branches.

import type * as DS from "../src/contracts/durable-streams.js";
import type * as P from "../src/contracts/partition.js";
import type { Env } from "../src/env.js";
import { PartitionDO as Partition, type PartitionPorts } from "../src/partition/partition-do.js";
import { followerLink } from "../src/partition/replication-host.js";
import type { TopicRef } from "../src/protocol/topic.js";

export {
  default,
  ClusterDO,
  GroupCoordinatorDO,
  MemberHostDO,
  MirrorDO,
  SchemaRegistryDO,
  TxnCoordinatorDO,
} from "../src/index.js";

/** Faults a test switches on in one partition object; in memory, so a restarted object has none. */
export class PartitionFaults {
  /** Regions whose copies the leader cannot reach. */
  readonly unreachable = new Set<string>();
  /** Segment uploads reach R2, then fail as if the reply were lost (a crash before the swap). */
  failUploadsAfterPut = false;
  /** Uploads failed that way so far. */
  uploadsFailed = 0;

  ports(env: Env): PartitionPorts {
    const bucket = env.ARCHIVE;
    const link = followerLink(env);
    return {
      segments: {
        put: (async (...args: Parameters<R2Bucket["put"]>) => {
          const stored = await bucket.put(...args);
          if (!this.failUploadsAfterPut) return stored;
          this.uploadsFailed++;
          throw new Error("injected fault: connection reset after upload");
        }) as R2Bucket["put"],
        get: bucket.get.bind(bucket),
        delete: bucket.delete.bind(bucket),
        list: bucket.list.bind(bucket),
      },
      followers: {
        replicate: (ref, region, chunk) =>
          this.unreachable.has(region)
            ? Promise.reject(new Error(`injected fault: ${region} unreachable`))
            : link.replicate(ref, region, chunk),
      },
    };
  }
}

export class PartitionDO extends Partition {
  readonly faults: PartitionFaults;
  /** Long-poll reads in progress: parked at the tail, or about to park (tests act once one waits). */
  longPolls = 0;
  /** Alarm handlers running now; the runtime also fires alarms on its own, beside a test's. */
  alarmsRunning = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    const faults = new PartitionFaults();
    super(ctx, env, faults.ports(env));
    this.faults = faults;
  }

  override async read(ref: TopicRef, req: P.ReadRequest) {
    return this.#polling(req.waitMs, () => super.read(ref, req));
  }

  override async readReplica(ref: TopicRef, req: P.ReadRequest) {
    return this.#polling(req.waitMs, () => super.readReplica(ref, req));
  }

  override async streamRead(ref: TopicRef, from: DS.OffsetParam, waitMs: number) {
    return this.#polling(waitMs, () => super.streamRead(ref, from, waitMs));
  }

  override async alarm(): Promise<void> {
    this.alarmsRunning++;
    try {
      await super.alarm();
    } finally {
      this.alarmsRunning--;
    }
  }

  async #polling<T>(waitMs: number, read: () => Promise<T>): Promise<T> {
    if (waitMs <= 0) return read();
    this.longPolls++;
    try {
      return await read();
    } finally {
      this.longPolls--;
    }
  }
}
