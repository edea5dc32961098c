// TopologyTestDriver (Kafka's model): pipes records into a topology and reads its outputs and stores
// in a unit test, with no server. Every topic has one partition; records written to internal topics
// are processed at once, in order, before pipeInput returns.

import { EdgelogError } from "../protocol/errors.js";
import type { RawRecord } from "./records.js";
import { resolveSerde, Serdes, type Serde, type SerdeDefaults } from "./serdes.js";
import { TestInputTopic, TestOutputTopic } from "./test-topics.js";
import { MemoryBytesStore } from "./state/memory.js";
import type {
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionStore,
  StoreInstance,
  WindowStore,
} from "./state/stores.js";
import {
  openStore,
  StreamTask,
  type DeserializationExceptionHandler,
  type Logger,
  type OutgoingRecord,
} from "./runtime/task.js";
import { changelogTopic, topicName, type TopicRef } from "./topology/specs.js";
import type { Topology } from "./topology/topology.js";

export interface TestDriverOptions {
  applicationId?: string;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  /** The mocked wall clock's start (ms); default now. */
  initialWallClockTimeMs?: number;
  logger?: Logger;
}

export class TopologyTestDriver {
  readonly applicationId: string;
  readonly #defaults: SerdeDefaults;
  readonly #tasks: StreamTask[] = [];
  /** Server-side topic name → the task reading it. */
  readonly #readers = new Map<string, StreamTask>();
  readonly #globals = new Map<string, StoreInstance>();
  readonly #globalByTopic = new Map<string, StoreInstance>();
  readonly #outputs = new Map<string, OutgoingRecord[]>();
  readonly #offsets = new Map<string, number>();
  readonly #pending: RawRecord[] = [];
  #now: number;
  #processing = false;

  constructor(
    readonly topology: Topology,
    opts: TestDriverOptions = {},
  ) {
    this.applicationId = opts.applicationId ?? "test-driver";
    this.#now = opts.initialWallClockTimeMs ?? Date.now();
    this.#defaults = { key: opts.defaultKeySerde ?? Serdes.String(), value: opts.defaultValueSerde ?? Serdes.JSON() };
    const logger = opts.logger ?? { warn: () => {}, error: () => {} };
    const name = (t: TopicRef) => topicName(t, this.applicationId);
    for (const g of topology.globals) {
      const store = openStore(
        g.store,
        new MemoryBytesStore(),
        null,
        { recordTimestamp: () => 0 },
        g.topic,
        this.#defaults,
      );
      this.#globals.set(g.store.name, store);
      this.#globalByTopic.set(g.topic, store);
    }
    for (const sub of topology.subtopologies) {
      const task = new StreamTask(
        {
          applicationId: this.applicationId,
          topology,
          defaultKeySerde: this.#defaults.key,
          defaultValueSerde: this.#defaults.value,
          collector: { send: (r) => this.#collect(r) },
          bytesStore: () => new MemoryBytesStore(),
          deserializationExceptionHandler: opts.deserializationExceptionHandler ?? "logAndFail",
          logger,
          now: () => this.#now,
          globalStores: this.#globals,
        },
        sub,
        0,
        name,
      );
      this.#tasks.push(task);
      for (const t of sub.sources) this.#readers.set(name(t), task);
    }
  }

  #collect(r: OutgoingRecord): void {
    (this.#outputs.get(r.topic) ?? this.#outputs.set(r.topic, []).get(r.topic)!).push(r);
    // Internal topics, and output topics the topology also reads, flow back in.
    if (this.#readers.has(r.topic) || this.#globalByTopic.has(r.topic)) {
      this.#pending.push({ ...r, partition: 0, offset: this.#nextOffset(r.topic) });
    }
  }

  #nextOffset(topic: string): number {
    const n = this.#offsets.get(topic) ?? 0;
    this.#offsets.set(topic, n + 1);
    return n;
  }

