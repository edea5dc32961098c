// Registers snappy, lz4 and zstd with kafkajs, which ships only gzip: kafkajs-snappy (the kafkajs
// project's own codec) and small codecs over lz4js and @bokuweb/zstd-wasm, which run in any Node
// (kafkajs-lz4 and @kafkajs/zstd need native builds).

import * as zstd from "@bokuweb/zstd-wasm";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import SnappyCodec from "kafkajs-snappy";
import { compress as lz4Compress, decompress as lz4Decompress } from "lz4js";

/** What kafkajs hands a codec to compress: an encoder whose buffer holds the records. */
interface Encoder {
  buffer: Buffer;
}

let registered: Promise<void> | undefined;

export function registerKafkajsCodecs(): Promise<void> {
  registered ??= (async () => {
    await zstd.init();
    CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
    CompressionCodecs[CompressionTypes.LZ4] = () => ({
      compress: async (e: Encoder) => Buffer.from(lz4Compress(e.buffer)),
      decompress: async (b: Buffer) => Buffer.from(lz4Decompress(b)),
    });
    CompressionCodecs[CompressionTypes.ZSTD] = () => ({
      compress: async (e: Encoder) => Buffer.from(zstd.compress(e.buffer, 3)),
      decompress: async (b: Buffer) => Buffer.from(zstd.decompress(b)),
    });
  })();
  return registered;
}
