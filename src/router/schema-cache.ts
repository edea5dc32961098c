// Reaching the schema registry object, and what each isolate remembers of it: schema ids never
// change, so parsed schemas and "id is registered under subject" answers are cached, and produce
// validation and decoding make no object call once an id has been seen.

import type { Env } from "../env.js";
import { registryObject } from "../objects.js";
import { unwrap } from "../protocol/errors.js";
import { parseSchema, type ParsedSchema } from "../schemas/formats.js";

export function registry(env: Env) {
  return registryObject(env);
}

const CACHE_ENTRIES = 10_000;
/** How long an isolate keeps accepting an id for a subject after it was confirmed (a deleted version stops being accepted within this). */
const REGISTERED_TTL_MS = 60_000;

// Parsed schemas, not promises of them: a Worker must not await a promise another request
// started (that request may end first, and workerd does not carry I/O across requests), so two
// concurrent misses each ask the registry once.
const parsed = new Map<number, ParsedSchema>();
const registered = new Map<string, number>();

/** The parsed schema with this id (SCHEMA_NOT_FOUND when there is none). */
export async function schemaFor(env: Env, id: number): Promise<ParsedSchema> {
  const hit = parsed.get(id);
  if (hit) return hit;
  const s = unwrap(await registry(env).schemaWithRefs(id));
  // A failure (unknown id, a transient fault) throws above and is not remembered.
  const schema = parseSchema(s.type, s.text, s.refs);
  if (parsed.size >= CACHE_ENTRIES) parsed.clear();
  parsed.set(id, schema);
  return schema;
}

/** Whether `id` is a live version's schema under `subject`; confirmed answers are remembered for a while. */
export async function isRegisteredUnder(env: Env, subject: string, id: number): Promise<boolean> {
  const key = `${id}\u0000${subject}`;
  const at = registered.get(key);
  if (at !== undefined && Date.now() - at < REGISTERED_TTL_MS) return true;
  const yes = unwrap(await registry(env).isRegisteredUnder(subject, id));
  if (yes) {
    if (registered.size >= CACHE_ENTRIES) registered.clear();
    registered.set(key, Date.now());
  } else registered.delete(key);
  return yes;
}
