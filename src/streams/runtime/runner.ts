// Runs a topology's tasks on a group member: a task starts once its member holds all of its input
// partitions (its stores restored from their changelogs first), processes what is fetched, and
// commits its stream time with its offsets. The same runner serves Node instances and Worker hosts.

import type { Transport } from "../../client/transport.js";
import { EdgelogError } from "../../protocol/errors.js";
import type {
  AssignedPartition,
  CommitOffsets,
  CommitOutcome,
  GroupMetadata,
  MemberBatch,
  MemberRunner,
  PartitionOffset,
  TopicPartition,
} from "../../host/runner.js";
import type { SerdeDefaults } from "../serdes.js";
import type { BytesStore, PersistentBytesStore } from "../state/bytes.js";
import { restoreInto } from "../state/stores.js";
import { changelogTopic, topicName, type StoreSpec, type SubtopologySpec, type TopicRef } from "../topology/specs.js";
import type { Topology } from "../topology/topology.js";
import type { GlobalStores } from "./globals.js";
import type { OutputSession, TaskOffsets } from "./guarantee.js";
import { restorePartition } from "./restore.js";
import { StreamTask, taskId, type DeserializationExceptionHandler, type Logger } from "./task.js";

/** Where stores keep their bytes: memory (Node) or the hosting object's SQLite (Worker). */
export interface StoreBackend {
  open(spec: StoreSpec, taskId: string, partition: number): BytesStore | PersistentBytesStore;
}

export interface RunnerOptions {
  applicationId: string;
  topology: Topology;
  /** Partition count per server-side topic name (sources, repartition topics, changelogs). */
  partitions: ReadonlyMap<string, number>;
  defaults: SerdeDefaults;
  deserializationExceptionHandler: DeserializationExceptionHandler;
  logger: Logger;
  now: () => number;
  session: OutputSession;
  http: Transport;
  backend: StoreBackend;
  globals: GlobalStores;
}

interface LiveTask {
  task: StreamTask;
  inputs: string[];
  /** Per logged store: the changelog offset after the last of this task's writes acknowledged (or restored). */
  changelogEnd: Map<string, number>;
  stores: Map<string, BytesStore | PersistentBytesStore>;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
/** A commit that failed because the member lost its partitions: the member rejoins (not a rewind). */
const MEMBER_FENCED = new Set(["UNKNOWN_MEMBER_ID", "FENCED_MEMBER_EPOCH", "PARTITION_NOT_OWNED"]);

function isPersistent(b: BytesStore): b is PersistentBytesStore {
  return typeof (b as PersistentBytesStore).checkpoint === "function";
}

/** Stream time travels in the committed offset's metadata, so a restarted task's windows stay closed. */
export function streamTimeMetadata(streamTime: number): string {
  return JSON.stringify({ stream_time: streamTime });
}

export function streamTimeFrom(metadata: string | null): number {
  if (!metadata) return -1;
  try {
    const v = JSON.parse(metadata) as { stream_time?: unknown };
    return typeof v.stream_time === "number" ? v.stream_time : -1;
  } catch {
    return -1;
  }
}

export class StreamsRunner implements MemberRunner {
  readonly #tasks = new Map<string, LiveTask>();
  /** Input partition → the live task reading it. */
  readonly #byInput = new Map<string, string>();
  /** Held partitions and the metadata their committed offsets carried. */
  readonly #owned = new Map<string, string | null>();
  /** Server-side source topic → its sub-topology. */
  readonly #subOf = new Map<string, SubtopologySpec>();
  /** Changelog topic → its store. */
  readonly #changelogs = new Map<string, string>();

  constructor(private readonly o: RunnerOptions) {
    for (const s of o.topology.subtopologies) for (const t of s.sources) this.#subOf.set(this.#name(t), s);
    for (const name of o.topology.storeOwner.keys()) this.#changelogs.set(changelogTopic(o.applicationId, name), name);
  }

  #name(t: TopicRef): string {
    return topicName(t, this.o.applicationId);
  }

  /** The topics the member subscribes to: every sub-topology's sources. */
  get subscription(): string[] {
    return [...this.#subOf.keys()];
  }

  /** Live tasks, by id (interactive queries read their stores). */
  get tasks(): ReadonlyMap<string, { task: StreamTask }> {
    return this.#tasks;
  }

  #inputsOf(sub: SubtopologySpec, partition: number): string[] {
    return sub.sources
      .map((t) => this.#name(t))
      .filter((t) => partition < (this.o.partitions.get(t) ?? 0))
      .map((t) => tpKey(t, partition));
  }

  get #exactlyOnce(): boolean {
    return this.o.session.isolationLevel === "read_committed";
  }

  /** The tasks these partitions belong to take their transactional ids first (exactly_once). */
  async claim(partitions: TopicPartition[]): Promise<void> {
    if (!this.o.session.claim) return;
    const ids = new Set<string>();
    for (const p of partitions) {
      const sub = this.#subOf.get(p.topic);
      if (sub) ids.add(taskId(sub.id, p.partition));
    }
    if (ids.size > 0) await this.o.session.claim([...ids]);
  }

