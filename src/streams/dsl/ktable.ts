// KTable (a changelog stream: the latest value per key) and GlobalKTable (a full copy per instance).

import { EdgelogError } from "../../protocol/errors.js";
import { tableSourceProcessor } from "../processors/aggregate.js";
import {
  tableTableJoinGetter,
  tableTableJoinProcessor,
  type JoinMode,
  type ValueGetterSupplier,
} from "../processors/joins.js";
import {
  passThroughProcessor,
  tableFilterProcessor,
  tableMapValuesProcessor,
  tableRepartitionMapProcessor,
  toStreamProcessor,
} from "../processors/stateless.js";
import { suppressProcessor } from "../processors/suppress.js";
import { Serdes, type Serde } from "../serdes.js";
import type { KeyValueStore } from "../state/stores.js";
import type { Graph } from "./graph.js";
import { KGroupedTable } from "./grouped.js";
import { KStream } from "./kstream.js";
import type { Grouped, Materialized, Suppression } from "./options.js";

/** A store-backed getter: the row as the store holds it. */
export function storeGetter<K, V>(store: string): ValueGetterSupplier<K, V> {
  return (ctx) => {
    const kv = ctx.getStateStore<KeyValueStore<K, V>>(store);
    return (key) => kv.getWithTimestamp(key);
  };
}

export class KTable<K, V> {
  /** @internal */
  constructor(
    readonly graph: Graph,
    readonly node: string,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    /** Reads a row's current value (for joins against this table). */
    readonly getter: ValueGetterSupplier<K, V>,
    /** The stores that getter reads: a join reading it must run in the same task. */
    readonly getterStores: string[],
    /** The store a query can read this table from (null: not materialized). */
    readonly queryableStoreName: string | null,
    /** Windowed results: how long after a window's end its result may still change, and the grouping key's serde. */
    readonly windowed?: { suppressDurationMs: number; innerKeySerde?: Serde<unknown> },
  ) {}

  /** @internal a table materialized in `store` (sources, aggregations). */
  static materialized<K, V>(
    graph: Graph,
    node: string,
    store: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
  ): KTable<K, V> {
    return new KTable(graph, node, keySerde, valueSerde, storeGetter(store), [store], store);
  }

