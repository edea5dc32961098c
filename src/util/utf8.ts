// Shared UTF-8 codecs; the strict decoder tells text from binary.

export const utf8Encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, or returns null when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * False when `s` holds a lone surrogate, which UTF-8 cannot carry: TextEncoder would write U+FFFD
 * in its place, silently changing the text (and a key's partition). V8's native check, typed here
 * because the ES2024 lib is not in tsconfig.
 */
export function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}
