// Typed state stores over a BytesStore, each writing every change to its changelog so a new owner of
// the task can rebuild it: their interfaces and the key-value store (windowed-stores.ts: the others).

import type { Serde } from "../serdes.js";
import type { Windowed } from "../records.js";
import { compositeKey, readU64, splitCompositeKey, writeU64, type BytesStore } from "./bytes.js";

export type StoreType = "keyValue" | "window" | "session";

/** Where a store's writes go besides the store: its changelog (Kafka's ChangeLoggingKeyValueBytesStore). */
export interface ChangeLogger {
  log(key: Uint8Array, value: Uint8Array | null, timestamp: number): void;
}

/** What a store needs from the task that owns it. */
export interface StoreContext {
  /** The timestamp of the record being processed (the default timestamp of a write). */
  recordTimestamp(): number;
}

export interface KeyValue<K, V> {
  key: K;
  value: V;
}

export interface ReadOnlyKeyValueStore<K, V> {
  readonly name: string;
  get(key: K): V | undefined;
  /** Keys from `from` to `to`, both inclusive (either may be omitted), in serialized-key byte order. */
  range(from?: K, to?: K): KeyValue<K, V>[];
  all(): KeyValue<K, V>[];
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V | null, timestamp?: number): void;
  putIfAbsent(key: K, value: V): V | undefined;
  delete(key: K): V | undefined;
  /** The value with the timestamp of the write that stored it. */
  getWithTimestamp(key: K): { value: V; timestamp: number } | undefined;
}

export interface WindowEntry<V> {
  start: number;
  value: V;
  timestamp: number;
}

export interface ReadOnlyWindowStore<K, V> {
  readonly name: string;
  /** The value of one key's window starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** One key's windows with timeFrom <= start <= timeTo, in start order. */
  fetchRange(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  /** Every key's windows with timeFrom <= start <= timeTo. */
  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[];
  all(): KeyValue<Windowed<K>, V>[];
}

export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  /** Stores (or with null removes) a window's value; `seq` keeps duplicates apart (join buffers). */
  put(key: K, value: V | null, windowStart: number, timestamp?: number, seq?: number): void;
  fetchRangeWithSeq(key: K, timeFrom: number, timeTo: number): (WindowEntry<V> & { seq: number })[];
  /** Drops windows starting before `start` (the retention period has passed them). */
  expireBefore(start: number): void;
}

export interface ReadOnlySessionStore<K, V> {
  readonly name: string;
  /** A key's sessions, oldest first. */
  fetch(key: K): KeyValue<Windowed<K>, V>[];
  all(): KeyValue<Windowed<K>, V>[];
}

export interface SessionStore<K, V> extends ReadOnlySessionStore<K, V> {
  /** Sessions of `key` with end >= earliestSessionEnd and start <= latestSessionStart. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[];
  put(session: Windowed<K>, value: V | null): void;
  remove(session: Windowed<K>): void;
  expireBefore(end: number): void;
}

/** A store instance as the task holds it: typed, plus what restoring and committing need. */
export interface StoreInstance {
  readonly name: string;
  readonly type: StoreType;
  readonly bytes: BytesStore;
  /** Applies one changelog record (restoration writes the bytes directly, not through the logger). */
  restore(key: Uint8Array, value: Uint8Array | null, timestamp: number): void;
}

/** Stored values carry the timestamp of their write ahead of the value bytes (Kafka's ValueAndTimestamp). */
export function stamp(value: Uint8Array, timestamp: number): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  writeU64(out, 0, timestamp);
  out.set(value, 8);
  return out;
}

export function unstamp(stored: Uint8Array): { value: Uint8Array; timestamp: number } {
  return { timestamp: readU64(stored, 0), value: stored.subarray(8) };
}

/** Applies one changelog record to a store's bytes (restoration writes directly, not through the changelog). */
export function restoreInto(bytes: BytesStore, key: Uint8Array, value: Uint8Array | null, timestamp: number): void {
  bytes.put(key, value === null ? null : stamp(value, timestamp));
}

export abstract class BaseStore implements StoreInstance {
  abstract readonly type: StoreType;
  constructor(
    readonly name: string,
    readonly bytes: BytesStore,
    protected readonly logger: ChangeLogger | null,
    protected readonly ctx: StoreContext,
    /** The name serdes are given (the changelog topic, as Kafka passes). */
    protected readonly serdeTopic: string,
  ) {}

  restore(key: Uint8Array, value: Uint8Array | null, timestamp: number): void {
    restoreInto(this.bytes, key, value, timestamp);
  }

  protected write(key: Uint8Array, value: Uint8Array | null, timestamp: number): void {
    this.bytes.put(key, value === null ? null : stamp(value, timestamp));
    this.logger?.log(key, value, timestamp);
  }
}

export class KeyValueStoreImpl<K, V> extends BaseStore implements KeyValueStore<K, V> {
  readonly type = "keyValue";
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

  get(key: K): V | undefined {
    return this.getWithTimestamp(key)?.value;
  }

  getWithTimestamp(key: K): { value: V; timestamp: number } | undefined {
    const stored = this.bytes.get(this.keySerde.serialize(key, this.serdeTopic));
    if (!stored) return undefined;
    const { value, timestamp } = unstamp(stored);
    return { value: this.valueSerde.deserialize(value, this.serdeTopic), timestamp };
  }

  put(key: K, value: V | null, timestamp = this.ctx.recordTimestamp()): void {
    const k = this.keySerde.serialize(key, this.serdeTopic);
    this.write(
      k,
      value === null || value === undefined ? null : this.valueSerde.serialize(value, this.serdeTopic),
      timestamp,
    );
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const old = this.get(key);
    if (old === undefined) this.put(key, value);
    return old;
  }

  delete(key: K): V | undefined {
    const old = this.get(key);
    if (old !== undefined) this.put(key, null);
    return old;
  }

  range(from?: K, to?: K): KeyValue<K, V>[] {
    const f = from === undefined ? undefined : this.keySerde.serialize(from, this.serdeTopic);
    const t = to === undefined ? undefined : this.keySerde.serialize(to, this.serdeTopic);
    return this.#decode(this.bytes.range(f, t));
  }

  all(): KeyValue<K, V>[] {
    return this.#decode(this.bytes.range());
  }

  approximateNumEntries(): number {
    return this.bytes.count();
  }

  #decode(entries: Iterable<[Uint8Array, Uint8Array]>): KeyValue<K, V>[] {
    const out: KeyValue<K, V>[] = [];
    for (const [k, v] of entries) {
      out.push({
        key: this.keySerde.deserialize(k, this.serdeTopic),
        value: this.valueSerde.deserialize(unstamp(v).value, this.serdeTopic),
      });
    }
    return out;
  }
}
