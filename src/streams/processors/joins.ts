// Joins: stream-table (and stream-global table), table-table (inner, left, outer) and windowed
// stream-stream (inner, left, outer), with Kafka's semantics for nulls and tombstones.

import type { Change, StreamRecord } from "../records.js";
import { resolveSerde, type Serde } from "../serdes.js";
import { readU32, writeU32, writeU64, readU64 } from "../state/bytes.js";
import type { KeyValueStore, WindowStore } from "../state/stores.js";
import type { JoinWindows } from "../windows.js";
import type { InternalProcessor, InternalProcessorContext } from "./api.js";

type Ctx = InternalProcessorContext<any, any>;
export type JoinMode = "inner" | "left" | "outer";

/** Reads a table's current value for a key, materialized or derived (Kafka's KTableValueGetter). */
export type ValueGetter<K, V> = (key: K) => { value: V; timestamp: number } | undefined;
export type ValueGetterSupplier<K, V> = (ctx: Ctx) => ValueGetter<K, V>;

/**
 * Each stream record is joined with the table's value for its key at that moment (table updates
 * themselves emit nothing). Null values are dropped; a null key is dropped by an inner join and
 * joined with null by a left join (KIP-962). With a global table, `keySelector` picks the table key.
 */
export function streamTableJoinProcessor<K, V, KT, VT, R>(
  getter: ValueGetterSupplier<KT, VT>,
  joiner: (value: V, tableValue: VT | null, key: K) => R,
  left: boolean,
  keySelector?: (key: K, value: V) => KT,
): () => InternalProcessor<K, V, K, R> {
  return () => {
    let ctx: Ctx;
    let get: ValueGetter<KT, VT>;
    return {
      init(c) {
        ctx = c;
        get = getter(c);
      },
      process(r: StreamRecord<K, V>) {
        if (r.value === null || r.value === undefined) return;
        const tableKey = keySelector ? keySelector(r.key, r.value) : (r.key as unknown as KT);
        if (tableKey === null || tableKey === undefined) {
          if (left) ctx.forward({ ...r, value: joiner(r.value, null, r.key) });
          return;
        }
        const found = get(tableKey);
        if (!found && !left) return;
        ctx.forward({ ...r, value: joiner(r.value, found ? found.value : null, r.key) });
      },
    };
  };
}

/**
 * One side of a table-table join: a change on this side is joined with the other side's current
 * value; the result is forwarded as a change of the joined table (new and old joined value).
 */
export function tableTableJoinProcessor<K, VL, VR, R>(
  side: "left" | "right",
  otherGetter: ValueGetterSupplier<K, unknown>,
  joiner: (left: VL | null, right: VR | null, key: K) => R,
  mode: JoinMode,
): () => InternalProcessor<K, Change<unknown>, K, Change<R>> {
  return () => {
    let ctx: Ctx;
    let other: ValueGetter<K, unknown>;
    const join = (mine: unknown, theirs: unknown, key: K): R | null => {
      const [l, r] = side === "left" ? [mine, theirs] : [theirs, mine];
      const ok = mode === "inner" ? l !== null && r !== null : mode === "left" ? l !== null : l !== null || r !== null;
      return ok ? joiner(l as VL | null, r as VR | null, key) : null;
    };
    return {
      init(c) {
        ctx = c;
        other = otherGetter(c);
      },
      process(r) {
        if (r.key === null || r.key === undefined) return;
        const found = other(r.key);
        const theirs = found ? found.value : null;
        const newValue = join(r.value.newValue, theirs, r.key);
        const oldValue = join(r.value.oldValue, theirs, r.key);
        if (newValue === null && oldValue === null) return;
        ctx.forward({ ...r, timestamp: Math.max(r.timestamp, found?.timestamp ?? 0), value: { newValue, oldValue } });
      },
    };
  };
}

/** The joined table's getter, for joins and queries on a join result that is not materialized. */
export function tableTableJoinGetter<K, VL, VR, R>(
  left: ValueGetterSupplier<K, VL>,
  right: ValueGetterSupplier<K, VR>,
  joiner: (l: VL | null, r: VR | null, key: K) => R,
  mode: JoinMode,
): ValueGetterSupplier<K, R> {
  return (ctx) => {
    const gl = left(ctx);
    const gr = right(ctx);
    return (key) => {
      const l = gl(key);
      const r = gr(key);
      const ok = mode === "inner" ? l && r : mode === "left" ? l : l || r;
      if (!ok) return undefined;
      return {
        value: joiner(l ? l.value : null, r ? r.value : null, key),
        timestamp: Math.max(l?.timestamp ?? 0, r?.timestamp ?? 0),
      };
    };
  };
}

/** Outer-join buffer keys: [timestamp][side][seq], so what is due comes first. */
function pendingKey(timestamp: number, side: 0 | 1, seq: number): Uint8Array {
  const out = new Uint8Array(13);
  writeU64(out, 0, timestamp);
  out[8] = side;
  writeU32(out, 9, seq);
  return out;
}

export interface StreamStreamJoinSpec {
  side: "left" | "right";
  thisStore: string;
  otherStore: string;
  /** Left and outer joins: unmatched records wait here until their window closes. */
  outerStore?: string;
  windows: JoinWindows;
  mode: JoinMode;
  /** Key and value serdes of this side and the other, for the outer buffer (undefined: the defaults). */
  keySerde?: Serde<unknown>;
  thisValueSerde?: Serde<unknown>;
  otherValueSerde?: Serde<unknown>;
}

