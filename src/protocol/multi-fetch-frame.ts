// The binary reply of POST /v1/fetch (Accept: application/vnd.edgelog.multi-fetch): a length-prefixed
// JSON header, the multi-fetch reply without the bytes, then each partition's raw batches in order.
// Raw bytes end to end, so the Kafka gateway hands batches on without base64 or a JSON string.

import type { MultiFetchReply } from "./api.js";
import { EdgelogError } from "./errors.js";

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const HEADER_LENGTH_BYTES = 4;

export type MultiFetchEntry = MultiFetchReply["partitions"][number];

/** `[uint32 BE n][n bytes of JSON {"partitions":[…]}][batches of each partition with batches_bytes, in order]`. */
export function encodeMultiFetch(partitions: MultiFetchEntry[], batches: Uint8Array[][]): Uint8Array {
  const header = utf8.encode(JSON.stringify({ partitions }));
  let size = HEADER_LENGTH_BYTES + header.length;
  for (const list of batches) for (const b of list) size += b.length;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, HEADER_LENGTH_BYTES);
  let at = HEADER_LENGTH_BYTES + header.length;
  for (const list of batches)
    for (const b of list) {
      out.set(b, at);
      at += b.length;
    }
  return out;
}

/** Each partition of a binary multi-fetch reply with its batches as a view into `body` (no copy). */
export function decodeMultiFetch(body: Uint8Array): (MultiFetchEntry & { batches?: Uint8Array })[] {
  const bad = (why: string) => new EdgelogError("UNKNOWN_SERVER_ERROR", `malformed multi-fetch reply: ${why}`);
  if (body.length < HEADER_LENGTH_BYTES) throw bad("shorter than its length prefix");
  const n = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0);
  if (HEADER_LENGTH_BYTES + n > body.length) throw bad("header longer than the body");
  const { partitions } = JSON.parse(
    fromUtf8.decode(body.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + n)),
  ) as MultiFetchReply;
  let at = HEADER_LENGTH_BYTES + n;
  const out = partitions.map((p) => {
    if (p.batches_bytes === undefined) return p;
    const batches = body.subarray(at, at + p.batches_bytes);
    at += p.batches_bytes;
    return { ...p, batches };
  });
  if (at !== body.length) throw bad(`${body.length - at} bytes past the last partition's batches`);
  return out;
}
