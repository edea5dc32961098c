// One running instance of an application: its topics prepared, global tables loaded, a runner for
// its tasks and the group member that feeds it. Node drives it from a loop, a Worker host from alarms.

import { Edgelog } from "../../client/index.js";
import { GroupMember } from "../../host/member.js";
import type { ResolvedConfig } from "../config.js";
import type { Topology } from "../topology/topology.js";
import { GlobalStores } from "./globals.js";
import { createOutputSession, type OutputSession } from "./guarantee.js";
import { prepareTopics } from "./prepare.js";
import { StreamsRunner, type StoreBackend } from "./runner.js";

export class StreamsInstance {
  private constructor(
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
    const globals = new GlobalStores(topology, client.http, (spec) => backend.open(spec, "global", 0), defaults);
    await globals.bootstrap((t) => prepared.partitions.get(t) ?? 0);
    const session = createOutputSession(cfg.processingGuarantee, client);
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
    return new StreamsInstance(client, member, runner, globals, prepared.partitions, session);
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
