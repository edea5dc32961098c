// The Worker as the integration tests run it (vitest.config.ts `main`): the app and its object
// classes, with PartitionDO and ElectionDO bound to subclasses whose ports a test can make fail and
// whose work in progress a test can await. The production classes carry no test-only fields or branches.

import { RangeCache } from "../src/archive/range-cache.js";
import type * as DS from "../src/contracts/durable-streams.js";
import type * as P from "../src/contracts/partition.js";
import type { Env } from "../src/env.js";
import { ElectionDO as Election, leaderProbe } from "../src/election/election-do.js";
import type { VoterStub } from "../src/leadership/authority.js";
import type { LeadershipRecord } from "../src/leadership/record.js";
import { partitionObject } from "../src/objects.js";
import { PartitionDO as Partition, type PartitionPorts } from "../src/partition/partition-do.js";
import { electionVoters, followerLink } from "../src/partition/replication-host.js";
import { metricsPort } from "../src/partition/metrics-host.js";
import type { TopicRef } from "../src/protocol/topic.js";

import { ClusterDO as Cluster, MetricsDO as Metrics } from "../src/index.js";

export {
  default,
  ConnectorDO,
  GroupCoordinatorDO,
  MemberHostDO,
  MirrorDO,
  SchemaRegistryDO,
  TxnCoordinatorDO,
} from "../src/index.js";

/**
 * The network between partition copies and election voters, as failover tests shape it (locally
 * every object runs in this one isolate, so this table is what "regions" and "links" are). Keys are
 * object ids (`stub.id.toString()`).
 */
export const network = {
  /** Objects nobody reaches (clients included) and that reach nobody: a lost region. */
  down: new Set<string>(),
  /** Objects clients still reach but that reach no other copy or voter, nor they it (a zombie leader). */
  isolated: new Set<string>(),
  /** Links between two copies that fail both ways (`a|b`, ids sorted). */
  cut: new Set<string>(),
  /** Calls to or from these objects first wait this long (a slow region). */
  slowMs: new Map<string, number>(),
  clear(): void {
    this.down.clear();
    this.isolated.clear();
    this.cut.clear();
    this.slowMs.clear();
  },
  /** Fails (or delays) a call from `from` to `to` as the table says. */
  async pass(from: string, to: string, what: string): Promise<void> {
    const wait = Math.max(this.slowMs.get(from) ?? 0, this.slowMs.get(to) ?? 0);
    if (wait > 0) await scheduler.wait(wait);
    const off = [from, to].find((x) => this.down.has(x) || this.isolated.has(x));
    if (off !== undefined || this.cut.has([from, to].sort().join("|"))) {
      throw new Error(`injected fault: ${what} unreachable`);
    }
  },
};

/** The id of copy `name` (HOME or a region) of a partition. */
function copyId(env: Env, ref: TopicRef, name: string): string {
  return partitionObject(env, ref.id, ref.partition, name === "home" ? null : name).id.toString();
}

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
  /** Ranged reads that reached R2 (the range cache answers the others). */
  r2RangeReads = 0;
  /** The object's cache of archived ranges, to look inside. */
  readonly ranges = new RangeCache();

  constructor(private readonly self: string) {}

  ports(env: Env, storage: DurableObjectStorage): PartitionPorts {
    const bucket = env.ARCHIVE;
    const link = followerLink(env);
    const via = (ref: TopicRef, to: string, what: string) => network.pass(this.self, copyId(env, ref, to), what);
    const metrics = metricsPort(env, storage);
    return {
      segments: {
        put: (async (...args: Parameters<R2Bucket["put"]>) => {
          const stored = await bucket.put(...args);
          if (!this.failUploadsAfterPut) return stored;
          this.uploadsFailed++;
          throw new Error("injected fault: connection reset after upload");
        }) as R2Bucket["put"],
        get: ((key: string, options?: R2GetOptions) => {
          if (options?.range) this.r2RangeReads++;
          return bucket.get(key, options);
        }) as R2Bucket["get"],
        delete: bucket.delete.bind(bucket),
        list: bucket.list.bind(bucket),
      },
      followers: {
        replicate: async (ref, region, chunk) => {
          if (this.unreachable.has(region)) throw new Error(`injected fault: ${region} unreachable`);
          await via(ref, region, region);
          return link.replicate(ref, region, chunk);
        },
        ping: async (ref, from, to) => {
          await via(ref, to, to);
          return link.ping(ref, from, to);
        },
        adopt: async (ref, to, record) => {
          await via(ref, to, to);
          return link.adopt(ref, to, record);
        },
      },
      voters: (ref) =>
        electionVoters(env, ref).map((v) => {
          const pass = () => network.pass(this.self, v.id.toString(), "the election authority");
          return {
            prepare: async (key, b) => (await pass(), v.prepare(key, b)),
            accept: async (key, b, value) => (await pass(), v.accept(key, b, value)),
            reaches: async (t, p, leader) => (await pass(), v.reaches(t, p, leader)),
          } satisfies VoterStub;
        }),
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
      ranges: this.ranges,
    };
  }
}

