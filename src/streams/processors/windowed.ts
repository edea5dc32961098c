// Windowed aggregations on event time: time windows (tumbling and hopping) and session windows,
// with grace periods. A record whose window closed (window end <= stream time - grace) is dropped.

import type { Change, StreamRecord, Windowed } from "../records.js";
import type { SessionStore, WindowStore } from "../state/stores.js";
import type { SessionWindows, TimeWindows } from "../windows.js";
import type { InternalProcessor, InternalProcessorContext } from "./api.js";

type Ctx = InternalProcessorContext<any, any>;

export function windowAggregateProcessor<K, V, A>(
  store: string,
  windows: TimeWindows,
  initializer: (() => A) | null,
  aggregator: (key: K, value: V, aggregate: A | null) => A,
): () => InternalProcessor<K, V, Windowed<K>, Change<A>> {
  return () => {
    let ctx: Ctx;
    let ws: WindowStore<K, A>;
    return {
      init(c) {
        ctx = c;
        ws = c.getStateStore(store);
      },
      process(r: StreamRecord<K, V>) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs;
        for (const w of windows.windowsFor(r.timestamp)) {
          if (w.end <= closeTime) {
            ctx.warn(
              `skipping a record for the expired window [${w.start}, ${w.end}) of ${store}: ` +
                `timestamp ${r.timestamp}, stream time ${ctx.currentStreamTimeMs()}, grace ${windows.graceMs} ms`,
            );
            continue;
          }
          const old = ws.fetchRange(r.key, w.start, w.start)[0];
          const base = old ? old.value : initializer ? initializer() : null;
          const next = aggregator(r.key, r.value, base);
          const timestamp = Math.max(r.timestamp, old?.timestamp ?? 0);
          ws.put(r.key, next, w.start, timestamp);
          ctx.forward({
            ...r,
            key: { key: r.key, window: w },
            timestamp,
            value: { newValue: next, oldValue: old ? old.value : null },
          });
        }
      },
    };
  };
}

/**
 * Session windows: the record's session is merged with every session of its key that lies within
 * the inactivity gap of it; merged-away sessions are forwarded as deletes, as Kafka does.
 */
export function sessionAggregateProcessor<K, V, A>(
  store: string,
  windows: SessionWindows,
  initializer: (() => A) | null,
  aggregator: (key: K, value: V, aggregate: A | null) => A,
  merger: (key: K, a: A, b: A) => A,
): () => InternalProcessor<K, V, Windowed<K>, Change<A>> {
  return () => {
    let ctx: Ctx;
    let ss: SessionStore<K, A>;
    return {
      init(c) {
        ctx = c;
        ss = c.getStateStore(store);
      },
      process(r: StreamRecord<K, V>) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs;
        const ts = r.timestamp;
        const overlapping = ss.findSessions(r.key, ts - windows.gapMs, ts + windows.gapMs);
        let start = ts;
        let end = ts;
        let agg: A | null = initializer ? initializer() : null;
        for (const s of overlapping) {
          start = Math.min(start, s.key.window.start);
          end = Math.max(end, s.key.window.end);
          agg = agg === null ? s.value : merger(r.key, agg, s.value);
        }
        if (end < closeTime) {
          ctx.warn(
            `skipping a record for the expired session [${start}, ${end}] of ${store}: ` +
              `timestamp ${ts}, stream time ${ctx.currentStreamTimeMs()}, grace ${windows.graceMs} ms`,
          );
          return;
        }
        for (const s of overlapping) {
          if (s.key.window.start === start && s.key.window.end === end) continue;
          ss.remove(s.key);
          ctx.forward({ ...r, key: s.key, timestamp: s.key.window.end, value: { newValue: null, oldValue: s.value } });
        }
        const same = overlapping.find((s) => s.key.window.start === start && s.key.window.end === end);
        const next = aggregator(r.key, r.value, agg);
        const session = { key: r.key, window: { start, end } };
        ss.put(session, next);
        ctx.forward({
          ...r,
          key: session,
          timestamp: end,
          value: { newValue: next, oldValue: same ? same.value : null },
        });
      },
    };
  };
}
