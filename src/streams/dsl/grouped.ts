// Grouped streams and tables and their aggregations per key: count, reduce, aggregate (and, for
// streams, windowedBy: windowed.ts).

import { EdgelogError } from "../../protocol/errors.js";
import { streamAggregateProcessor, tableAggregateProcessor } from "../processors/aggregate.js";
import { changeSerde, Serdes, type Serde } from "../serdes.js";
import { SessionWindows, TimeWindows } from "../windows.js";
import { addStore, aggregating, counting, groupedInput, reducing, type Aggregation } from "./aggregation.js";
import type { Graph } from "./graph.js";
import type { KStream } from "./kstream.js";
import { KTable } from "./ktable.js";
import type { Grouped, Materialized } from "./options.js";
import { SessionWindowedKStream, TimeWindowedKStream } from "./windowed.js";

export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    readonly stream: KStream<K, V>,
    readonly grouped: Grouped<K, V>,
  ) {}

  /** Records per key, updated with every record. */
  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.#aggregate(counting(), materialized);
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return this.#aggregate(
      { ...reducing(reducer), valueSerde: this.grouped.valueSerde ?? this.stream.valueSerde },
      materialized,
    );
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<K, A> {
    return this.#aggregate(aggregating(initializer, aggregator), materialized);
  }

  windowedBy(windows: TimeWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof TimeWindows) return new TimeWindowedKStream(this, windows);
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this, windows);
    throw new EdgelogError("INVALID_TOPOLOGY", "windowedBy() takes TimeWindows or SessionWindows");
  }

  #aggregate<A>(agg: Aggregation<K, V, A>, m: Materialized<K, A>): KTable<K, A> {
    const graph = this.stream.graph;
    const store = m.name ?? graph.name("KSTREAM-AGGREGATE-STATE-STORE");
    const input = groupedInput(this.stream, this.grouped, store);
    const valueSerde = (m.valueSerde ?? agg.valueSerde) as Serde<unknown> | undefined;
    addStore(graph, store, "keyValue", m, input.keySerde as Serde<unknown>, valueSerde);
    const node = graph.addProcessor(
      graph.name(agg.prefix),
      [input.node],
      streamAggregateProcessor(store, agg.initializer, agg.aggregator),
      [store],
    );
    return KTable.materialized(graph, node, store, (m.keySerde ?? input.keySerde) as Serde<K>, valueSerde as Serde<A>);
  }
}

export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    readonly graph: Graph,
    /** The node emitting re-keyed changes (new and old values). */
    readonly node: string,
    readonly grouped: Grouped<K, V>,
  ) {}

  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.#aggregate(
      "KTABLE-AGGREGATE",
      () => 0,
      (_k, _v, n) => (n ?? 0) + 1,
      (_k, _v, n) => (n ?? 0) - 1,
      materialized,
      Serdes.JSON<number>(),
    );
  }

  /** `adder` folds a row's new value in, `subtractor` its old value out. */
  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    materialized: Materialized<K, V> = {},
  ): KTable<K, V> {
    return this.#aggregate(
      "KTABLE-REDUCE",
      null,
      (_k, v, agg) => (agg === null ? v : adder(agg, v)),
      (_k, v, agg) => (agg === null ? null : subtractor(agg, v)),
      materialized,
      this.grouped.valueSerde,
    );
  }

  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<K, A> {
    return this.#aggregate(
      "KTABLE-AGGREGATE",
      initializer,
      (k, v, agg) => adder(k, v, agg as A),
      (k, v, agg) => subtractor(k, v, agg as A),
      materialized,
      undefined,
    );
  }

  #aggregate<A>(
    prefix: string,
    initializer: (() => A) | null,
    adder: (key: K, value: V, aggregate: A | null) => A,
    subtractor: (key: K, value: V, aggregate: A | null) => A | null,
    m: Materialized<K, A>,
    defaultValueSerde: Serde<A> | undefined,
  ): KTable<K, A> {
    const graph = this.graph;
    const store = m.name ?? graph.name("KTABLE-AGGREGATE-STATE-STORE");
    const keySerde = this.grouped.keySerde as Serde<unknown> | undefined;
    // Table groupings always repartition: the re-keyed rows carry their old and new values.
    const source = graph.repartition(
      this.node,
      this.grouped.name ?? store,
      keySerde,
      changeSerde(this.grouped.valueSerde) as Serde<unknown>,
    );
    const valueSerde = (m.valueSerde ?? defaultValueSerde) as Serde<unknown> | undefined;
    addStore(graph, store, "keyValue", m, keySerde, valueSerde);
    const node = graph.addProcessor(
      graph.name(prefix),
      [source],
      tableAggregateProcessor(store, initializer, adder, subtractor),
      [store],
    );
    return KTable.materialized(graph, node, store, (m.keySerde ?? keySerde) as Serde<K>, valueSerde as Serde<A>);
  }
}