export class PartitionDO extends Partition {
  readonly faults: PartitionFaults;
  /** The shared network table, reached through any partition object (runInDurableObject). */
  readonly network = network;
  /** Long-poll reads in progress: parked at the tail, or about to park (tests act once one waits). */
  longPolls = 0;
  /** Alarm handlers running now; the runtime also fires alarms on its own, beside a test's. */
  alarmsRunning = 0;
  /** Calls of the methods a scrape could need (reads, describes, offsets, appends): a scrape must make none. */
  calls = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    const faults = new PartitionFaults(ctx.id.toString());
    super(ctx, env, faults.ports(env, ctx.storage));
    this.faults = faults;
  }

  /** A call from a client (the router) or another object: a lost region answers none. */
  async #reached(): Promise<void> {
    const self = this.ctx.id.toString();
    const wait = network.slowMs.get(self) ?? 0;
    if (wait > 0) await scheduler.wait(wait);
    if (network.down.has(self)) throw new Error("injected fault: this partition copy is unreachable");
  }

  override async append(...args: Parameters<Partition["append"]>) {
    this.calls++;
    await this.#reached();
    return super.append(...args);
  }

  override async describe(ref: TopicRef) {
    this.calls++;
    await this.#reached();
    return super.describe(ref);
  }

  override async offsets(...args: Parameters<Partition["offsets"]>) {
    this.calls++;
    await this.#reached();
    return super.offsets(...args);
  }

  override async writeTxnMarker(...args: Parameters<Partition["writeTxnMarker"]>) {
    await this.#reached();
    return super.writeTxnMarker(...args);
  }

  override async transactions(ref: TopicRef) {
    await this.#reached();
    return super.transactions(ref);
  }

  override async replicate(ref: TopicRef, chunk: P.ReplicaChunk | null) {
    await this.#reached();
    return super.replicate(ref, chunk);
  }

  override async ping() {
    await this.#reached();
    return super.ping();
  }

  override async adopt(ref: TopicRef, self: string, record: LeadershipRecord) {
    await this.#reached();
    return super.adopt(ref, self, record);
  }

  override async read(ref: TopicRef, req: P.ReadRequest) {
    this.calls++;
    await this.#reached();
    return this.#polling(req.waitMs, () => super.read(ref, req));
  }

  override async readReplica(ref: TopicRef, req: P.ReadRequest) {
    await this.#reached();
    return this.#polling(req.waitMs, () => super.readReplica(ref, req));
  }

  override async streamRead(ref: TopicRef, from: DS.OffsetParam, waitMs: number) {
    return this.#polling(waitMs, () => super.streamRead(ref, from, waitMs));
  }

  override async alarm(): Promise<void> {
    this.alarmsRunning++;
    try {
      // A lost region's objects do nothing (their alarms included) until it returns.
      if (network.down.has(this.ctx.id.toString())) return;
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

/** An election voter whose view of the leaders follows the network table, and which a test can take down. */
export class ElectionDO extends Election {
  constructor(ctx: DurableObjectState, env: Env) {
    const probe = leaderProbe(env, 500);
    super(ctx, env, {
      reaches: async (topicId, partition, leader) => {
        const id = partitionObject(env, topicId, partition, leader === "home" ? null : leader).id.toString();
        try {
          await network.pass(ctx.id.toString(), id, leader);
        } catch {
          return false;
        }
        return probe.reaches(topicId, partition, leader);
      },
    });
  }

  override async prepare(...args: Parameters<Election["prepare"]>) {
    if (network.down.has(this.ctx.id.toString())) throw new Error("injected fault: this voter is unreachable");
    return super.prepare(...args);
  }

  override async accept(...args: Parameters<Election["accept"]>) {
    if (network.down.has(this.ctx.id.toString())) throw new Error("injected fault: this voter is unreachable");
    return super.accept(...args);
  }
}