  async assigned(partitions: AssignedPartition[]): Promise<void> {
    for (const p of partitions) this.#owned.set(tpKey(p.topic, p.partition), p.metadata);
    const candidates = new Map<string, { sub: SubtopologySpec; partition: number }>();
    for (const p of partitions) {
      const sub = this.#subOf.get(p.topic);
      if (sub) candidates.set(taskId(sub.id, p.partition), { sub, partition: p.partition });
    }
    for (const [id, { sub, partition }] of candidates) {
      if (this.#tasks.has(id)) continue;
      const inputs = this.#inputsOf(sub, partition);
      // A task starts only with all of its inputs: the rest may still be on their way from another member.
      if (inputs.every((k) => this.#owned.has(k))) await this.#open(sub, partition, inputs);
    }
  }

  async #open(sub: SubtopologySpec, partition: number, inputs: string[]): Promise<void> {
    const id = taskId(sub.id, partition);
    const o = this.o;
    const stores = new Map<string, BytesStore | PersistentBytesStore>();
    const changelogEnd = new Map<string, number>();
    for (const name of sub.stores) {
      const spec = o.topology.stores.get(name)!;
      const bytes = o.backend.open(spec, id, partition);
      stores.set(name, bytes);
      if (!spec.logging) continue;
      // A local copy closed cleanly resumes from its checkpoint; anything else is rebuilt whole.
      const cp = isPersistent(bytes) ? bytes.checkpoint() : null;
      const from = cp?.clean ? cp.offset : 0;
      if (from === 0) bytes.clear();
      // Under exactly_once only committed changelog writes: what an aborted transaction wrote never happened.
      const changelog = changelogTopic(o.applicationId, name);
      const isolation = o.session.isolationLevel;
      const end = await restorePartition(o.http, changelog, partition, from, isolation, (r) => {
        if (r.key !== null) restoreInto(bytes, r.key, r.value, r.timestamp);
      });
      changelogEnd.set(name, end);
      // From here on the local copy runs ahead of any checkpoint until it is closed cleanly.
      if (isPersistent(bytes)) bytes.setCheckpoint({ offset: end, clean: false });
    }
    const task = new StreamTask(
      {
        applicationId: o.applicationId,
        topology: o.topology,
        defaultKeySerde: o.defaults.key,
        defaultValueSerde: o.defaults.value,
        collector: {
          send: (r) => {
            const store = this.#changelogs.get(r.topic);
            o.session.send(
              id,
              r,
              store === undefined
                ? undefined
                : (offset) => changelogEnd.set(store, Math.max(changelogEnd.get(store) ?? 0, offset + 1)),
            );
          },
        },
        bytesStore: (spec) => stores.get(spec.name)!,
        deserializationExceptionHandler: o.deserializationExceptionHandler,
        logger: o.logger,
        now: o.now,
        globalStores: o.globals.stores,
      },
      sub,
      partition,
      (t) => this.#name(t),
    );
    for (const k of inputs) task.restoreStreamTime(streamTimeFrom(this.#owned.get(k) ?? null));
    this.#tasks.set(id, { task, inputs, changelogEnd, stores });
    for (const k of inputs) this.#byInput.set(k, id);
  }

  hasUncommittedOutput(): boolean {
    return this.o.session.hasOpenTransactions?.() ?? false;
  }

  fetchable(tp: TopicPartition): boolean {
    return this.#byInput.has(tpKey(tp.topic, tp.partition));
  }

  async process(batch: MemberBatch): Promise<void> {
    const id = this.#byInput.get(tpKey(batch.topic, batch.partition));
    const live = id === undefined ? undefined : this.#tasks.get(id);
    if (!live) return;
    for (const r of batch.records) live.task.process({ ...r, topic: batch.topic, partition: batch.partition });
    await this.o.session.pump();
  }

  async commit(offsets: PartitionOffset[], commitOffsets: CommitOffsets, group: GroupMetadata): Promise<CommitOutcome> {
    for (const { task } of this.#tasks.values()) task.expireStores();
    const withTime = offsets.map((o): TaskOffsets => {
      const id = this.#byInput.get(tpKey(o.topic, o.partition));
      const task = id === undefined ? undefined : this.#tasks.get(id)?.task;
      const metadata = task && task.streamTime >= 0 ? streamTimeMetadata(task.streamTime) : o.metadata;
      return { ...o, metadata, ...(id !== undefined ? { taskId: id } : {}) };
    });
    try {
      await this.o.session.commit(withTime, commitOffsets, group);
    } catch (e) {
      if (!this.#exactlyOnce || !(e instanceof EdgelogError) || MEMBER_FENCED.has(e.code)) throw e;
      // Kafka Streams' TaskCorrupted/TaskMigrated: the transaction aborted (fenced, timed out, a
      // write failed), so the tasks' state since the last commit is dropped and restored.
      this.o.logger.warn(`a transaction aborted (${e.code}: ${e.message}); tasks resume from their last commit`);
      return "rewind";
    }
  }

  async revoked(partitions: TopicPartition[], lost: boolean): Promise<void> {
    const closing = new Set<string>();
    for (const p of partitions) {
      const k = tpKey(p.topic, p.partition);
      this.#owned.delete(k);
      const id = this.#byInput.get(k);
      if (id !== undefined) closing.add(id);
    }
    for (const id of closing) {
      const live = this.#tasks.get(id);
      if (!live) continue;
      live.task.close();
      for (const k of live.inputs) this.#byInput.delete(k);
      this.#tasks.delete(id);
      if (lost) continue;
      // Closed after its final commit: the local copy matches the changelog up to its end.
      for (const [name, bytes] of live.stores) {
        const end = live.changelogEnd.get(name);
        if (isPersistent(bytes) && end !== undefined) bytes.setCheckpoint({ offset: end, clean: true });
      }
    }
    if (closing.size > 0) await this.o.session.abandon([...closing]);
  }

  async tick(now: number): Promise<void> {
    for (const { task } of this.#tasks.values()) task.punctuateWallClock(now);
    await this.o.session.pump();
    await this.o.globals.poll();
  }
}
