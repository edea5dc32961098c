// Confluent's wire format for registry-framed keys and values: magic byte 0, the schema id as a
// 4-byte big-endian integer, then the encoded datum (Protobuf puts its message indexes first).

export const WIRE_MAGIC = 0;
export const WIRE_HEADER_BYTES = 5;

/** The schema id a framed value carries, or undefined when it is not framed. */
export function framedId(bytes: Uint8Array | null): number | undefined {
  if (!bytes || bytes.byteLength < WIRE_HEADER_BYTES || bytes[0] !== WIRE_MAGIC) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, WIRE_HEADER_BYTES).getInt32(1, false);
}

export function frame(id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(WIRE_HEADER_BYTES + payload.byteLength);
  new DataView(out.buffer).setInt32(1, id, false);
  out.set(payload, WIRE_HEADER_BYTES);
  return out;
}

/**
 * Protobuf's message indexes: a zigzag varint count, then each index as a zigzag varint; the
 * common [0] (the first message) is written as the single byte 0.
 */
export function readMessageIndexes(bytes: Uint8Array, pos: number): { indexes: number[]; pos: number } {
  const next = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= bytes.byteLength) throw new RangeError("truncated message indexes");
      const b = bytes[pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new RangeError("message index varint too long");
    }
    return (result >>> 1) ^ -(result & 1);
  };
  const count = next();
  if (count === 0) return { indexes: [0], pos };
  if (count < 0 || count > 100) throw new RangeError(`bad message index count ${count}`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(next());
  return { indexes, pos };
}

export function writeMessageIndexes(indexes: readonly number[]): Uint8Array {
  if (indexes.length === 1 && indexes[0] === 0) return new Uint8Array([0]);
  const out: number[] = [];
  const put = (n: number) => {
    let z = ((n << 1) ^ (n >> 31)) >>> 0;
    while (z >= 0x80) {
      out.push((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    out.push(z);
  };
  put(indexes.length);
  for (const i of indexes) put(i);
  return new Uint8Array(out);
}
