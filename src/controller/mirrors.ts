// The mirror directory: which mirrors exist, under which id. Each mirror's config and progress
// live in its own MirrorDO (and the target partitions); this is what makes names unique and listable.

import { EdgelogError } from "../protocol/errors.js";
import type { MirrorEntry } from "../contracts/cluster.js";
import { mirrorEntryKey, type ClusterKv } from "./keys.js";

/** Kept in the controller's SQLite-backed kv: a handful of small entries, no table (or migration) needed. */
export class MirrorDirectory {
  constructor(private readonly kv: ClusterKv) {}

  add(entry: MirrorEntry): void {
    if (this.kv.get(mirrorEntryKey(entry.name)) !== undefined) {
      throw new EdgelogError("MIRROR_ALREADY_EXISTS", `mirror ${entry.name} already exists`);
    }
    this.kv.put(mirrorEntryKey(entry.name), entry);
  }

  get(name: string): MirrorEntry {
    const e = this.kv.get(mirrorEntryKey(name));
    if (!e) throw new EdgelogError("MIRROR_NOT_FOUND", `mirror ${name} does not exist`);
    return e;
  }

  list(): MirrorEntry[] {
    return this.kv.values("mirror/");
  }

  /** Removes the entry and returns it; MIRROR_NOT_FOUND when there is none. */
  remove(name: string): MirrorEntry {
    const e = this.get(name);
    this.kv.delete(mirrorEntryKey(name));
    return e;
  }
}
