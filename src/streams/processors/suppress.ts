// suppress(untilWindowCloses): holds each window's latest result in a changelog-backed buffer and
// emits it once, when stream time passes the window's end plus its grace: final results only.

import type { Change, StreamRecord, Windowed } from "../records.js";
import { resolveSerde, type Serde } from "../serdes.js";
import { readU64, writeU64 } from "../state/bytes.js";
import type { KeyValueStore } from "../state/stores.js";
import type { InternalProcessor, InternalProcessorContext } from "./api.js";

/**
 * Buffer keys sort by window end, then start, then the serialized key: everything that closed is
 * one range from the start of the buffer.
 */
function bufferKey(end: number, start: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + key.length);
  writeU64(out, 0, end);
  writeU64(out, 8, start);
  out.set(key, 16);
  return out;
}

export function suppressProcessor<K, V>(
  store: string,
  /** How long after a window's end its result may still change (the windows' grace; sessions add their gap). */
  suppressDurationMs: number,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): () => InternalProcessor<Windowed<K>, Change<V>, Windowed<K>, Change<V>> {
  return () => {
    let ctx: InternalProcessorContext<Windowed<K>, Change<V>>;
    let buffer: KeyValueStore<Uint8Array, Uint8Array>;
    let ks: Serde<K>;
    let vs: Serde<V>;
    const evict = (streamTime: number) => {
      const closeTime = streamTime - suppressDurationMs;
      if (closeTime < 0) return;
      const upTo = new Uint8Array(8);
      writeU64(upTo, 0, closeTime + 1);
      for (const { key: bk, value } of buffer.range(undefined, upTo)) {
        const end = readU64(bk, 0);
        const start = readU64(bk, 8);
        const timestamp = buffer.getWithTimestamp(bk)!.timestamp;
        buffer.delete(bk);
        ctx.forward({
          key: { key: ks.deserialize(bk.subarray(16), store), window: { start, end } },
          value: { newValue: vs.deserialize(value, store), oldValue: null },
          timestamp,
          headers: {},
        });
      }
    };
    return {
      init(c) {
        ctx = c;
        buffer = c.getStateStore(store);
        const defaults = { key: c.defaultKeySerde, value: c.defaultValueSerde };
        ks = resolveSerde(keySerde, defaults, "key");
        vs = resolveSerde(valueSerde, defaults, "value");
      },
      process(r: StreamRecord<Windowed<K>, Change<V>>) {
        const bk = bufferKey(r.key.window.end, r.key.window.start, ks.serialize(r.key.key, store));
        // Deletes (sessions merged away) never reach the output: their window's final result is
        // the merged session's (Kafka drops such tombstones under untilWindowCloses too).
        if (r.value.newValue === null) buffer.delete(bk);
        else buffer.put(bk, vs.serialize(r.value.newValue, store), r.timestamp);
        evict(ctx.currentStreamTimeMs());
      },
      streamTimeAdvanced: evict,
    };
  };
}
