// Reaching the schema registry object, and what each isolate remembers of it: schema ids never
// change, so parsed schemas and "id is registered under subject" answers are cached, and produce
// validation and decoding make no object call once an id has been seen.

import type { Env } from "../env.js";
import { unwrap } from "../protocol/errors.js";
import { parseSchema, type ParsedSchema } from "../schemas/formats.js";

export function registry(env: Env) {
  return env.REGISTRY.getByName("registry");
}

const CACHE_ENTRIES = 10_000;
/** How long an isolate keeps accepting an id for a subject after it was confirmed (a deleted version stops being accepted within this). */
const REGISTERED_TTL_MS = 60_000;

const parsed = new Map<number, Promise<ParsedSchema>>();
const registered = new Map<string, number>();

/** The parsed schema with this id (SCHEMA_NOT_FOUND when there is none). */
export function schemaFor(env: Env, id: number): Promise<ParsedSchema> {
  let hit = parsed.get(id);
  if (!hit) {
    hit = registry(env)
      .schemaWithRefs(id)
      .then((r) => {
        const s = unwrap(r);
        return parseSchema(s.type, s.text, s.refs);
      });
    // A failure (unknown id, a transient fault) is not remembered: the next record asks again.
    hit.catch(() => parsed.delete(id));
    if (parsed.size >= CACHE_ENTRIES) parsed.clear();
    parsed.set(id, hit);
  }
  return hit;
}

/** Whether `id` is a live version's schema under `subject`; confirmed answers are remembered for a while. */
export async function isRegisteredUnder(env: Env, subject: string, id: number): Promise<boolean> {
  const key = `${id}\u0000${subject}`;
  const at = registered.get(key);
  if (at !== undefined && Date.now() - at < REGISTERED_TTL_MS) return true;
  const yes = await registry(env).isRegisteredUnder(subject, id);
  if (yes) {
    if (registered.size >= CACHE_ENTRIES) registered.clear();
    registered.set(key, Date.now());
  } else registered.delete(key);
  return yes;
}
