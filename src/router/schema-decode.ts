// decode=registry on JSON reads: the schemas of the registry-framed values in a read, fetched once
// per isolate (schema-cache.ts), turned into a decoder renderRecords applies record by record.

import type { Env } from "../env.js";
import type { ValueDecoder } from "../protocol/fetched.js";
import { decodeRecords } from "../protocol/record-batch.js";
import { decodePayload, type ParsedSchema } from "../schemas/formats.js";
import { framedId, WIRE_HEADER_BYTES } from "../schemas/wire.js";
import { schemaFor } from "./schema-cache.js";

/** A decoder for the framed values in `batches`; values whose id is unknown or that do not decode stay as the format renders them. */
export async function registryDecoder(env: Env, batches: readonly Uint8Array[]): Promise<ValueDecoder> {
  const ids = new Set<number>();
  for (const b of batches)
    for (const r of decodeRecords(b)) {
      const id = framedId(r.value);
      if (id !== undefined) ids.add(id);
    }
  const schemas = new Map<number, ParsedSchema>();
  await Promise.all(
    [...ids].map(async (id) => {
      try {
        schemas.set(id, await schemaFor(env, id));
      } catch {
        /* an id the registry does not know: the value is shown undecoded */
      }
    }),
  );
  return (value) => {
    const id = framedId(value);
    const schema = id === undefined ? undefined : schemas.get(id);
    if (id === undefined || !schema) return undefined;
    try {
      return { id, value: decodePayload(schema, value.subarray(WIRE_HEADER_BYTES)) };
    } catch {
      return undefined;
    }
  };
}
