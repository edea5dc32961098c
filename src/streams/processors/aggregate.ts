// Key-value state operators: table sources, stream aggregations (count, reduce, aggregate), table
// aggregations with subtraction (KGroupedTable), and toTable.

import type { Change, StreamRecord } from "../records.js";
import type { KeyValueStore } from "../state/stores.js";
import type { InternalProcessor, ProcessorContext } from "./api.js";

type Ctx = ProcessorContext<any, any>;

/**
 * Materializes each record as the latest value of its key and forwards the change. Null keys
 * cannot be rows and are dropped; a tombstone for a key that is not there changes nothing.
 */
export function tableSourceProcessor<K, V>(store: string): () => InternalProcessor<K, V | null, K, Change<V>> {
  return () => {
    let ctx: Ctx;
    let kv: KeyValueStore<K, V>;
    return {
      init(c) {
        ctx = c;
        kv = c.getStateStore(store);
      },
      process(r) {
        if (r.key === null || r.key === undefined) return;
        const old = kv.get(r.key);
        if (r.value === null && old === undefined) return;
        kv.put(r.key, r.value, r.timestamp);
        ctx.forward({ ...r, value: { newValue: r.value, oldValue: old ?? null } });
      },
    };
  };
}

/**
 * KGroupedStream.aggregate: the running aggregate per key, forwarded as a table change with every
 * update. Records with a null key or value are skipped, as Kafka does.
 */
export function streamAggregateProcessor<K, V, A>(
  store: string,
  initializer: (() => A) | null,
  aggregator: (key: K, value: V, aggregate: A | null) => A,
): () => InternalProcessor<K, V, K, Change<A>> {
  return () => {
    let ctx: Ctx;
    let kv: KeyValueStore<K, A>;
    return {
      init(c) {
        ctx = c;
        kv = c.getStateStore(store);
      },
      process(r: StreamRecord<K, V>) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
        const old = kv.getWithTimestamp(r.key);
        const base = old ? old.value : initializer ? initializer() : null;
        const next = aggregator(r.key, r.value, base);
        const timestamp = Math.max(r.timestamp, old?.timestamp ?? 0);
        kv.put(r.key, next, timestamp);
        ctx.forward({ ...r, timestamp, value: { newValue: next, oldValue: old ? old.value : null } });
      },
    };
  };
}

/**
 * KGroupedTable.aggregate/reduce: a change first subtracts the row's old value, then adds its new
 * one. A reduce whose result becomes null deletes the row.
 */
export function tableAggregateProcessor<K, V, A>(
  store: string,
  initializer: (() => A) | null,
  adder: (key: K, value: V, aggregate: A | null) => A,
  subtractor: (key: K, value: V, aggregate: A | null) => A | null,
): () => InternalProcessor<K, Change<V>, K, Change<A>> {
  return () => {
    let ctx: Ctx;
    let kv: KeyValueStore<K, A>;
    return {
      init(c) {
        ctx = c;
        kv = c.getStateStore(store);
      },
      process(r) {
        if (r.key === null || r.key === undefined) return;
        const old = kv.getWithTimestamp(r.key);
        let agg: A | null = old ? old.value : initializer ? initializer() : null;
        if (r.value.oldValue !== null && (old || initializer)) agg = subtractor(r.key, r.value.oldValue, agg);
        if (r.value.newValue !== null) agg = adder(r.key, r.value.newValue, agg);
        const timestamp = Math.max(r.timestamp, old?.timestamp ?? 0);
        if (agg === null && !old) return;
        kv.put(r.key, agg, timestamp);
        ctx.forward({ ...r, timestamp, value: { newValue: agg, oldValue: old ? old.value : null } });
      },
    };
  };
}

/** KStream.toTable: each record becomes its key's row (a null value deletes it). */
export const toTableProcessor = tableSourceProcessor;
