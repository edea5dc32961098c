// Serdes: how keys and values become bytes on topics and in state stores, and back.

import { EdgelogError } from "../protocol/errors.js";
import { decodeUtf8, utf8Encoder } from "../util/utf8.js";
import type { Change, Windowed } from "./records.js";

/**
 * A serializer and deserializer pair. Null values (tombstones) never reach a serde: the runtime
 * maps null to null on both sides. Throwing from deserialize sends the record to the
 * deserialization exception handler.
 */
export interface Serde<T> {
  serialize(value: T, topic: string): Uint8Array;
  deserialize(bytes: Uint8Array, topic: string): T;
  /**
   * Serdes built around an inner serde the topology left to the application's defaults (windowed
   * keys, table changes) finish themselves here when the application starts.
   */
  withDefaults?(defaults: SerdeDefaults): Serde<T>;
}

export interface SerdeDefaults {
  key: Serde<unknown>;
  value: Serde<unknown>;
}

/** The serde to use: the given one (finished with the defaults), else the application's default. */
export function resolveSerde<T>(
  serde: Serde<T> | undefined,
  defaults: SerdeDefaults,
  which: "key" | "value",
): Serde<T> {
  if (!serde) return defaults[which] as Serde<T>;
  return serde.withDefaults ? serde.withDefaults(defaults) : serde;
}

function fail(message: string): never {
  throw new EdgelogError("SERIALIZATION_EXCEPTION", message);
}

function text(bytes: Uint8Array, topic: string, serde: string): string {
  const s = decodeUtf8(bytes);
  if (s === null) fail(`${serde} serde: ${topic} holds bytes that are not UTF-8`);
  return s;
}

const stringSerde: Serde<string> = {
  serialize(value, topic) {
    if (typeof value !== "string") {
      fail(`String serde got a ${typeof value} for ${topic}; give this key or value a serde that fits (Serdes.JSON())`);
    }
    return utf8Encoder.encode(value);
  },
  deserialize: (bytes, topic) => text(bytes, topic, "String"),
};

const jsonSerde: Serde<unknown> = {
  serialize(value, topic) {
    const s = JSON.stringify(value);
    if (s === undefined) fail(`JSON serde cannot write ${typeof value} to ${topic}`);
    return utf8Encoder.encode(s);
  },
  deserialize(bytes, topic) {
    const s = text(bytes, topic, "JSON");
    try {
      return JSON.parse(s);
    } catch {
      fail(`JSON serde: ${topic} holds text that is not JSON: ${JSON.stringify(s.slice(0, 60))}`);
    }
  },
};

/** UTF-8 text; a value holding a JSON string literal is unwrapped (the JSON API stores "a b" with its quotes). */
const textSerde: Serde<string> = {
  serialize: stringSerde.serialize,
  deserialize(bytes, topic) {
    const s = text(bytes, topic, "Text");
    if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
      try {
        const v: unknown = JSON.parse(s);
        if (typeof v === "string") return v;
      } catch {
        /* quoted, but not a JSON string: the text itself */
      }
    }
    return s;
  },
};

const bytesSerde: Serde<Uint8Array> = {
  serialize(value, topic) {
    if (!(value instanceof Uint8Array)) fail(`Bytes serde got a ${typeof value} for ${topic}; it takes Uint8Array`);
    return value;
  },
  deserialize: (bytes) => bytes,
};

const u64 = (view: DataView, at: number, v: number) => view.setBigUint64(at, BigInt(Math.max(0, v)));

/**
 * Kafka's TimeWindowedSerde layout: the inner key's bytes, then the window start (8 bytes,
 * big-endian). Without an inner serde, the application's default key serde is used.
 */
function timeWindowed<K>(inner: Serde<K> | undefined, windowSizeMs: number): Serde<Windowed<K>> {
  if (!inner) {
    return {
      serialize: () => fail("TimeWindowed serde used before the application supplied its default key serde"),
      deserialize: () => fail("TimeWindowed serde used before the application supplied its default key serde"),
      withDefaults: (d) => timeWindowed(d.key as Serde<K>, windowSizeMs),
    };
  }
  return {
    serialize(w, topic) {
      const k = inner.serialize(w.key, topic);
      const out = new Uint8Array(k.length + 8);
      out.set(k);
      u64(new DataView(out.buffer), k.length, w.window.start);
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes.length < 8) fail(`TimeWindowed serde: ${topic} holds a key shorter than its window`);
      const start = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(bytes.length - 8));
      return {
        key: inner.deserialize(bytes.subarray(0, bytes.length - 8), topic),
        window: { start, end: start + windowSizeMs },
      };
    },
  };
}

