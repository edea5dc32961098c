// A stream task: one sub-topology's processors for one partition, with its state stores, stream
// time and punctuation. Processing is synchronous; what the task writes leaves through a collector.

import { EdgelogError } from "../../protocol/errors.js";
import type { Cancellable, InternalProcessor, InternalProcessorContext } from "../processors/api.js";
import type { Headers, RawRecord, RecordMetadata, StreamRecord } from "../records.js";
import { deserializeNullable, resolveSerde, serializeNullable, type Serde, type SerdeDefaults } from "../serdes.js";
import type { BytesStore } from "../state/bytes.js";
import { SessionStoreImpl, WindowStoreImpl } from "../state/windowed-stores.js";
import { KeyValueStoreImpl, type ChangeLogger, type StoreContext, type StoreInstance } from "../state/stores.js";
import {
  changelogTopic,
  type SourceSpec,
  type StoreSpec,
  type SubtopologySpec,
  type TopicRef,
} from "../topology/specs.js";
import type { Topology } from "../topology/topology.js";
import { PunctuationQueue } from "./punctuation.js";

/** One record leaving a task: to a sink topic, a repartition topic or a changelog. */
export interface OutgoingRecord {
  topic: string;
  /** Unset: the producer picks it (murmur2 of the key, as Kafka's). */
  partition?: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
  headers: Headers;
}

export interface RecordCollector {
  send(record: OutgoingRecord): void;
}

export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

/** What to do with a record the source's serdes cannot read (Kafka's DeserializationExceptionHandler). */
export type DeserializationExceptionHandler =
  | "logAndFail"
  | "logAndContinue"
  | ((error: Error, record: RawRecord) => "continue" | "fail");

export interface TaskEnvironment {
  applicationId: string;
  topology: Topology;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  collector: RecordCollector;
  /** The bytes under one store of one task (memory, or the hosting object's SQLite). */
  bytesStore(store: StoreSpec, taskId: string, partition: number): BytesStore;
  deserializationExceptionHandler: DeserializationExceptionHandler;
  logger: Logger;
  now(): number;
  /** Global tables' stores, readable from every processor. */
  globalStores: ReadonlyMap<string, StoreInstance>;
}

interface RuntimeNode {
  name: string;
  process(record: StreamRecord<unknown, unknown>): void;
}

export function taskId(subtopology: number, partition: number): string {
  return `${subtopology}_${partition}`;
}

/** Builds the typed store over its bytes, logging to `logger` when given. */
export function openStore(
  spec: StoreSpec,
  bytes: BytesStore,
  logger: ChangeLogger | null,
  ctx: StoreContext,
  serdeTopic: string,
  defaults: SerdeDefaults,
): StoreInstance {
  const ks = resolveSerde(spec.keySerde, defaults, "key");
  const vs = resolveSerde(spec.valueSerde, defaults, "value");
  if (spec.type === "window")
    return new WindowStoreImpl(
      spec.name,
      bytes,
      logger,
      ctx,
      serdeTopic,
      ks,
      vs,
      spec.windowSizeMs ?? 0,
      spec.retainDuplicates ?? false,
    );
  if (spec.type === "session") return new SessionStoreImpl(spec.name, bytes, logger, ctx, serdeTopic, ks, vs);
  return new KeyValueStoreImpl(spec.name, bytes, logger, ctx, serdeTopic, ks, vs);
}

export class StreamTask {
  readonly id: string;
  /** The largest record timestamp seen (-1 before the first): what windows close by. */
  streamTime = -1;
  readonly stores = new Map<string, StoreInstance>();
  /** Server-side topic name → its source node. */
  readonly #sources = new Map<
    string,
    { spec: SourceSpec; node: RuntimeNode; key: Serde<unknown>; value: Serde<unknown> }
  >();
  readonly #processors: InternalProcessor[] = [];
  readonly #streamPunctuation = new PunctuationQueue();
  readonly #wallPunctuation = new PunctuationQueue();
  #current: RecordMetadata | null = null;
  #currentTimestamp = 0;