  /** Feeds one record in and everything it causes downstream, repartition hops included. */
  #pipe(raw: Omit<RawRecord, "offset" | "partition">): void {
    this.#pending.push({ ...raw, partition: 0, offset: this.#nextOffset(raw.topic) });
    this.#drain();
  }

  #drain(): void {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#pending.length > 0) {
        const r = this.#pending.shift()!;
        const global = this.#globalByTopic.get(r.topic);
        if (global) {
          if (r.key !== null) global.restore(r.key, r.value, r.timestamp);
          continue;
        }
        const task = this.#readers.get(r.topic);
        if (!task) {
          throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `the topology reads no topic ${r.topic}`);
        }
        task.process(r);
      }
    } finally {
      this.#processing = false;
      this.#pending.length = 0;
    }
  }

  createInputTopic<K = string, V = unknown>(
    topic: string,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    opts: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    if (!this.#readers.has(topic) && !this.#globalByTopic.has(topic)) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `the topology reads no topic ${topic}`);
    }
    return new TestInputTopic<K, V>(
      topic,
      resolveSerde(keySerde, this.#defaults, "key"),
      resolveSerde(valueSerde, this.#defaults, "value"),
      opts.startTimestampMs ?? this.#now,
      opts.autoAdvanceMs ?? 0,
      (r) => this.#pipe(r),
    );
  }

  createOutputTopic<K = string, V = unknown>(
    topic: string,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): TestOutputTopic<K, V> {
    return new TestOutputTopic<K, V>(
      topic,
      resolveSerde(keySerde, this.#defaults, "key"),
      resolveSerde(valueSerde, this.#defaults, "value"),
      () => this.#outputs.get(topic) ?? this.#outputs.set(topic, []).get(topic)!,
    );
  }

  /** Records written to a store's changelog so far (what a restore would replay), oldest first. */
  changelog(store: string): OutgoingRecord[] {
    return [...(this.#outputs.get(changelogTopic(this.applicationId, store)) ?? [])];
  }

  /** Topics the topology has written to (outputs, repartition topics, changelogs). */
  producedTopicNames(): string[] {
    return [...this.#outputs.keys()].filter((t) => (this.#outputs.get(t)?.length ?? 0) > 0);
  }

  #store(name: string): StoreInstance {
    const global = this.#globals.get(name);
    if (global) return global;
    for (const t of this.#tasks) {
      const s = t.stores.get(name);
      if (s) return s;
    }
    throw new EdgelogError("UNKNOWN_STATE_STORE", `the topology has no state store ${name}`);
  }

  getStateStore(name: string): StoreInstance {
    return this.#store(name);
  }

  getKeyValueStore<K = string, V = unknown>(name: string): ReadOnlyKeyValueStore<K, V> & KeyValueStore<K, V> {
    return this.#typed(name, "keyValue") as unknown as KeyValueStore<K, V>;
  }

  getWindowStore<K = string, V = unknown>(name: string): ReadOnlyWindowStore<K, V> & WindowStore<K, V> {
    return this.#typed(name, "window") as unknown as WindowStore<K, V>;
  }

  getSessionStore<K = string, V = unknown>(name: string): ReadOnlySessionStore<K, V> & SessionStore<K, V> {
    return this.#typed(name, "session") as unknown as SessionStore<K, V>;
  }

  #typed(name: string, type: StoreInstance["type"]): StoreInstance {
    const s = this.#store(name);
    if (s.type !== type)
      throw new EdgelogError("UNKNOWN_STATE_STORE", `state store ${name} is a ${s.type} store, not a ${type} store`);
    return s;
  }

  /** Moves the mocked wall clock on and fires the wall-clock punctuators that came due. */
  advanceWallClockTime(ms: number): void {
    this.#now += ms;
    this.#processing = true;
    try {
      for (const t of this.#tasks) t.punctuateWallClock(this.#now);
    } finally {
      this.#processing = false;
    }
    this.#drain();
  }

  close(): void {
    for (const t of this.#tasks) t.close();
  }
}

export { TestInputTopic, TestOutputTopic, type TestRecord } from "./test-topics.js";
