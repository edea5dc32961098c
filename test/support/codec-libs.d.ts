// Codec libraries the tests use that ship no types: lz4js (node_modules/lz4js/lz4.js) and kafkajs-snappy.
declare module "lz4js" {
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}

// kafkajs-snappy ships no types: a kafkajs codec factory.
declare module "kafkajs-snappy" {
  const codec: () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> };
  export default codec;
}