/** Kafka's SessionWindowedSerde layout: the inner key's bytes, then end and start (8 bytes each, big-endian). */
function sessionWindowed<K>(inner?: Serde<K>): Serde<Windowed<K>> {
  if (!inner) {
    return {
      serialize: () => fail("SessionWindowed serde used before the application supplied its default key serde"),
      deserialize: () => fail("SessionWindowed serde used before the application supplied its default key serde"),
      withDefaults: (d) => sessionWindowed(d.key as Serde<K>),
    };
  }
  return {
    serialize(w, topic) {
      const k = inner.serialize(w.key, topic);
      const out = new Uint8Array(k.length + 16);
      out.set(k);
      const view = new DataView(out.buffer);
      u64(view, k.length, w.window.end);
      u64(view, k.length + 8, w.window.start);
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes.length < 16) fail(`SessionWindowed serde: ${topic} holds a key shorter than its window`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const end = Number(view.getBigUint64(bytes.length - 16));
      const start = Number(view.getBigUint64(bytes.length - 8));
      return { key: inner.deserialize(bytes.subarray(0, bytes.length - 16), topic), window: { start, end } };
    },
  };
}

/** The built-in serdes (Kafka's Serdes.*). */
export const Serdes = {
  /** UTF-8 text. */
  String: (): Serde<string> => stringSerde,
  /** UTF-8 text, accepting a JSON string literal too (unwrapped): lines produced as JSON or as text read alike. */
  Text: (): Serde<string> => textSerde,
  /** JSON text (what edgelog's JSON produce API stores). */
  JSON: <T = unknown>(): Serde<T> => jsonSerde as Serde<T>,
  /** The bytes as they are. */
  Bytes: (): Serde<Uint8Array> => bytesSerde,
  TimeWindowed: timeWindowed,
  SessionWindowed: sessionWindowed,
};

/**
 * A table change (new and old value) on a repartition topic (KTable.groupBy): a flags byte, the new
 * value's length, the new value's bytes, then the old value's.
 */
export function changeSerde<V>(inner?: Serde<V>): Serde<Change<V>> {
  if (!inner) {
    return {
      serialize: () => fail("change serde used before the application supplied its default value serde"),
      deserialize: () => fail("change serde used before the application supplied its default value serde"),
      withDefaults: (d) => changeSerde(d.value as Serde<V>),
    };
  }
  return {
    serialize(c, topic) {
      const n = c.newValue === null ? null : inner.serialize(c.newValue, topic);
      const o = c.oldValue === null ? null : inner.serialize(c.oldValue, topic);
      const out = new Uint8Array(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out[0] = (n ? 1 : 0) | (o ? 2 : 0);
      new DataView(out.buffer).setUint32(1, n?.length ?? 0);
      if (n) out.set(n, 5);
      if (o) out.set(o, 5 + (n?.length ?? 0));
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes.length < 5) fail(`change serde: ${topic} holds a value too short to be a table change`);
      const flags = bytes[0]!;
      const nl = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(1);
      return {
        newValue: flags & 1 ? inner.deserialize(bytes.subarray(5, 5 + nl), topic) : null,
        oldValue: flags & 2 ? inner.deserialize(bytes.subarray(5 + nl), topic) : null,
      };
    },
  };
}

/** Serializes, mapping null and undefined to null (a tombstone). */
export function serializeNullable<T>(serde: Serde<T>, value: T | null | undefined, topic: string): Uint8Array | null {
  return value === null || value === undefined ? null : serde.serialize(value, topic);
}

export function deserializeNullable<T>(serde: Serde<T>, bytes: Uint8Array | null, topic: string): T | null {
  return bytes === null ? null : serde.deserialize(bytes, topic);
}
