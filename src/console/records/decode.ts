// How a key or value is shown: as JSON (pretty), UTF-8 text, base64 or hex.

import { toBase64, toHex, utf8Text } from "./bytes.js";

export const DECODINGS = ["json", "string", "base64", "hex"] as const;
export type Decoding = (typeof DECODINGS)[number];

export interface Shown {
  text: string;
  /** Set when the bytes could not be shown as asked and another form was used instead. */
  note?: string;
}

export function show(bytes: Uint8Array | null, as: Decoding, pretty = false): Shown {
  if (bytes === null) return { text: "null", note: "null" };
  switch (as) {
    case "base64":
      return { text: toBase64(bytes) };
    case "hex":
      return { text: toHex(bytes) };
    case "string": {
      const text = utf8Text(bytes);
      return text === null ? { text: toHex(bytes), note: "not UTF-8: hex" } : { text };
    }
    case "json": {
      const text = utf8Text(bytes);
      if (text === null) return { text: toHex(bytes), note: "not UTF-8: hex" };
      try {
        return { text: JSON.stringify(JSON.parse(text), null, pretty ? 2 : undefined) };
      } catch {
        return { text, note: "not JSON: text" };
      }
    }
  }
}

/** The value parsed as JSON, or undefined when it is not JSON text. */
export function asJson(bytes: Uint8Array | null): unknown {
  if (bytes === null) return null;
  const text = utf8Text(bytes);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
