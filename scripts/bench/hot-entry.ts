// The server's hot functions, re-exported so the bench can bundle them for Node (encoding
// payloads, micro-benchmarks). Nothing here runs in production.

export {
  encodeBatch,
  validateBatches,
  decodeRecords,
  setBaseOffset,
  setCreateTime,
} from "../../src/protocol/record-batch.js";
export { crc32c } from "../../src/protocol/crc32c.js";
export { ProduceRequestSchema, FetchQuerySchema } from "../../src/protocol/api.js";
export { toRecordInput, recordKey } from "../../src/router/records.js";
export { renderRecords } from "../../src/protocol/fetched.js";
export { planBatches } from "../../src/router/produce-plan.js";
export { decompressBatches } from "../../src/protocol/compression.js";