/**
 * One side of a windowed stream-stream join. Records are kept in this side's window store; each
 * is joined with the other side's records of the same key in [t - before, t + after] (mirrored for
 * the right side). Under left and outer joins a record that found no partner is emitted with null
 * only once its window closed (as Kafka since 3.1), so no spurious (v, null) results appear.
 */
export function streamStreamJoinProcessor<K, VL, VR, R>(
  spec: StreamStreamJoinSpec,
  joiner: (left: VL | null, right: VR | null, key: K) => R,
): () => InternalProcessor<K, unknown, K, R> {
  return () => {
    let ctx: Ctx;
    let mine: WindowStore<K, unknown>;
    let theirs: WindowStore<K, unknown>;
    let outer: KeyValueStore<Uint8Array, Uint8Array> | undefined;
    let ks: Serde<K>;
    let vsThis: Serde<unknown>;
    let vsOther: Serde<unknown>;
    let seq = Math.floor(Math.random() * 0xffffffff);
    const isLeft = spec.side === "left";
    const w = spec.windows;
    // The left side looks [before, after] around a record; the right side the mirror of it.
    const lookBack = isLeft ? w.beforeMs : w.afterMs;
    const lookAhead = isLeft ? w.afterMs : w.beforeMs;
    const outerSide = spec.mode === "outer" || (spec.mode === "left" && isLeft);
    const sideBit: 0 | 1 = isLeft ? 0 : 1;
    const emit = (r: StreamRecord<K, unknown>, other: unknown, timestamp: number) => {
      const value = isLeft
        ? joiner(r.value as VL, other as VR | null, r.key)
        : joiner(other as VL | null, r.value as VR, r.key);
      ctx.forward({ ...r, timestamp, value });
    };
    return {
      init(c) {
        ctx = c;
        mine = c.getStateStore(spec.thisStore);
        theirs = c.getStateStore(spec.otherStore);
        if (spec.outerStore) outer = c.getStateStore(spec.outerStore);
        const defaults = { key: c.defaultKeySerde, value: c.defaultValueSerde };
        ks = resolveSerde(spec.keySerde as Serde<K> | undefined, defaults, "key");
        vsThis = resolveSerde(spec.thisValueSerde, defaults, "value");
        vsOther = resolveSerde(spec.otherValueSerde, defaults, "value");
      },
      process(r: StreamRecord<K, unknown>) {
        if (r.value === null || r.value === undefined) return;
        if (r.key === null || r.key === undefined) {
          if (outerSide) emit(r, null, r.timestamp);
          return;
        }
        const t = r.timestamp;
        if (t + lookAhead + w.graceMs < ctx.currentStreamTimeMs()) {
          ctx.warn(
            `skipping a late record for the join window of ${spec.thisStore}: timestamp ${t}, stream time ${ctx.currentStreamTimeMs()}`,
          );
          return;
        }
        seq = (seq + 1) >>> 0;
        mine.put(r.key, r.value, t, t, seq);
        let matched = false;
        for (const e of theirs.fetchRangeWithSeq(r.key, t - lookBack, t + lookAhead)) {
          matched = true;
          // The partner found its match: it no longer waits to be emitted alone.
          outer?.delete(pendingKey(e.start, isLeft ? 1 : 0, e.seq));
          emit(r, e.value, Math.max(t, e.start));
        }
        if (!matched && outerSide && outer) {
          const kb = ks.serialize(r.key, spec.thisStore);
          const vb = vsThis.serialize(r.value, spec.thisStore);
          const entry = new Uint8Array(4 + kb.length + vb.length);
          writeU32(entry, 0, kb.length);
          entry.set(kb, 4);
          entry.set(vb, 4 + kb.length);
          outer.put(pendingKey(t, sideBit, seq), entry, t);
        }
      },
      // Only the left side's processor emits what waited, so each entry goes out once.
      streamTimeAdvanced: isLeft
        ? (streamTime: number) => {
            if (!outer) return;
            // Only entries older than the shorter look-ahead can be due: scan just those.
            const bound = streamTime - Math.min(w.afterMs, w.beforeMs) - w.graceMs;
            if (bound <= 0) return;
            const upTo = new Uint8Array(8);
            writeU64(upTo, 0, bound);
            for (const { key: pk, value: entry } of outer.range(undefined, upTo)) {
              const t = readU64(pk, 0);
              const side = pk[8];
              const ahead = side === 0 ? w.afterMs : w.beforeMs;
              if (t + ahead + w.graceMs >= streamTime) continue;
              outer.delete(pk);
              const kl = readU32(entry, 0);
              const key = ks.deserialize(entry.subarray(4, 4 + kl), spec.thisStore);
              const vb = entry.subarray(4 + kl);
              const rec = { key, timestamp: t, headers: {} };
              if (side === 0)
                ctx.forward({ ...rec, value: joiner(vsThis.deserialize(vb, spec.thisStore) as VL, null, key) });
              else ctx.forward({ ...rec, value: joiner(null, vsOther.deserialize(vb, spec.otherStore) as VR, key) });
            }
          }
        : undefined,
    };
  };
}
