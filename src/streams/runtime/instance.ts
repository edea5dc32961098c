// One running instance of an application: its topics prepared, global tables loaded, a runner for
// its tasks and the group member that feeds it. Node drives it from a loop, a Worker host from alarms.

import { Edgelog } from "../../client/index.js";
import { GroupMember } from "../../host/member.js";
import type { ResolvedConfig } from "../config.js";
import type { Topology } from "../topology/topology.js";
import { topicName, type StoreSpec } from "../topology/specs.js";
import { partitionForKey } from "../../protocol/murmur2.js";
import { resolveSerde } from "../serdes.js";
import type { StoreInstance } from "../state/stores.js";
import { taskId } from "./task.js";
import { GlobalStores } from "./globals.js";
import type { OutputSession } from "./guarantee.js";
import { createOutputSession } from "./session.js";
import { prepareTopics } from "./prepare.js";
import { StreamsRunner, type StoreBackend } from "./runner.js";

export class StreamsInstance {
  private constructor(
    readonly topology: Topology,
    readonly config: ResolvedConfig,
    readonly client: Edgelog,
    readonly member: GroupMember,
    readonly runner: StreamsRunner,
    readonly globals: GlobalStores,
    readonly partitions: ReadonlyMap<string, number>,
    private readonly session: OutputSession,
  ) {}

  /** Checks and creates the topics, loads global tables, and builds the member (not joined yet). */
  static async create(topology: Topology, cfg: ResolvedConfig, backend: StoreBackend): Promise<StreamsInstance> {
    const client = new Edgelog({ url: cfg.url, token: cfg.token, fetch: cfg.fetch });
    const prepared = await prepareTopics(client.admin(), topology, cfg.applicationId, cfg.createTopics);
    const defaults = { key: cfg.defaultKeySerde, value: cfg.defaultValueSerde };
    const session = createOutputSession(cfg.processingGuarantee, client, cfg.applicationId);
    const openGlobal = (spec: StoreSpec) => backend.open(spec, "global", 0);
    const globals = new GlobalStores(topology, client.http, openGlobal, defaults, session.isolationLevel);
    await globals.bootstrap((t) => prepared.partitions.get(t) ?? 0);
    const runner = new StreamsRunner({
      applicationId: cfg.applicationId,
      topology,
      partitions: prepared.partitions,
      defaults,
      deserializationExceptionHandler: cfg.deserializationExceptionHandler,
      logger: cfg.logger,
      now: Date.now,
      session,
      http: client.http,
      backend,
      globals,
    });
    const member = new GroupMember(client.http, runner, {
      group: cfg.applicationId,
      topics: runner.subscription,
      instanceId: cfg.instanceId,
      sessionTimeoutMs: cfg.sessionTimeoutMs,
      // Range keeps partition i of equally sized topics on one member: what a task's inputs need.
      assignor: "range",
      autoOffsetReset: cfg.autoOffsetReset,
      commitIntervalMs: cfg.commitIntervalMs,
      maxWaitMs: cfg.maxWaitMs,
      isolationLevel: session.isolationLevel,
    });
    return new StreamsInstance(topology, cfg, client, member, runner, globals, prepared.partitions, session);
  }

  /**
   * Where a key of a (non-global) store lives: the partition its serialized key hashes to (murmur2,
   * as the producer placed it), that partition's task, and a topic whose partition marks the task's owner.
   */
  keyLocation(store: string, key: unknown): { partition: number; task: string; topic: string; hosted: boolean } {
    const spec = this.topology.stores.get(store)!;
    const owner = this.topology.storeOwner.get(store)!;
    const sub = this.topology.subtopologies[owner]!;
    const names = sub.sources.map((t) => topicName(t, this.config.applicationId));
    const tasks = Math.max(...names.map((t) => this.partitions.get(t) ?? 1));
    const defaults = { key: this.config.defaultKeySerde, value: this.config.defaultValueSerde };
    const partition = partitionForKey(resolveSerde(spec.keySerde, defaults, "key").serialize(key, store), tasks);
    const task = taskId(owner, partition);
    return { partition, task, topic: names[0]!, hosted: this.runner.tasks.has(task) };
  }

  /** The local instances of a store: the global copy, or one per hosted task. */
  localStores(name: string): StoreInstance[] {
    const global = this.globals.stores.get(name);
    if (global) return [global];
    return [...this.runner.tasks.values()].flatMap(({ task }) =>
      task.stores.has(name) ? [task.stores.get(name)!] : [],
    );
  }

  /** Final commit, tasks closed cleanly, group left. */
  async close(): Promise<void> {
    try {
      await this.member.leave();
    } finally {
      await this.session.close().catch(() => undefined);
    }
  }

  /** After a failure: tasks dropped without a commit, group left; another instance resumes from the last commit. */
  async abandon(): Promise<void> {
    await this.member.abandon();
  }
}
