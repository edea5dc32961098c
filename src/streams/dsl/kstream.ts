// KStream: a record stream and its operators, each adding a node to the topology (Kafka's names).

import { EdgelogError } from "../../protocol/errors.js";
import type { ProcessorSupplier } from "../processors/api.js";
import { streamTableJoinProcessor, type JoinMode } from "../processors/joins.js";
import { toTableProcessor } from "../processors/aggregate.js";
import {
  branchProcessor,
  filterProcessor,
  flatMapProcessor,
  flatMapValuesProcessor,
  mapProcessor,
  mapValuesProcessor,
  passThroughProcessor,
  peekProcessor,
  selectKeyProcessor,
} from "../processors/stateless.js";
import type { Serde } from "../serdes.js";
import type { TopicExtractor } from "../topology/specs.js";
import type { JoinWindows } from "../windows.js";
import { BranchedKStream } from "./branched.js";
import type { Graph } from "./graph.js";
import { KGroupedStream } from "./grouped.js";
import { GlobalKTable, KTable } from "./ktable.js";
import type { Grouped, Joined, Materialized, Produced, Repartitioned } from "./options.js";
import { streamStreamJoin } from "./stream-join.js";

export class KStream<K, V> {
  /** @internal */
  constructor(
    readonly graph: Graph,
    readonly node: string,
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    /** A key-changing operation ran since the last source: a key-based operation must repartition first. */
    readonly repartitionRequired = false,
  ) {}

