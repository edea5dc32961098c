// Grouped streams and tables and their aggregations: count, reduce, aggregate, over keys, time
// windows (tumbling, hopping) and session windows.

import { EdgelogError } from "../../protocol/errors.js";
import { streamAggregateProcessor, tableAggregateProcessor } from "../processors/aggregate.js";
import { sessionAggregateProcessor, windowAggregateProcessor } from "../processors/windowed.js";
import type { Windowed } from "../records.js";
import { changeSerde, Serdes, type Serde } from "../serdes.js";
import type { StoreType } from "../state/stores.js";
import { SessionWindows, TimeWindows } from "../windows.js";
import type { Graph } from "./graph.js";
import type { KStream } from "./kstream.js";
import { KTable } from "./ktable.js";
import type { Grouped, Materialized } from "./options.js";

/** Kafka's windowstore.changelog.additional.retention.ms: a window changelog outlives its store by a day. */
const CHANGELOG_EXTRA_RETENTION_MS = 86_400_000;

type Agg<K, V, A> = (key: K, value: V, aggregate: A | null) => A;

interface Aggregation<K, V, A> {
  prefix: string;
  initializer: (() => A) | null;
  aggregator: Agg<K, V, A>;
  valueSerde: Serde<A> | undefined;
}

/** Serdes and store settings of a grouped input, and the repartitioned node it aggregates from. */
function groupedInput<K, V>(stream: KStream<K, V>, grouped: Grouped<K, V>, storeName: string) {
  const keySerde = grouped.keySerde ?? stream.keySerde;
  const valueSerde = grouped.valueSerde ?? stream.valueSerde;
  const node = stream.repartitionRequired
    ? stream.graph.repartition(
        stream.node,
        grouped.name ?? storeName,
        keySerde as Serde<unknown>,
        valueSerde as Serde<unknown>,
      )
    : stream.node;
  return { node, keySerde, valueSerde };
}

function addStore(
  graph: Graph,
  name: string,
  type: StoreType,
  m: Materialized<any, any>,
  keySerde: Serde<unknown> | undefined,
  valueSerde: Serde<unknown> | undefined,
  window?: { sizeMs?: number; retentionMs: number },
): void {
  const changelogConfig = window
    ? {
        "cleanup.policy": "compact,delete",
        "retention.ms": window.retentionMs + CHANGELOG_EXTRA_RETENTION_MS,
        ...m.changelogConfig,
      }
    : m.changelogConfig;
  graph.addStore({
    name,
    type,
    keySerde: m.keySerde ?? keySerde,
    valueSerde: m.valueSerde ?? valueSerde,
    logging: m.logging ?? true,
    queryable: true,
    windowSizeMs: window?.sizeMs,
    retentionMs: window?.retentionMs,
    changelogConfig,
  });
}

const counting = <K, V>(): Aggregation<K, V, number> => ({
  prefix: "KSTREAM-AGGREGATE",
  initializer: () => 0,
  aggregator: (_k, _v, n) => (n ?? 0) + 1,
  valueSerde: Serdes.JSON<number>(),
});

