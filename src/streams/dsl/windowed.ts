// Windowed aggregations: a grouped stream over time windows (tumbling, hopping) or session windows,
// giving a table keyed by Windowed<K> that suppress(untilWindowCloses) can reduce to final results.

import { EdgelogError } from "../../protocol/errors.js";
import { sessionAggregateProcessor, windowAggregateProcessor } from "../processors/windowed.js";
import type { Windowed } from "../records.js";
import { Serdes, type Serde } from "../serdes.js";
import type { SessionWindows, TimeWindows } from "../windows.js";
import { addStore, aggregating, counting, groupedInput, reducing, type Aggregation } from "./aggregation.js";
import type { KGroupedStream } from "./grouped.js";
import { KTable } from "./ktable.js";
import type { Materialized } from "./options.js";

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
