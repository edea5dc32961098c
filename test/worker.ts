// The Worker as the integration tests run it (vitest.config.ts `main`): the app and its object
// classes, with PartitionDO bound to a subclass whose ports a test can make fail and whose work in
// progress a test can await. The production classes carry no test-only fields or branches.

import type * as DS from "../src/contracts/durable-streams.js";
import type * as P from "../src/contracts/partition.js";
import type { Env } from "../src/env.js";
import { PartitionDO as Partition, type PartitionPorts } from "../src/partition/partition-do.js";
import { followerLink } from "../src/partition/replication-host.js";
import { metricsPort } from "../src/partition/metrics-host.js";
import type { TopicRef } from "../src/protocol/topic.js";

import { ClusterDO as Cluster, MetricsDO as Metrics } from "../src/index.js";

export {
  default,
  GroupCoordinatorDO,
  MemberHostDO,
  MirrorDO,
  SchemaRegistryDO,
  TxnCoordinatorDO,
} from "../src/index.js";

/** The controller, counting the topic listings a scrape asks for. */
export class ClusterDO extends Cluster {
  topicListings = 0;

  override async listTopics(page?: { after?: string; limit?: number }) {
    this.topicListings++;
    return super.listTopics(page);
  }
}

/** A metrics aggregate that counts the scrapes it answers and can be made to fail them. */
export class MetricsDO extends Metrics {
  scrapes = 0;
  failScrapes = false;

  override async scrape() {
    this.scrapes++;
    if (this.failScrapes) throw new Error("injected fault: aggregate unavailable");
    return super.scrape();
  }
}

/** Faults a test switches on in one partition object; in memory, so a restarted object has none. */
export class PartitionFaults {
  /** Regions whose copies the leader cannot reach. */
  readonly unreachable = new Set<string>();
  /** Segment uploads reach R2, then fail as if the reply were lost (a crash before the swap). */
  failUploadsAfterPut = false;
  /** Uploads failed that way so far. */
  uploadsFailed = 0;
  /** The object cannot read its own state for its metrics report (a broken database, say). */
  failMetricsGauges = false;
  /** Metrics pushes to the topic's aggregate fail, as if it were unreachable. */
  failMetricsPush = false;

  ports(env: Env, storage: DurableObjectStorage): PartitionPorts {
    const bucket = env.ARCHIVE;
    const link = followerLink(env);
    const metrics = metricsPort(env, storage);
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
      metrics: {
        push: (topicId, report) =>
          this.failMetricsPush
            ? Promise.reject(new Error("injected fault: metrics aggregate unreachable"))
            : metrics.push(topicId, report),
        databaseSize: () => {
          if (this.failMetricsGauges) throw new Error("injected fault: database unreadable");
          return metrics.databaseSize();
        },
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
  /** Calls of the methods a scrape could need (reads, describes, offsets, appends): a scrape must make none. */
  calls = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    const faults = new PartitionFaults();
    super(ctx, env, faults.ports(env, ctx.storage));
    this.faults = faults;
  }

  override async append(...args: Parameters<Partition["append"]>) {
    this.calls++;
    return super.append(...args);
  }

  override async describe(...args: Parameters<Partition["describe"]>) {
    this.calls++;
    return super.describe(...args);
  }

  override async offsets(...args: Parameters<Partition["offsets"]>) {
    this.calls++;
    return super.offsets(...args);
  }

  override async read(ref: TopicRef, req: P.ReadRequest) {
    this.calls++;
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
