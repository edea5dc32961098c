// Converters between a record's stored bytes and Connect data, with Kafka's class names:
// JsonConverter (schemaless), StringConverter, ByteArrayConverter.

import { toBase64 } from "../util/base64.js";
import { decodeUtf8, utf8Encoder } from "../util/utf8.js";
import { type Data, DataException } from "./record.js";

export interface Converter {
  /** Stored bytes to Connect data (sinks). */
  toConnect(bytes: Uint8Array | null): Data;
  /** Connect data to bytes to store (sources). */
  fromConnect(data: Data): Uint8Array | null;
}

const KAFKA = "org.apache.kafka.connect";
export const JSON_CONVERTER = `${KAFKA}.json.JsonConverter`;
export const STRING_CONVERTER = `${KAFKA}.storage.StringConverter`;
export const BYTES_CONVERTER = `${KAFKA}.converters.ByteArrayConverter`;

/** Class names and the short names edgelog also accepts. */
const ALIASES: Record<string, string> = {
  [JSON_CONVERTER]: JSON_CONVERTER,
  JsonConverter: JSON_CONVERTER,
  json: JSON_CONVERTER,
  [STRING_CONVERTER]: STRING_CONVERTER,
  StringConverter: STRING_CONVERTER,
  string: STRING_CONVERTER,
  [BYTES_CONVERTER]: BYTES_CONVERTER,
  ByteArrayConverter: BYTES_CONVERTER,
  bytes: BYTES_CONVERTER,
};

export const CONVERTER_NAMES = Object.keys(ALIASES);

/** Turns Connect data into JSON-able data: bytes become base64 text (as JsonConverter writes BYTES). */
export function toJsonable(d: Data): unknown {
  if (d instanceof Uint8Array) return toBase64(d);
  if (Array.isArray(d)) return d.map(toJsonable);
  if (d !== null && typeof d === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(d)) out[k] = toJsonable(v);
    return out;
  }
  return d;
}

const json: Converter = {
  toConnect(bytes) {
    if (bytes === null) return null;
    try {
      const text = decodeUtf8(bytes);
      if (text === null) throw new Error("not UTF-8 text");
      return JSON.parse(text) as Data;
    } catch (e) {
      throw new DataException(
        `Converting byte[] to Kafka Connect data failed due to serialization error: ${(e as Error).message}`,
      );
    }
  },
  fromConnect(data) {
    return data === null ? null : utf8Encoder.encode(JSON.stringify(toJsonable(data)));
  },
};

const string: Converter = {
  toConnect(bytes) {
    if (bytes === null) return null;
    const text = decodeUtf8(bytes);
    if (text === null) throw new DataException("StringConverter: the bytes are not UTF-8 text");
    return text;
  },
  fromConnect(data) {
    if (data === null) return null;
    return utf8Encoder.encode(typeof data === "string" ? data : JSON.stringify(toJsonable(data)));
  },
};

const bytes: Converter = {
  toConnect: (b) => b,
  fromConnect(data) {
    if (data === null) return null;
    if (data instanceof Uint8Array) return data;
    throw new DataException(`ByteArrayConverter is not compatible with objects of type ${typeof data}`);
  },
};

/** The converter a config names (`key.converter`, `value.converter`); undefined for unknown names. */
export function converter(name: string): Converter | undefined {
  switch (ALIASES[name]) {
    case JSON_CONVERTER:
      return json;
    case STRING_CONVERTER:
      return string;
    case BYTES_CONVERTER:
      return bytes;
    default:
      return undefined;
  }
}

export function canonicalConverter(name: string): string | undefined {
  return ALIASES[name];
}