  constructor(
    private readonly env: TaskEnvironment,
    readonly subtopology: SubtopologySpec,
    readonly partition: number,
    /** Server-side names of topology topics. */
    topicName: (t: TopicRef) => string,
  ) {
    this.id = taskId(subtopology.id, partition);
    const topology = env.topology;
    const storeCtx: StoreContext = { recordTimestamp: () => this.#currentTimestamp };
    const defaults = { key: env.defaultKeySerde, value: env.defaultValueSerde };
    for (const name of subtopology.stores) {
      const spec = topology.stores.get(name)!;
      const changelog = spec.logging ? changelogTopic(env.applicationId, name) : null;
      const logger: ChangeLogger | null = changelog
        ? {
            log: (key, value, timestamp) =>
              env.collector.send({ topic: changelog, partition, key, value, timestamp, headers: {} }),
          }
        : null;
      const bytes = env.bytesStore(spec, this.id, partition);
      this.stores.set(name, openStore(spec, bytes, logger, storeCtx, changelog ?? name, defaults));
    }

    const nodes = new Map<string, RuntimeNode>();
    const inits: (() => void)[] = [];
    for (const name of subtopology.nodes) {
      const spec = topology.nodes.get(name)!;
      const kids = () => topology.children.get(name)!.map((c) => nodes.get(c)!);
      if (spec.kind === "source") {
        const ctx = this.#context(name, [], kids);
        const node: RuntimeNode = { name, process: (r) => ctx.forward(r) };
        nodes.set(name, node);
        const serdes = {
          key: resolveSerde(spec.keySerde, defaults, "key"),
          value: resolveSerde(spec.valueSerde, defaults, "value"),
        };
        for (const t of spec.topics) this.#sources.set(topicName(t), { spec, node, ...serdes });
      } else if (spec.kind === "processor") {
        const processor = spec.supplier();
        this.#processors.push(processor);
        nodes.set(name, { name, process: (r) => processor.process(r) });
        const ctx = this.#context(name, spec.stores, kids);
        inits.push(() => processor.init?.(ctx));
      } else {
        const ks = resolveSerde(spec.keySerde, defaults, "key");
        const vs = resolveSerde(spec.valueSerde, defaults, "value");
        nodes.set(name, {
          name,
          process: (r) => {
            const topic = typeof spec.topic === "function" ? spec.topic(r.key, r.value, r) : topicName(spec.topic);
            let key: Uint8Array | null;
            let value: Uint8Array | null;
            try {
              key = serializeNullable(ks, r.key, topic);
              value = serializeNullable(vs, r.value, topic);
            } catch (e) {
              throw new EdgelogError(
                "SERIALIZATION_EXCEPTION",
                `task ${this.id} cannot serialize a record for ${topic} (sink ${name}): ${(e as Error).message}`,
              );
            }
            const out: OutgoingRecord = { topic, key, value, timestamp: r.timestamp, headers: r.headers ?? {} };
            if (spec.partitioner) {
              const p = spec.partitioner(r.key, r.value, -1);
              if (p !== undefined) out.partition = p;
            }
            env.collector.send(out);
          },
        });
      }
    }
    for (const init of inits) init();
  }

  #context(name: string, storeNames: readonly string[], children: () => RuntimeNode[]): InternalProcessorContext {
    const env = this.env;
    const allowed = new Set(storeNames);
    let kids: RuntimeNode[] | undefined;
    return {
      applicationId: env.applicationId,
      taskId: this.id,
      defaultKeySerde: env.defaultKeySerde,
      defaultValueSerde: env.defaultValueSerde,
      warn: (m) => env.logger.warn(`task ${this.id}: ${m}`),
      recordMetadata: () => this.#current,
      currentStreamTimeMs: () => this.streamTime,
      currentSystemTimeMs: () => env.now(),
      forward: (record, childName) => {
        kids ??= children();
        const r = record.headers ? record : { ...record, headers: {} };
        if (childName === undefined) {
          for (const k of kids) k.process(r);
          return;
        }
        const k = kids.find((c) => c.name === childName);
        if (!k) throw new EdgelogError("INVALID_TOPOLOGY", `${name} has no child named ${childName}`);
        k.process(r);
      },
      getStateStore: <S>(store: string): S => {
        const global = env.globalStores.get(store);
        if (global) return global as S;
        if (!allowed.has(store) || !this.stores.has(store)) {
          throw new EdgelogError(
            "INVALID_TOPOLOGY",
            `processor ${name} has no access to the state store ${store}; name the store when adding the processor`,
          );
        }
        return this.stores.get(store) as S;
      },
      schedule: (intervalMs, type, fn): Cancellable => {
        if (!(intervalMs >= 1))
          throw new EdgelogError("INVALID_TOPOLOGY", "punctuation interval must be at least 1 ms");
        return type === "stream_time"
          ? this.#streamPunctuation.schedule(0, intervalMs, fn)
          : this.#wallPunctuation.schedule(env.now() + intervalMs, intervalMs, fn);
      },
    };
  }