  #derive<V2>(
    prefix: string,
    supplier: () => any,
    getter: ValueGetterSupplier<K, V2>,
    valueSerde: Serde<V2> | undefined,
    materialized?: Materialized<K, V2>,
  ): KTable<K, V2> {
    const g = this.graph;
    const node = g.addProcessor(g.name(prefix), [this.node], supplier);
    if (!materialized?.name)
      return new KTable<K, V2>(g, node, this.keySerde, valueSerde, getter, this.getterStores, null);
    return this.#materialize(node, materialized, valueSerde);
  }

  /** Keeps a copy of this table's rows in a named store (queryable, joinable without recomputation). */
  #materialize<V2>(node: string, m: Materialized<K, V2>, valueSerde: Serde<V2> | undefined): KTable<K, V2> {
    const g = this.graph;
    const store = m.name!;
    g.addStore({
      name: store,
      type: "keyValue",
      keySerde: (m.keySerde ?? this.keySerde) as Serde<unknown>,
      valueSerde: (m.valueSerde ?? valueSerde) as Serde<unknown>,
      logging: m.logging ?? true,
      queryable: true,
      changelogConfig: m.changelogConfig,
    });
    const mat = g.addProcessor(
      g.name("KTABLE-MATERIALIZE"),
      [node],
      () => {
        let kv: KeyValueStore<K, V2>;
        let ctx: { forward(r: unknown): void };
        return {
          init(c: any) {
            ctx = c;
            kv = c.getStateStore(store);
          },
          process(r: any) {
            kv.put(r.key, r.value.newValue, r.timestamp);
            ctx.forward(r);
          },
        };
      },
      [store],
    );
    return KTable.materialized(g, mat, store, m.keySerde ?? this.keySerde, m.valueSerde ?? valueSerde);
  }

  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, false, materialized);
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, true, materialized);
  }

  #filter(predicate: (key: K, value: V) => boolean, not: boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    const parent = this.getter;
    const getter: ValueGetterSupplier<K, V> = (ctx) => {
      const get = parent(ctx);
      return (key) => {
        const v = get(key);
        return v && predicate(key, v.value) !== not ? v : undefined;
      };
    };
    return this.#derive("KTABLE-FILTER", tableFilterProcessor(predicate, not), getter, this.valueSerde, materialized);
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, materialized?: Materialized<K, V2>): KTable<K, V2> {
    const parent = this.getter;
    const getter: ValueGetterSupplier<K, V2> = (ctx) => {
      const get = parent(ctx);
      return (key) => {
        const v = get(key);
        return v ? { value: mapper(v.value, key), timestamp: v.timestamp } : undefined;
      };
    };
    return this.#derive("KTABLE-MAPVALUES", tableMapValuesProcessor(mapper), getter, undefined, materialized);
  }

  /** The table's changes as a stream: each update's new value, a tombstone (null) for a delete. */
  toStream(): KStream<K, V | null>;
  toStream<K2, V2>(mapper: (key: K, value: V | null) => [K2, V2 | null]): KStream<K2, V2 | null>;
  toStream(mapper?: (key: K, value: V | null) => [any, any]): KStream<any, any> {
    const g = this.graph;
    const node = g.addProcessor(g.name("KTABLE-TOSTREAM"), [this.node], toStreamProcessor(mapper));
    return mapper
      ? new KStream(g, node, undefined, undefined, true)
      : new KStream(g, node, this.keySerde as Serde<unknown>, this.valueSerde as Serde<unknown>, false);
  }

  /** Table-table join: a row exists where both tables have the key. */
  join<VO, R>(
    other: KTable<K, VO>,
    joiner: (value: V, other: VO, key: K) => R,
    materialized?: Materialized<K, R>,
  ): KTable<K, R> {
    return this.#join("inner", other, joiner as never, materialized);
  }

  /** Table-table left join: a row for every row of this table, joined with the other's value or null. */
  leftJoin<VO, R>(
    other: KTable<K, VO>,
    joiner: (value: V, other: VO | null, key: K) => R,
    materialized?: Materialized<K, R>,
  ): KTable<K, R> {
    return this.#join("left", other, joiner as never, materialized);
  }

  /** Table-table outer join: a row wherever either table has the key. */
  outerJoin<VO, R>(
    other: KTable<K, VO>,
    joiner: (value: V | null, other: VO | null, key: K) => R,
    materialized?: Materialized<K, R>,
  ): KTable<K, R> {
    return this.#join("outer", other, joiner, materialized);
  }

  #join<VO, R>(
    mode: JoinMode,
    other: KTable<K, VO>,
    joiner: (value: V | null, other: VO | null, key: K) => R,
    materialized?: Materialized<K, R>,
  ): KTable<K, R> {
    if (this.windowed || other.windowed) {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        "windowed tables cannot be joined as tables; join their toStream() instead",
      );
    }
    const g = this.graph;
    const stores = [...new Set([...this.getterStores, ...other.getterStores])];
    const l = g.addProcessor(
      g.name("KTABLE-JOINTHIS"),
      [this.node],
      tableTableJoinProcessor("left", other.getter, joiner, mode),
      stores,
    );
    const r = g.addProcessor(
      g.name("KTABLE-JOINOTHER"),
      [other.node],
      tableTableJoinProcessor("right", this.getter, joiner, mode),
      stores,
    );
    const merged = g.addProcessor(g.name("KTABLE-MERGE"), [l, r], passThroughProcessor(), stores);
    g.copartition(this.node, other.node);
    const getter = tableTableJoinGetter(this.getter, other.getter, joiner, mode);
    const joinedTable = new KTable<K, R>(g, merged, this.keySerde, undefined, getter, stores, null);
    return materialized?.name ? joinedTable.#materialize(merged, materialized, undefined) : joinedTable;
  }

  /** Re-groups rows by a new key; aggregations subtract a row's old value and add its new one. */
  groupBy<K2, V2>(selector: (key: K, value: V) => [K2, V2], grouped: Grouped<K2, V2> = {}): KGroupedTable<K2, V2> {
    const g = this.graph;
    const node = g.addProcessor(g.name("KTABLE-SELECT"), [this.node], tableRepartitionMapProcessor(selector));
    return new KGroupedTable<K2, V2>(g, node, grouped);
  }

  /** Final results of a windowed aggregation: each window once, when it closes. */
  suppress(suppression: Suppression): KTable<K, V> {
    if (suppression.kind !== "untilWindowCloses") {
      throw new EdgelogError("INVALID_TOPOLOGY", `unsupported suppression ${JSON.stringify(suppression)}`);
    }
    if (!this.windowed) {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        "suppress(untilWindowCloses) needs a windowed aggregation's table (groupBy(...).windowedBy(...).count())",
      );
    }
    const g = this.graph;
    const name = g.name("KTABLE-SUPPRESS", suppression.name);
    const store = `${name}-store`;
    g.addStore({
      name: store,
      type: "keyValue",
      keySerde: Serdes.Bytes() as Serde<unknown>,
      valueSerde: Serdes.Bytes() as Serde<unknown>,
      logging: true,
      queryable: false,
    });
    const node = g.addProcessor(
      name,
      [this.node],
      suppressProcessor(
        store,
        this.windowed.suppressDurationMs,
        this.windowed.innerKeySerde,
        this.valueSerde as Serde<unknown>,
      ),
      [store],
    );
    // A suppressed table holds no rows of its own to look up; its output is its stream.
    const getter: ValueGetterSupplier<K, V> = () => () => {
      throw new EdgelogError("INVALID_TOPOLOGY", "a suppressed table cannot be joined or looked up; use toStream()");
    };
    return new KTable<K, V>(g, node, this.keySerde, this.valueSerde, getter, [], null);
  }
}

/** A table every instance holds whole; stream joins look it up by any key, without co-partitioning. */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    readonly storeName: string,
    readonly getter: ValueGetterSupplier<K, V>,
  ) {}
}

export function tableSource<K, V>(
  graph: Graph,
  sourceNode: string,
  store: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KTable<K, V> {
  const node = graph.addProcessor(graph.name("KTABLE-SOURCE"), [sourceNode], tableSourceProcessor(store), [store]);
  return KTable.materialized(graph, node, store, keySerde, valueSerde);
}
