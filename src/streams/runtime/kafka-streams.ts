// KafkaStreams: an application instance embedded in a Node (or browser, Deno, Bun) process, as
// Kafka Streams is embedded in a JVM: start(), close(), state, and interactive queries.

import { EdgelogError } from "../../protocol/errors.js";
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from "../config.js";
import { queryHandler, storeView, type AnyStoreView, type StoreQueries } from "../query.js";
import { MemoryBytesStore } from "../state/memory.js";
import type { ReadOnlyKeyValueStore, StoreInstance, StoreType } from "../state/stores.js";
import type { Topology } from "../topology/topology.js";
import { StreamsInstance } from "./instance.js";

export type StreamsState = "CREATED" | "REBALANCING" | "RUNNING" | "PENDING_SHUTDOWN" | "NOT_RUNNING" | "ERROR";

const RETRY_MS = 1_000;

export class KafkaStreams {
  readonly #topology: Topology;
  readonly #cfg: ResolvedConfig;
  #state: StreamsState = "CREATED";
  readonly #listeners = new Set<(next: StreamsState, previous: StreamsState) => void>();
  #instance?: StreamsInstance;
  #loop?: Promise<void>;
  #stopping = false;
  #wake?: () => void;
  #error: unknown;
  #stopHeartbeats?: () => void;
  #groupCache?: { at: number; value: Promise<GroupDescription> };

  /** Checks the configuration at once (an unsupported guarantee or a bad id throws here). */
  constructor(topology: Topology, config: StreamsConfig) {
    this.#topology = topology;
    this.#cfg = resolveConfig(config);
  }

  get state(): StreamsState {
    return this.#state;
  }

  onStateChange(fn: (next: StreamsState, previous: StreamsState) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #set(next: StreamsState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    for (const fn of this.#listeners) fn(next, prev);
  }

  /**
   * Checks the topology against the server (sources exist, joined topics co-partitioned), creates
   * internal topics, loads global tables and joins the group; rejects with a clear error when the
   * topology cannot work. Processing goes on in the background until close().
   */
  async start(): Promise<void> {
    if (this.#state !== "CREATED")
      throw new EdgelogError("INVALID_REQUEST", `start() was already called (state ${this.#state})`);
    this.#set("REBALANCING");
    try {
      this.#instance = await StreamsInstance.create(this.#topology, this.#cfg, { open: () => new MemoryBytesStore() });
      await this.#instance.member.join();
    } catch (e) {
      this.#error = e;
      this.#set("ERROR");
      await this.#instance?.abandon().catch(() => undefined);
      throw e;
    }
    this.#set("RUNNING");
    this.#stopHeartbeats = this.#instance.member.startHeartbeats();
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const instance = this.#instance!;
    while (!this.#stopping) {
      try {
        const processed = await instance.member.slice();
        // Nothing to fetch (no tasks yet, or all idle): wait for the next heartbeat instead of spinning.
        if (!processed && instance.runner.tasks.size === 0) await this.#sleep(Math.min(instance.member.idleMs, 1_000));
      } catch (e) {
        if (this.#stopping) return;
        if (e instanceof EdgelogError && e.retriable) {
          this.#cfg.logger.warn(`${e.code}: ${e.message}; retrying`);
          await this.#sleep(RETRY_MS);
          continue;
        }
        this.#error = e;
        this.#cfg.logger.error(`stopping: ${(e as Error)?.message ?? e}`);
        this.#set("ERROR");
        this.#stopHeartbeats?.();
        await instance.abandon().catch(() => undefined);
        return;
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Resolves when the instance stops; rejects with the error that stopped it. */
  async done(): Promise<void> {
    await this.#loop;
    if (this.#error) throw this.#error;
  }

  /** Stops processing, commits, closes its tasks cleanly and leaves the group. */
  async close(): Promise<void> {
    if (this.#state === "NOT_RUNNING" || this.#state === "CREATED") {
      this.#set("NOT_RUNNING");
      return;
    }
    this.#stopping = true;
    const failed = this.#state === "ERROR";
    this.#set("PENDING_SHUTDOWN");
    this.#wake?.();
    this.#stopHeartbeats?.();
    await this.#loop;
    if (!failed && this.#error === undefined) await this.#instance?.close();
    this.#set(failed || this.#error !== undefined ? "ERROR" : "NOT_RUNNING");
  }

  #instances(name: string): StoreInstance[] {
    return this.#instance?.localStores(name) ?? [];
  }

  #queryable(name: string): StoreType {
    const spec = this.#topology.stores.get(name);
    if (!spec || !spec.queryable) {
      const names = [...this.#topology.stores.values()].filter((s) => s.queryable).map((s) => s.name);
      throw new EdgelogError(
        "UNKNOWN_STATE_STORE",
        `no queryable state store ${name}; the topology has: ${names.join(", ") || "none"}`,
      );
    }
    return spec.type;
  }

  /**
   * A read-only view of a store over the tasks this instance hosts (Kafka's KafkaStreams.store):
   * a ReadOnlyKeyValueStore unless asked for a window or session store type.
   */
  store<S extends AnyStoreView = ReadOnlyKeyValueStore<any, any>>(name: string): S {
    return storeView(name, this.#queryable(name), () => this.#instances(name)) as S;
  }

  /**
   * Which partition of a store holds `key`, whether this instance hosts it, and (with
   * applicationServer set on the instances) the base URL of the instance that does.
   */
  async queryMetadataForKey(
    name: string,
    key: unknown,
  ): Promise<{ partition: number; local: boolean; url: string | null }> {
    this.#queryable(name);
    const inst = this.#instance;
    if (!inst) throw new EdgelogError("STATE_STORE_NOT_AVAILABLE", "the application is not started");
    if (this.#topology.globals.some((g) => g.store.name === name))
      return { partition: -1, local: true, url: this.#cfg.applicationServer ?? null };
    const where = inst.keyLocation(name, key);
    const { partition } = where;
    if (where.hosted) return { partition, local: true, url: this.#cfg.applicationServer ?? null };
    const group = await this.#describeGroup();
    const holder = group.members.find((m) =>
      m.assignment.some((a) => a.topic === where.topic && a.partitions.includes(partition)),
    );
    const url = holder?.instance_id && /^https?:\/\//.test(holder.instance_id) ? holder.instance_id : null;
    return { partition, local: false, url };
  }

  #describeGroup(): Promise<GroupDescription> {
    const hit = this.#groupCache;
    if (hit && Date.now() - hit.at < 2_000) return hit.value;
    const value = this.#instance!.client.admin().describeGroup(
      this.#cfg.applicationId,
    ) as Promise<unknown> as Promise<GroupDescription>;
    this.#groupCache = { at: Date.now(), value };
    value.catch(() => (this.#groupCache = undefined));
    return value;
  }

  /** An HTTP handler for interactive queries: mount it under `prefix` (see docs/streams.md). */
  queryHandler(opts: { prefix?: string } = {}): (req: Request) => Promise<Response> {
    const q: StoreQueries = {
      list: () =>
        [...this.#topology.stores.values()].filter((s) => s.queryable).map((s) => ({ name: s.name, type: s.type })),
      view: (name) => ({ type: this.#queryable(name), view: this.store(name), sample: this.#instances(name)[0] }),
      locate: async (name, key) => {
        const m = await this.queryMetadataForKey(name, key);
        return m.local ? { local: true } : { local: false, url: m.url };
      },
    };
    return queryHandler(q, opts);
  }
}

interface GroupDescription {
  members: { instance_id: string | null; assignment: { topic: string; partitions: number[] }[] }[];
}
