// snappyjs ships no types; these are the two functions edgelog calls (see node_modules/snappyjs/index.js).
declare module "snappyjs" {
  /** Decodes one raw snappy block; throws when its declared length exceeds `maxLength`. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
