// CRC-32C (Castagnoli), the checksum Kafka's RecordBatch v2 puts over attributes..end.

// Reflected form of the Castagnoli polynomial 0x1EDC6F41.
const POLY = 0x82f63b78;

// Slice-by-8: table k maps a byte that sits k positions before the end of an
// 8-byte block to its contribution, so one step folds 8 bytes with 8 lookups
// instead of 8 dependent table-walks. Built once; 8 KiB.
const T = new Uint32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n]!;
  for (let t = 1; t < 8; t++) {
    c = T[c & 0xff]! ^ (c >>> 8);
    T[t * 256 + n] = c;
  }
}

/** Unsigned CRC-32C of `data[start, end)`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  if (start < 0 || end > data.length || start > end) {
    throw new RangeError(`crc32c range [${start}, ${end}) is outside a buffer of ${data.length} bytes`);
  }
  let crc = ~0;
  let i = start;
  // Bytes are read one by one rather than through a Uint32Array view: the
  // range is rarely 4-byte aligned and a view would also tie us to host endianness.
  const stop8 = end - 7;
  while (i < stop8) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc =
      T[0x700 + (crc & 0xff)]! ^
      T[0x600 + ((crc >>> 8) & 0xff)]! ^
      T[0x500 + ((crc >>> 16) & 0xff)]! ^
      T[0x400 + (crc >>> 24)]! ^
      T[0x300 + data[i + 4]!]! ^
      T[0x200 + data[i + 5]!]! ^
      T[0x100 + data[i + 6]!]! ^
      T[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = T[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
