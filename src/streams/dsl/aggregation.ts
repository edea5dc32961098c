// What every aggregation shares: the grouped input (repartitioned when its key changed), the store
// it writes (with its changelog's config), and count, reduce and aggregate as one shape.

import { Serdes, type Serde } from "../serdes.js";
import type { StoreType } from "../state/stores.js";
import type { Graph } from "./graph.js";
import type { KStream } from "./kstream.js";
import type { Grouped, Materialized } from "./options.js";

/** Kafka's windowstore.changelog.additional.retention.ms: a window changelog outlives its store by a day. */
export const CHANGELOG_EXTRA_RETENTION_MS = 86_400_000;

export type Agg<K, V, A> = (key: K, value: V, aggregate: A | null) => A;

export interface Aggregation<K, V, A> {
  prefix: string;
  initializer: (() => A) | null;
  aggregator: Agg<K, V, A>;
  valueSerde: Serde<A> | undefined;
}

/** Serdes and store settings of a grouped input, and the repartitioned node it aggregates from. */
export function groupedInput<K, V>(stream: KStream<K, V>, grouped: Grouped<K, V>, storeName: string) {
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

export function addStore(
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

export const counting = <K, V>(): Aggregation<K, V, number> => ({
  prefix: "KSTREAM-AGGREGATE",
  initializer: () => 0,
  aggregator: (_k, _v, n) => (n ?? 0) + 1,
  valueSerde: Serdes.JSON<number>(),
});

export const reducing = <K, V>(reducer: (aggregate: V, value: V) => V): Aggregation<K, V, V> => ({
  prefix: "KSTREAM-REDUCE",
  initializer: null,
  aggregator: (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
  valueSerde: undefined,
});

export const aggregating = <K, V, A>(
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
): Aggregation<K, V, A> => ({
  prefix: "KSTREAM-AGGREGATE",
  initializer,
  aggregator: (k, v, agg) => aggregator(k, v, agg as A),
  valueSerde: undefined,
});
