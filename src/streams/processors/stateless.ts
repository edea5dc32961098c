// Record-at-a-time operators: map, mapValues, filter, flatMap, selectKey, peek, branch, and the
// table versions that forward changes (new and old value).

import type { Change, StreamRecord } from "../records.js";
import type { InternalProcessor, ProcessorContext } from "./api.js";

type Ctx = ProcessorContext<any, any>;

/** A processor whose process() gets the context it forwards through. */
function make<KIn, VIn>(
  fn: (ctx: Ctx, record: StreamRecord<KIn, VIn>) => void,
): () => InternalProcessor<KIn, VIn, any, any> {
  return () => {
    let ctx: Ctx;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (record) => fn(ctx, record),
    };
  };
}

export const mapProcessor = <K, V, K2, V2>(mapper: (key: K, value: V) => [K2, V2]) =>
  make<K, V>((ctx, r) => {
    const [key, value] = mapper(r.key, r.value);
    ctx.forward({ ...r, key, value });
  });

export const mapValuesProcessor = <K, V, V2>(mapper: (value: V, key: K) => V2) =>
  make<K, V>((ctx, r) => ctx.forward({ ...r, value: mapper(r.value, r.key) }));

export const filterProcessor = <K, V>(predicate: (key: K, value: V) => boolean, not = false) =>
  make<K, V>((ctx, r) => {
    if (predicate(r.key, r.value) !== not) ctx.forward(r);
  });

export const flatMapProcessor = <K, V, K2, V2>(mapper: (key: K, value: V) => Iterable<[K2, V2]>) =>
  make<K, V>((ctx, r) => {
    for (const [key, value] of mapper(r.key, r.value)) ctx.forward({ ...r, key, value });
  });

export const flatMapValuesProcessor = <K, V, V2>(mapper: (value: V, key: K) => Iterable<V2>) =>
  make<K, V>((ctx, r) => {
    for (const value of mapper(r.value, r.key)) ctx.forward({ ...r, value });
  });

export const selectKeyProcessor = <K, V, K2>(selector: (key: K, value: V) => K2) =>
  make<K, V>((ctx, r) => ctx.forward({ ...r, key: selector(r.key, r.value) }));

export const peekProcessor = <K, V>(action: (key: K, value: V) => void, forward = true) =>
  make<K, V>((ctx, r) => {
    action(r.key, r.value);
    if (forward) ctx.forward(r);
  });

/** The first predicate that matches sends the record to its branch (child by name); none matching drops it. */
export const branchProcessor = <K, V>(branches: { predicate: (key: K, value: V) => boolean; child: string }[]) =>
  make<K, V>((ctx, r) => {
    for (const b of branches) {
      if (b.predicate(r.key, r.value)) {
        ctx.forward(r, b.child);
        return;
      }
    }
  });

/** Forwards what it gets: merge points and named pass-throughs. */
export const passThroughProcessor = () => make<unknown, unknown>((ctx, r) => ctx.forward(r));

/** KTable.toStream: each change becomes its new value (a tombstone when deleted). */
export const toStreamProcessor = <K, V, K2 = K, V2 = V>(mapper?: (key: K, value: V | null) => [K2, V2 | null]) =>
  make<K, Change<V>>((ctx, r) => {
    const value = r.value.newValue;
    if (!mapper) return ctx.forward({ ...r, value });
    const [k, v] = mapper(r.key, value);
    ctx.forward({ ...r, key: k, value: v });
  });

/** KTable.filter: a row that stops passing becomes a delete; changes that pass neither way are dropped. */
export const tableFilterProcessor = <K, V>(predicate: (key: K, value: V) => boolean, not = false) =>
  make<K, Change<V>>((ctx, r) => {
    const pass = (v: V | null) => (v !== null && predicate(r.key, v) !== not ? v : null);
    const newValue = pass(r.value.newValue);
    const oldValue = pass(r.value.oldValue);
    if (newValue === null && oldValue === null) return;
    ctx.forward({ ...r, value: { newValue, oldValue } });
  });

export const tableMapValuesProcessor = <K, V, V2>(mapper: (value: V, key: K) => V2) =>
  make<K, Change<V>>((ctx, r) => {
    const m = (v: V | null) => (v === null ? null : mapper(v, r.key));
    ctx.forward({ ...r, value: { newValue: m(r.value.newValue), oldValue: m(r.value.oldValue) } });
  });

/**
 * KTable.groupBy's re-keying: a change becomes a subtraction under the old row's new key and an
 * addition under the new row's (one record when both keys are equal), as Kafka's KTableRepartitionMap.
 */
export const tableRepartitionMapProcessor = <K, V, K2, V2>(selector: (key: K, value: V) => [K2, V2]) =>
  make<K, Change<V>>((ctx, r) => {
    const oldPair = r.value.oldValue === null ? null : selector(r.key, r.value.oldValue);
    const newPair = r.value.newValue === null ? null : selector(r.key, r.value.newValue);
    if (oldPair && newPair && sameKey(oldPair[0], newPair[0])) {
      ctx.forward({ ...r, key: newPair[0], value: { newValue: newPair[1], oldValue: oldPair[1] } });
      return;
    }
    if (oldPair) ctx.forward({ ...r, key: oldPair[0], value: { newValue: null, oldValue: oldPair[1] } });
    if (newPair) ctx.forward({ ...r, key: newPair[0], value: { newValue: newPair[1], oldValue: null } });
  });

function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));
}