  /** The server-side topics this task reads. */
  get inputTopics(): string[] {
    return [...this.#sources.keys()];
  }

  /** Processes one input record through the sub-topology. */
  process(raw: RawRecord): void {
    const src = this.#sources.get(raw.topic);
    if (!src) throw new EdgelogError("INVALID_REQUEST", `task ${this.id} does not read ${raw.topic}`);
    let key: unknown;
    let value: unknown;
    try {
      key = deserializeNullable(src.key, raw.key, raw.topic);
      value = deserializeNullable(src.value, raw.value, raw.topic);
    } catch (e) {
      this.#deserializationFailed(e as Error, raw);
      return;
    }
    let timestamp = raw.timestamp;
    if (src.spec.timestampExtractor) timestamp = src.spec.timestampExtractor({ ...raw, key, value });
    if (!(timestamp >= 0)) {
      this.env.logger.warn(
        `task ${this.id}: skipping the record at ${raw.topic}/${raw.partition} offset ${raw.offset}: invalid timestamp ${timestamp}`,
      );
      return;
    }
    const before = this.streamTime;
    if (timestamp > this.streamTime) this.streamTime = timestamp;
    this.#current = { topic: raw.topic, partition: raw.partition, offset: raw.offset };
    this.#currentTimestamp = timestamp;
    try {
      src.node.process({ key, value, timestamp, headers: raw.headers });
      if (this.streamTime > before) this.#streamTimeAdvanced();
    } finally {
      this.#current = null;
    }
  }

  #streamTimeAdvanced(): void {
    this.#current = null;
    for (const p of this.#processors) {
      if (p.streamTimeAdvanced) {
        this.#currentTimestamp = this.streamTime;
        p.streamTimeAdvanced(this.streamTime);
      }
    }
    this.#streamPunctuation.mayPunctuate(this.streamTime, (fire) => {
      this.#currentTimestamp = this.streamTime;
      fire();
    });
  }

  /** Restores stream time after a restart (from the committed offsets' metadata), so windows stay closed. */
  restoreStreamTime(t: number): void {
    if (t > this.streamTime) this.streamTime = t;
  }

  /** Fires the wall-clock punctuators that are due. */
  punctuateWallClock(now: number): boolean {
    return this.#wallPunctuation.mayPunctuate(now, (fire) => {
      this.#currentTimestamp = now;
      fire();
    });
  }

  /** Drops window and session entries past their retention (called at commit). */
  expireStores(): void {
    if (this.streamTime < 0) return;
    for (const [name, store] of this.stores) {
      const spec = this.env.topology.stores.get(name)!;
      if (spec.retentionMs === undefined) continue;
      const before = this.streamTime - spec.retentionMs;
      if (before <= 0) continue;
      if (store instanceof WindowStoreImpl || store instanceof SessionStoreImpl) store.expireBefore(before);
    }
  }

  close(): void {
    for (const p of this.#processors) p.close?.();
  }

  #deserializationFailed(error: Error, raw: RawRecord): void {
    const where = `${raw.topic}/${raw.partition} offset ${raw.offset}`;
    const h = this.env.deserializationExceptionHandler;
    const verdict = h === "logAndContinue" ? "continue" : h === "logAndFail" ? "fail" : h(error, raw);
    if (verdict === "continue") {
      this.env.logger.warn(
        `task ${this.id}: skipping the record at ${where}, which cannot be deserialized: ${error.message}`,
      );
      return;
    }
    throw new EdgelogError(
      "SERIALIZATION_EXCEPTION",
      `task ${this.id} cannot deserialize the record at ${where}: ${error.message}`,
    );
  }
}
