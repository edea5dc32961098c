// Window and session stores: composite keys ([key][start] and [key][end][start]) over a BytesStore,
// so one key's windows are one range and expired ones can be dropped by time.

import type { Windowed } from "../records.js";
import type { Serde } from "../serdes.js";
import { compositeKey, splitCompositeKey, type BytesStore } from "./bytes.js";
import {
  BaseStore,
  unstamp,
  type ChangeLogger,
  type KeyValue,
  type SessionStore,
  type StoreContext,
  type WindowEntry,
  type WindowStore,
} from "./stores.js";

export class WindowStoreImpl<K, V> extends BaseStore implements WindowStore<K, V> {
  readonly type = "window";
  constructor(
    name: string,
    bytes: BytesStore,
    logger: ChangeLogger | null,
    ctx: StoreContext,
    serdeTopic: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    /** Window size, for the end of the windows this store returns (0 for join buffers). */
    readonly windowSizeMs: number,
    /** Whether entries carry a sequence number, so equal (key, start) pairs are kept apart. */
    readonly retainDuplicates: boolean,
  ) {
    super(name, bytes, logger, ctx, serdeTopic);
  }

  put(key: K, value: V | null, windowStart: number, timestamp = this.ctx.recordTimestamp(), seq?: number): void {
    const k = compositeKey(
      this.keySerde.serialize(key, this.serdeTopic),
      [windowStart],
      this.retainDuplicates ? (seq ?? 0) : undefined,
    );
    this.write(k, value === null ? null : this.valueSerde.serialize(value, this.serdeTopic), timestamp);
  }

  fetch(key: K, windowStart: number): V | undefined {
    if (this.retainDuplicates) return this.fetchRange(key, windowStart, windowStart)[0]?.value;
    const stored = this.bytes.get(compositeKey(this.keySerde.serialize(key, this.serdeTopic), [windowStart]));
    return stored ? this.valueSerde.deserialize(unstamp(stored).value, this.serdeTopic) : undefined;
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[] {
    return this.fetchRangeWithSeq(key, timeFrom, timeTo).map(({ start, value, timestamp }) => ({
      start,
      value,
      timestamp,
    }));
  }

  fetchRangeWithSeq(key: K, timeFrom: number, timeTo: number): (WindowEntry<V> & { seq: number })[] {
    const kb = this.keySerde.serialize(key, this.serdeTopic);
    const from = compositeKey(kb, [Math.max(0, timeFrom)], this.retainDuplicates ? 0 : undefined);
    const to = compositeKey(kb, [Math.max(0, timeTo)], this.retainDuplicates ? 0xffffffff : undefined);
    if (timeTo < 0 || timeTo < timeFrom) return [];
    const out: (WindowEntry<V> & { seq: number })[] = [];
    for (const [k, v] of this.bytes.range(from, to)) {
      const parts = splitCompositeKey(k, 1, this.retainDuplicates);
      const { value, timestamp } = unstamp(v);
      out.push({
        start: parts.numbers[0]!,
        seq: parts.seq ?? 0,
        value: this.valueSerde.deserialize(value, this.serdeTopic),
        timestamp,
      });
    }
    return out;
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[] {
    return this.all().filter((e) => e.key.window.start >= timeFrom && e.key.window.start <= timeTo);
  }

  all(): KeyValue<Windowed<K>, V>[] {
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const [k, v] of this.bytes.range()) {
      const parts = splitCompositeKey(k, 1, this.retainDuplicates);
      const start = parts.numbers[0]!;
      out.push({
        key: {
          key: this.keySerde.deserialize(parts.key, this.serdeTopic),
          window: { start, end: start + this.windowSizeMs },
        },
        value: this.valueSerde.deserialize(unstamp(v).value, this.serdeTopic),
      });
    }
    return out;
  }

  expireBefore(start: number): void {
    const expired: Uint8Array[] = [];
    for (const [k] of this.bytes.range()) if (splitCompositeKey(k, 1).numbers[0]! < start) expired.push(k);
    // Not logged: the changelog's own retention (compact,delete) drops what expired here.
    for (const k of expired) this.bytes.put(k, null);
  }
}

export class SessionStoreImpl<K, V> extends BaseStore implements SessionStore<K, V> {
  readonly type = "session";
  constructor(
    name: string,
    bytes: BytesStore,
    logger: ChangeLogger | null,
    ctx: StoreContext,
    serdeTopic: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {
    super(name, bytes, logger, ctx, serdeTopic);
  }

  /** Keyed by [key][end][start] (Kafka's SessionKeySchema order): a scan from an end time onwards is one range. */
  #key(s: Windowed<K>): Uint8Array {
    return compositeKey(this.keySerde.serialize(s.key, this.serdeTopic), [s.window.end, s.window.start]);
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[] {
    const kb = this.keySerde.serialize(key, this.serdeTopic);
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const [k, v] of this.bytes.range(compositeKey(kb, [Math.max(0, earliestSessionEnd), 0]), undefined)) {
      const parts = splitCompositeKey(k, 2);
      if (!sameBytes(parts.key, kb)) break;
      const [end, start] = parts.numbers as [number, number];
      if (start > latestSessionStart) continue;
      out.push({
        key: { key, window: { start, end } },
        value: this.valueSerde.deserialize(unstamp(v).value, this.serdeTopic),
      });
    }
    return out;
  }

  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER).sort((a, b) => a.key.window.start - b.key.window.start);
  }

  put(session: Windowed<K>, value: V | null): void {
    this.write(
      this.#key(session),
      value === null ? null : this.valueSerde.serialize(value, this.serdeTopic),
      session.window.end,
    );
  }

  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  all(): KeyValue<Windowed<K>, V>[] {
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const [k, v] of this.bytes.range()) {
      const parts = splitCompositeKey(k, 2);
      const [end, start] = parts.numbers as [number, number];
      out.push({
        key: { key: this.keySerde.deserialize(parts.key, this.serdeTopic), window: { start, end } },
        value: this.valueSerde.deserialize(unstamp(v).value, this.serdeTopic),
      });
    }
    return out;
  }

  expireBefore(end: number): void {
    const expired: Uint8Array[] = [];
    for (const [k] of this.bytes.range()) if (splitCompositeKey(k, 2).numbers[0]! < end) expired.push(k);
    for (const k of expired) this.bytes.put(k, null);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