const reducing = <K, V>(reducer: (aggregate: V, value: V) => V): Aggregation<K, V, V> => ({
  prefix: "KSTREAM-REDUCE",
  initializer: null,
  aggregator: (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
  valueSerde: undefined,
});

const aggregating = <K, V, A>(
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
): Aggregation<K, V, A> => ({
  prefix: "KSTREAM-AGGREGATE",
  initializer,
  aggregator: (k, v, agg) => aggregator(k, v, agg as A),
  valueSerde: undefined,
});

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

export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    readonly grouped: KGroupedStream<K, V>,
    readonly windows: TimeWindows,
  ) {}

  count(materialized: Materialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.#aggregate(counting(), materialized);
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<Windowed<K>, V> {
    return this.#aggregate(reducing(reducer), materialized);
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<Windowed<K>, A> {
    return this.#aggregate(aggregating(initializer, aggregator), materialized);
  }

  #aggregate<A>(agg: Aggregation<K, V, A>, m: Materialized<K, A>): KTable<Windowed<K>, A> {
    const { stream, grouped } = this.grouped;
    const graph = stream.graph;
    const w = this.windows;
    const store = m.name ?? graph.name("KSTREAM-AGGREGATE-STATE-STORE");
    const input = groupedInput(stream, grouped, store);
    const retentionMs = m.retentionMs ?? w.retentionMs;
    if (retentionMs < w.sizeMs + w.graceMs) {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        `store ${store} keeps windows ${retentionMs} ms, less than window size plus grace (${w.sizeMs + w.graceMs} ms)`,
      );
    }
    const valueSerde = (m.valueSerde ??
      agg.valueSerde ??
      (agg.prefix === "KSTREAM-REDUCE" ? input.valueSerde : undefined)) as Serde<unknown> | undefined;
    const keySerde = (m.keySerde ?? input.keySerde) as Serde<unknown> | undefined;
    addStore(graph, store, "window", m, keySerde, valueSerde, { sizeMs: w.sizeMs, retentionMs });
    const node = graph.addProcessor(
      graph.name(agg.prefix),
      [input.node],
      windowAggregateProcessor(store, w, agg.initializer, agg.aggregator),
      [store],
    );
    const getter = windowedGetter<K, A>(store, w.sizeMs);
    return new KTable<Windowed<K>, A>(
      graph,
      node,
      Serdes.TimeWindowed(keySerde as Serde<K> | undefined, w.sizeMs),
      valueSerde as Serde<A> | undefined,
      getter,
      [store],
      store,
      { suppressDurationMs: w.graceMs, innerKeySerde: keySerde },
    );
  }
}

export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    readonly grouped: KGroupedStream<K, V>,
    readonly windows: SessionWindows,
  ) {}

  count(materialized: Materialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.#aggregate(counting(), (_k, a, b) => a + b, materialized);
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<Windowed<K>, V> {
    return this.#aggregate(reducing(reducer), (_k, a, b) => reducer(a, b), materialized);
  }

  /** `merger` combines two sessions' aggregates when a record bridges them. */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, a: A, b: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<Windowed<K>, A> {
    return this.#aggregate(aggregating(initializer, aggregator), merger, materialized);
  }

  #aggregate<A>(
    agg: Aggregation<K, V, A>,
    merger: (key: K, a: A, b: A) => A,
    m: Materialized<K, A>,
  ): KTable<Windowed<K>, A> {
    const { stream, grouped } = this.grouped;
    const graph = stream.graph;
    const w = this.windows;
    const store = m.name ?? graph.name("KSTREAM-AGGREGATE-STATE-STORE");
    const input = groupedInput(stream, grouped, store);
    const retentionMs = m.retentionMs ?? w.retentionMs;
    const valueSerde = (m.valueSerde ??
      agg.valueSerde ??
      (agg.prefix === "KSTREAM-REDUCE" ? input.valueSerde : undefined)) as Serde<unknown> | undefined;
    const keySerde = (m.keySerde ?? input.keySerde) as Serde<unknown> | undefined;
    addStore(graph, store, "session", m, keySerde, valueSerde, { retentionMs });
    const node = graph.addProcessor(
      graph.name(agg.prefix),
      [input.node],
      sessionAggregateProcessor(store, w, agg.initializer, agg.aggregator, merger),
      [store],
    );
    const getter = () => () => {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        "a session-windowed table cannot be joined; join its toStream() instead",
      );
    };
    return new KTable<Windowed<K>, A>(
      graph,
      node,
      Serdes.SessionWindowed(keySerde as Serde<K> | undefined),
      valueSerde as Serde<A> | undefined,
      getter,
      [store],
      store,
      // A session can still grow until the gap has passed, and take late records for the grace after that.
      { suppressDurationMs: w.graceMs + w.gapMs, innerKeySerde: keySerde },
    );
  }
}

function windowedGetter<K, A>(store: string, sizeMs: number) {
  return (ctx: { getStateStore<S>(n: string): S }) => {
    const ws = ctx.getStateStore<{ fetchRange(k: K, f: number, t: number): { value: A; timestamp: number }[] }>(store);
    return (key: Windowed<K>) => {
      const e = ws.fetchRange(key.key, key.window.start, key.window.start)[0];
      return e && key.window.end === key.window.start + sizeMs ? { value: e.value, timestamp: e.timestamp } : undefined;
    };
  };
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
