// The mirror directory: which mirrors exist, under which id. Each mirror's config and progress
// live in its own MirrorDO (and the target partitions); this is what makes names unique and listable.

import { EdgelogError } from "../protocol/errors.js";
import type { MirrorEntry } from "../contracts/cluster.js";

const PREFIX = "mirror/";

/** Kept in the controller's SQLite-backed kv: a handful of small entries, no table (or migration) needed. */
export class MirrorDirectory {
  constructor(private readonly kv: SyncKvStorage) {}

  add(entry: MirrorEntry): void {
    if (this.kv.get(PREFIX + entry.name) !== undefined) {
      throw new EdgelogError("MIRROR_ALREADY_EXISTS", `mirror ${entry.name} already exists`);
    }
    this.kv.put(PREFIX + entry.name, entry);
  }

  get(name: string): MirrorEntry {
    const e = this.kv.get<MirrorEntry>(PREFIX + name);
    if (!e) throw new EdgelogError("MIRROR_NOT_FOUND", `mirror ${name} does not exist`);
    return e;
  }

  list(): MirrorEntry[] {
    return [...this.kv.list<MirrorEntry>({ prefix: PREFIX })].map(([, e]) => e);
  }

  /** Removes the entry and returns it; MIRROR_NOT_FOUND when there is none. */
  remove(name: string): MirrorEntry {
    const e = this.get(name);
    this.kv.delete(PREFIX + name);
    return e;
  }
}