  #next<K2, V2>(
    prefix: string,
    supplier: ProcessorSupplier<any, any, any, any>,
    opts: { keyChanged: boolean; valueChanged: boolean; name?: string; stores?: string[] },
  ): KStream<K2, V2> {
    const name = this.graph.addProcessor(this.graph.name(prefix, opts.name), [this.node], supplier, opts.stores);
    return new KStream<K2, V2>(
      this.graph,
      name,
      (opts.keyChanged ? undefined : this.keySerde) as Serde<K2> | undefined,
      (opts.valueChanged ? undefined : this.valueSerde) as Serde<V2> | undefined,
      this.repartitionRequired || opts.keyChanged,
    );
  }

  map<K2, V2>(mapper: (key: K, value: V) => [K2, V2], named?: string): KStream<K2, V2> {
    return this.#next("KSTREAM-MAP", mapProcessor(mapper), { keyChanged: true, valueChanged: true, name: named });
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: string): KStream<K, V2> {
    return this.#next("KSTREAM-MAPVALUES", mapValuesProcessor(mapper), {
      keyChanged: false,
      valueChanged: true,
      name: named,
    });
  }

  filter(predicate: (key: K, value: V) => boolean, named?: string): KStream<K, V> {
    return this.#next("KSTREAM-FILTER", filterProcessor(predicate), {
      keyChanged: false,
      valueChanged: false,
      name: named,
    });
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: string): KStream<K, V> {
    return this.#next("KSTREAM-FILTER", filterProcessor(predicate, true), {
      keyChanged: false,
      valueChanged: false,
      name: named,
    });
  }

  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<[K2, V2]>, named?: string): KStream<K2, V2> {
    return this.#next("KSTREAM-FLATMAP", flatMapProcessor(mapper), {
      keyChanged: true,
      valueChanged: true,
      name: named,
    });
  }

  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: string): KStream<K, V2> {
    return this.#next("KSTREAM-FLATMAPVALUES", flatMapValuesProcessor(mapper), {
      keyChanged: false,
      valueChanged: true,
      name: named,
    });
  }

  selectKey<K2>(selector: (key: K, value: V) => K2, named?: string): KStream<K2, V> {
    return this.#next("KSTREAM-KEY-SELECT", selectKeyProcessor(selector), {
      keyChanged: true,
      valueChanged: false,
      name: named,
    });
  }

  peek(action: (key: K, value: V) => void, named?: string): KStream<K, V> {
    return this.#next("KSTREAM-PEEK", peekProcessor(action), { keyChanged: false, valueChanged: false, name: named });
  }

  /** A terminal action per record. */
  foreach(action: (key: K, value: V) => void, named?: string): void {
    this.#next("KSTREAM-FOREACH", peekProcessor(action, false), {
      keyChanged: false,
      valueChanged: false,
      name: named,
    });
  }

  /** One stream per predicate; a record goes to the first that matches (none matching: dropped). */
  branch(...predicates: ((key: K, value: V) => boolean)[]): KStream<K, V>[] {
    if (predicates.length === 0) throw new EdgelogError("INVALID_TOPOLOGY", "branch() needs at least one predicate");
    const g = this.graph;
    const branchName = g.name("KSTREAM-BRANCH");
    const children = predicates.map(() => g.name("KSTREAM-BRANCHCHILD"));
    g.addProcessor(
      branchName,
      [this.node],
      branchProcessor(predicates.map((predicate, i) => ({ predicate, child: children[i]! }))),
    );
    return children.map((c) => {
      g.addProcessor(c, [branchName], passThroughProcessor());
      return new KStream<K, V>(g, c, this.keySerde, this.valueSerde, this.repartitionRequired);
    });
  }

  /** Kafka's split(): named branches, collected by name (`<prefix><name>`, or the branch's 1-based index). */
  split(opts: { name?: string } = {}): BranchedKStream<K, V> {
    return new BranchedKStream(this, opts.name ?? "");
  }

  merge(other: KStream<K, V>, named?: string): KStream<K, V> {
    const name = this.graph.addProcessor(
      this.graph.name("KSTREAM-MERGE", named),
      [this.node, other.node],
      passThroughProcessor(),
    );
    return new KStream<K, V>(
      this.graph,
      name,
      this.keySerde === other.keySerde ? this.keySerde : undefined,
      this.valueSerde === other.valueSerde ? this.valueSerde : undefined,
      this.repartitionRequired || other.repartitionRequired,
    );
  }

  /** Writes every record to `topic` (or the topic `extractor` picks per record). */
  to(
    topic: string | ((key: K, value: V, record: { timestamp: number }) => string),
    produced: Produced<K, V> = {},
  ): void {
    this.graph.addSink({
      name: this.graph.name("KSTREAM-SINK", produced.name),
      parents: [this.node],
      topic: typeof topic === "string" ? { name: topic, internal: false } : (topic as TopicExtractor),
      keySerde: (produced.keySerde ?? this.keySerde) as Serde<unknown> | undefined,
      valueSerde: (produced.valueSerde ?? this.valueSerde) as Serde<unknown> | undefined,
      partitioner: produced.partitioner as never,
    });
  }

  /** Writes through an internal topic `<applicationId>-<name>-repartition`, partitioned by the current key. */
  repartition(opts: Repartitioned<K, V> = {}): KStream<K, V> {
    const keySerde = opts.keySerde ?? this.keySerde;
    const valueSerde = opts.valueSerde ?? this.valueSerde;
    const source = this.graph.repartition(
      this.node,
      opts.name ?? this.graph.name("KSTREAM-REPARTITION"),
      keySerde as Serde<unknown>,
      valueSerde as Serde<unknown>,
      opts.numberOfPartitions,
    );
    return new KStream<K, V>(this.graph, source, keySerde, valueSerde, false);
  }

  /** Runs a Processor API processor on each record; it may use the named stores (added with addStateStore). */
  process<K2 = K, V2 = V>(
    supplier: ProcessorSupplier<K, V, K2, V2>,
    stores: string[] = [],
    named?: string,
  ): KStream<K2, V2> {
    return this.#next("KSTREAM-PROCESSOR", supplier, { keyChanged: true, valueChanged: true, name: named, stores });
  }

  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream(this, grouped);
  }

  /** Groups by a new key: the aggregation reads through a repartition topic. */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped: Grouped<K2, V> = {}): KGroupedStream<K2, V> {
    const keyed = this.#next<K2, V>("KSTREAM-KEY-SELECT", selectKeyProcessor(selector), {
      keyChanged: true,
      valueChanged: false,
    });
    return new KGroupedStream(keyed, grouped);
  }

  /** Each record becomes its key's row (a null value deletes it). */
  toTable(materialized: Materialized<K, V> = {}): KTable<K, V> {
    const input = this.#repartitioned(materialized.name ? `${materialized.name}` : undefined);
    const store = materialized.name ?? this.graph.name("KSTREAM-TOTABLE-STATE-STORE");
    this.graph.addStore({
      name: store,
      type: "keyValue",
      keySerde: (materialized.keySerde ?? input.keySerde) as Serde<unknown>,
      valueSerde: (materialized.valueSerde ?? input.valueSerde) as Serde<unknown>,
      logging: materialized.logging ?? true,
      queryable: true,
      changelogConfig: materialized.changelogConfig,
    });
    const node = this.graph.addProcessor(this.graph.name("KSTREAM-TOTABLE"), [input.node], toTableProcessor(store), [
      store,
    ]);
    return KTable.materialized(
      this.graph,
      node,
      store,
      materialized.keySerde ?? input.keySerde,
      materialized.valueSerde ?? input.valueSerde,
    );
  }

  /** This stream, repartitioned first if a key-changing operation requires it. */
  #repartitioned(name?: string): KStream<K, V> {
    if (!this.repartitionRequired) return this;
    return this.repartition({ name: name ?? this.graph.name("KSTREAM-REPARTITION") });
  }

  /**
   * Joins with a table (inner: records whose key the table lacks are dropped), or with a global
   * table through `keySelector`, or with another stream within `windows`.
   */
  join<VT, R>(
    table: KTable<NonNullable<K>, VT>,
    joiner: (value: V, tableValue: VT, key: K) => R,
    joined?: Joined<K, V, VT>,
  ): KStream<K, R>;
  join<KG, VG, R>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, tableValue: VG, key: K) => R,
  ): KStream<K, R>;
  join<VO, R>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => R,
    windows: JoinWindows,
    joined?: Joined<K, V, VO>,
  ): KStream<K, R>;
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.#join("inner", other, a, b, c);
  }

  /** As join, keeping records without a partner (joined with null). */
  leftJoin<VT, R>(
    table: KTable<NonNullable<K>, VT>,
    joiner: (value: V, tableValue: VT | null, key: K) => R,
    joined?: Joined<K, V, VT>,
  ): KStream<K, R>;
  leftJoin<KG, VG, R>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, tableValue: VG | null, key: K) => R,
  ): KStream<K, R>;
  leftJoin<VO, R>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => R,
    windows: JoinWindows,
    joined?: Joined<K, V, VO>,
  ): KStream<K, R>;
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.#join("left", other, a, b, c);
  }

  /** Windowed stream-stream outer join: records of either side without a partner are joined with null. */
  outerJoin<VO, R>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => R,
    windows: JoinWindows,
    joined?: Joined<K, V, VO>,
  ): KStream<K, R> {
    return this.#join("outer", other, joiner, windows, joined) as KStream<K, R>;
  }

  #join(mode: JoinMode, other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    if (other instanceof GlobalKTable) {
      if (mode === "outer")
        throw new EdgelogError("INVALID_TOPOLOGY", "a stream cannot be outer-joined with a global table");
      const name = this.graph.addProcessor(
        this.graph.name("KSTREAM-JOIN"),
        [this.node],
        streamTableJoinProcessor(other.getter, b as never, mode === "left", a as never),
        [other.storeName],
      );
      return new KStream(this.graph, name, this.keySerde, undefined, this.repartitionRequired);
    }
    if (other instanceof KTable) {
      if (mode === "outer") throw new EdgelogError("INVALID_TOPOLOGY", "a stream cannot be outer-joined with a table");
      const joined = (b ?? {}) as Joined<K, V, unknown>;
      const input = this.#repartitioned(joined.name ? `${joined.name}-left` : undefined);
      const name = this.graph.addProcessor(
        this.graph.name("KSTREAM-JOIN", joined.name),
        [input.node],
        streamTableJoinProcessor(other.getter, a as never, mode === "left"),
        other.getterStores,
      );
      this.graph.copartition(input.node, other.node);
      return new KStream(this.graph, name, input.keySerde, undefined, false);
    }
    if (other instanceof KStream)
      return this.#streamJoin(mode, other, a as never, b as JoinWindows, (c ?? {}) as Joined<K, V, unknown>);
    throw new EdgelogError("INVALID_TOPOLOGY", "join() takes a KTable, a GlobalKTable or a KStream");
  }

  #streamJoin(
    mode: JoinMode,
    other: KStream<K, unknown>,
    joiner: (l: unknown, r: unknown, key: K) => unknown,
    windows: JoinWindows,
    joined: Joined<K, V, unknown>,
  ): KStream<K, unknown> {
    if (!windows || (windows as { kind?: string }).kind !== "join") {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        "a stream-stream join needs JoinWindows (JoinWindows.ofTimeDifferenceWithNoGrace(ms))",
      );
    }
    const left = this.#repartitioned(joined.name ? `${joined.name}-left` : undefined);
    const right = other.#repartitioned(joined.name ? `${joined.name}-right` : undefined);
    return streamStreamJoin(this.graph, left, right, mode, joiner, windows, joined) as KStream<K, unknown>;
  }
}
